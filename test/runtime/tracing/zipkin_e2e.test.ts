/**
 * HCM tracing with envoy.tracers.zipkin, end to end: B3 in from a traced client, B3 out to the
 * upstream, Zipkin v2 JSON spans to a receiver (answers 202 as Zipkin does).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { send, type Proxy } from '../../e2e/proxy.js';
import { zipkinReceiver, recordingUpstream, closedPort, type Receiver } from './receivers.js';
import { withTracingProxy, type TracingProxySpec } from './tracing_proxy.js';

const TRACE64 = '463ac35c9f6413ad';
const CLIENT_SPAN = 'a2fb4a1d1a96d312';
const CLIENT_PARENT = '0020000000000001';

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
before(async () => {
  upstream = await recordingUpstream();
});
after(async () => {
  await upstream.close();
});

function withProxy(spec: TracingProxySpec, fn: (p: Proxy, r: Receiver) => Promise<void>): Promise<void> {
  return withTracingProxy('zipkin', zipkinReceiver, upstream.port, spec, fn);
}

const counter = (p: Proxy, name: string): number => p.server.store.counter(name).value;

/** The counter once it reached `min` (the exporter counts when the collector's response ends). */
async function counterAtLeast(p: Proxy, name: string, min: number): Promise<number> {
  for (let i = 0; i < 400 && counter(p, name) < min; i++) await new Promise((r) => setTimeout(r, 5));
  return counter(p, name);
}

test('B3 client, shared_span_context false: a child span; the upstream sees the proxy span as parent', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 0}'], providerExtra: ['shared_span_context: false'] }, async (p, r) => {
    const before = upstream.seen.length;
    const res = await send(p.port, { method: 'GET', path: '/z', authority: 'z.example', headers: { 'x-b3-traceid': TRACE64, 'x-b3-spanid': CLIENT_SPAN, 'x-b3-parentspanid': CLIENT_PARENT, 'x-b3-sampled': '1' } });
    assert.equal(res.status, 200);
    const [s] = await r.waitFor(1);
    const up = upstream.seen[before]!;
    assert.equal(s!.traceId, TRACE64);
    assert.equal(s!.parentSpanId, CLIENT_SPAN);
    assert.notEqual(s!.spanId, CLIENT_SPAN);
    assert.equal(up['x-b3-traceid'], TRACE64);
    assert.equal(up['x-b3-spanid'], s!.spanId);
    assert.equal(up['x-b3-parentspanid'], CLIENT_SPAN);
    assert.equal(up['x-b3-sampled'], '1');
    assert.equal(s!.kind, 'SERVER');
    assert.equal(s!.shared, undefined);
    assert.equal(s!.serviceName, 'edge-proxy', 'localEndpoint.serviceName is the node cluster');
    assert.equal(s!.tags['http.status_code'], '200');
    assert.equal(s!.tags['upstream_cluster'], 'up');
    assert.equal(s!.tags['node_id'], 'node-1');
    assert.equal(r.requests[0]!.path, '/api/v2/spans');
    assert.equal(r.requests[0]!.headers['content-type'], 'application/json');
    assert.equal(await counterAtLeast(p, 'tracing.zipkin.reports_sent', 1), 1);
    assert.equal(counter(p, 'tracing.zipkin.spans_sent'), 1);
  });
});

test('B3 client, default shared_span_context: the server span shares the client span id', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 0}'] }, async (p, r) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/z', authority: 'z', headers: { 'x-b3-traceid': TRACE64, 'x-b3-spanid': CLIENT_SPAN, 'x-b3-parentspanid': CLIENT_PARENT, 'x-b3-sampled': '1' } });
    const [s] = await r.waitFor(1);
    assert.equal(s!.spanId, CLIENT_SPAN);
    assert.equal(s!.parentSpanId, CLIENT_PARENT);
    assert.equal(s!.shared, true);
    assert.equal(upstream.seen[before]!['x-b3-spanid'], CLIENT_SPAN);
  });
});

test('x-b3-sampled: 0 is followed (nothing exported, 0 propagated); the b3 single header is read', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 100}'], providerExtra: ['shared_span_context: false'] }, async (p, r) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/no', authority: 'z', headers: { 'x-b3-traceid': TRACE64, 'x-b3-spanid': CLIENT_SPAN, 'x-b3-sampled': '0' } });
    await send(p.port, { method: 'GET', path: '/yes', authority: 'z', headers: { b3: `${TRACE64}-${CLIENT_SPAN}-1` } });
    const spans = await r.waitFor(1);
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.tags['http.url'], 'http://z/yes');
    assert.equal(spans[0]!.parentSpanId, CLIENT_SPAN);
    assert.equal(upstream.seen[before]!['x-b3-sampled'], '0');
    assert.equal(upstream.seen[before + 1]!['x-b3-sampled'], '1');
    assert.equal(upstream.seen[before + 1]!['b3'], undefined, 'multi headers replace the single header');
  });
});

test('no context: 64-bit root trace id (128 with trace_id_128bit), sampled by random_sampling', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 100}'] }, async (p, r) => {
    await send(p.port, { method: 'GET', path: '/', authority: 'z' });
    const [s] = await r.waitFor(1);
    assert.match(s!.traceId, /^[0-9a-f]{16}$/);
    assert.equal(s!.parentSpanId, undefined);
  });
  await withProxy({ tracing: ['random_sampling: {value: 100}'], providerExtra: ['trace_id_128bit: true'] }, async (p, r) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/', authority: 'z' });
    const [s] = await r.waitFor(1);
    assert.match(s!.traceId, /^[0-9a-f]{32}$/);
    assert.equal(upstream.seen[before]!['x-b3-traceid'], s!.traceId);
  });
  await withProxy({ tracing: ['random_sampling: {value: 0}'] }, async (p) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/', authority: 'z' });
    assert.equal(upstream.seen[before]!['x-b3-sampled'], '0');
    assert.equal(counter(p, 'tracing.zipkin.spans_sent'), 0);
  });
});

test('a Zipkin collector that is down: requests unaffected, reports_failed counted', async () => {
  const down = await closedPort();
  await withProxy({ collectorPort: down, tracing: ['random_sampling: {value: 100}'] }, async (p) => {
    for (let i = 0; i < 5; i++) assert.equal((await send(p.port, { method: 'GET', path: '/', authority: 'z' })).status, 200);
    assert.ok((await counterAtLeast(p, 'tracing.zipkin.reports_failed', 1)) >= 1);
    assert.equal(counter(p, 'tracing.zipkin.reports_sent'), 0);
  });
});
