/** The hand-written OTLP encoder against the official generated decoder: sizes, UTF-8, ids, times. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { encodeOtlpTraces } from '../../../src/runtime/tracing/otlp_encoder.js';
import { Span, type SpanDriver } from '../../../src/runtime/tracing/span.js';

const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const Req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const driver: SpanDriver = { inject: () => undefined, report: () => undefined };

test('a batch decodes with the official definitions: ids, parent, kind, times, UTF-8 attributes, error status', () => {
  const a = new Span(driver, 'ingress', 'SERVER', '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', '00f067aa0ba902b7', true, 'k=v', 1_700_000_000_123_456);
  a.setTag('http.url', 'http://ü.example/päth?q=' + 'x'.repeat(300));
  a.setTag('error', 'true');
  a.finish(1_700_000_000_223_456);
  const b = new Span(driver, 'égress høst', 'CLIENT', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', undefined, true, '', 5);
  b.setTag('k', '');
  b.finish(6);
  const msg = Req.decode(encodeOtlpTraces([a, b], 'svc-ø'));
  const rs = msg.resourceSpans[0];
  assert.equal(rs.resource.attributes[0].key, 'service.name');
  assert.equal(rs.resource.attributes[0].value.stringValue, 'svc-ø');
  const [sa, sb] = rs.scopeSpans[0].spans;
  assert.equal(Buffer.from(sa.traceId).toString('hex'), a.traceId);
  assert.equal(Buffer.from(sa.spanId).toString('hex'), a.spanId);
  assert.equal(Buffer.from(sa.parentSpanId).toString('hex'), a.parentId);
  assert.equal(sa.traceState, 'k=v');
  assert.equal(sa.kind, 2);
  assert.equal(sa.startTimeUnixNano.toString(), '1700000000123456000');
  assert.equal(sa.endTimeUnixNano.toString(), '1700000000223456000');
  assert.equal(sa.attributes.find((x: { key: string }) => x.key === 'http.url').value.stringValue, a.tag('http.url'));
  assert.equal(sa.status.code, 2);
  assert.equal(sb.name, 'égress høst');
  assert.equal(sb.kind, 3);
  assert.equal(sb.parentSpanId?.length ?? 0, 0);
  assert.equal(sb.attributes[0].value.stringValue, '');
  assert.equal(sb.status ?? null, null);
});
