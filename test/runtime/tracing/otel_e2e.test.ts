/**
 * HCM tracing with envoy.tracers.opentelemetry, end to end: a traced client (traceparent) ->
 * tsproxy serve -> an upstream that records its request headers, spans exported over OTLP/HTTP to
 * a receiver that decodes them with the official OTLP protobuf definitions.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { send, type Proxy } from '../../e2e/proxy.js';
import { otlpReceiver, recordingUpstream, closedPort, type Receiver } from './receivers.js';
import { withTracingProxy, type TracingProxySpec } from './tracing_proxy.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
before(async () => {
  upstream = await recordingUpstream();
});
after(async () => {
  await upstream.close();
});

function withProxy(spec: TracingProxySpec, fn: (p: Proxy, r: Receiver) => Promise<void>): Promise<void> {
  return withTracingProxy('otel', otlpReceiver, upstream.port, spec, fn);
}

function counter(p: Proxy, name: string): number {
  return p.server.store.counter(name).value;
}

function parseTraceparent(v: unknown): { traceId: string; spanId: string; flags: string } {
  assert.equal(typeof v, 'string', 'the upstream got a traceparent');
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(v as string);
  assert.ok(m, `traceparent ${String(v)}`);
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! };
}

test('a traced client gets a child span: trace id kept, parent = client span, upstream parent = proxy span', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 0}', 'request_headers_for_tags: [user-agent]', 'custom_tags: [{tag: team, literal: {value: edge}}, {tag: tenant, request_header: {name: x-tenant, default_value: none}}]'] }, async (p, r) => {
    const before = upstream.seen.length;
    const res = await send(p.port, { method: 'GET', path: '/orders?id=7', authority: 'shop.example', headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=abc', 'x-tenant': 't1', 'user-agent': 'client/1' } });
    assert.equal(res.status, 200);
    const [span] = await r.waitFor(1);
    const up = upstream.seen[before]!;
    const tp = parseTraceparent(up['traceparent']);
    assert.equal(tp.traceId, TRACE);
    assert.equal(tp.flags, '01');
    assert.equal(up['tracestate'], 'vendor=abc');
    assert.equal(span!.traceId, TRACE);
    assert.equal(span!.parentSpanId, CLIENT_SPAN);
    assert.equal(span!.spanId, tp.spanId, 'the upstream sees the proxy span as its parent');
    assert.notEqual(span!.spanId, CLIENT_SPAN);
    assert.equal(span!.kind, 'SERVER');
    assert.equal(span!.name, 'ingress');
    assert.equal(span!.serviceName, 'tsproxy-e2e');
    const t = span!.tags;
    assert.equal(t['http.method'], 'GET');
    assert.equal(t['http.url'], 'http://shop.example/orders?id=7');
    assert.equal(t['http.protocol'], 'HTTP/1.1');
    assert.equal(t['http.status_code'], '200');
    assert.equal(t['response_flags'], '-');
    assert.equal(t['upstream_cluster'], 'up');
    assert.equal(t['upstream_address'], `127.0.0.1:${upstream.port}`);
    assert.equal(t['node_id'], 'node-1');
    assert.equal(t['component'], 'proxy');
    assert.equal(t['user_agent'], 'client/1');
    assert.equal(t['downstream_cluster'], '-');
    assert.equal(t['response_size'], '2');
    assert.equal(t['request_size'], '0');
    assert.equal(t['team'], 'edge');
    assert.equal(t['tenant'], 't1');
    assert.equal(t['user-agent'], 'client/1', 'request_headers_for_tags');
    assert.equal(t['guid:x-request-id'], up['x-request-id']);
    assert.equal(t['error'], undefined);
    assert.ok(span!.endUs >= span!.startUs);
    // Envoy's OTLP/HTTP request shape.
    const req = r.requests[0]!;
    assert.equal(req.path, '/v1/traces');
    assert.equal(req.headers['content-type'], 'application/x-protobuf');
    assert.equal(req.headers['host'], 'collector.example:4318');
    assert.equal(req.headers['x-collector-token'], 't0k');
    assert.equal(counter(p, 'tracing.opentelemetry.spans_sent'), 1);
  });
});

test('an unsampled parent is followed: traceparent flags 00 upstream, nothing exported; a sampled one is', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 100}'] }, async (p, r) => {
    const before = upstream.seen.length;
    const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    await send(p.port, { method: 'GET', path: '/a', authority: 'x', headers: { traceparent: `00-${other}-${CLIENT_SPAN}-00` } });
    await send(p.port, { method: 'GET', path: '/b', authority: 'x', headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` } });
    const unsampled = parseTraceparent(upstream.seen[before]!['traceparent']);
    assert.equal(unsampled.traceId, other);
    assert.equal(unsampled.flags, '00');
    assert.notEqual(unsampled.spanId, CLIENT_SPAN);
    const spans = await r.waitFor(1);
    // Spans go out in completion order with min_flush_spans 1: had the first been sampled it would be first.
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.traceId, TRACE);
    assert.equal(spans[0]!.tags['http.url'], 'http://x/b');
  });
});

test('0% random sampling: a root span, not sampled, propagated with flags 00; x-request-id says not traceable', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 0}'] }, async (p, r) => {
    const before = upstream.seen.length;
    for (let i = 0; i < 3; i++) assert.equal((await send(p.port, { method: 'GET', path: '/z', authority: 'x' })).status, 200);
    // A forced request is the only one exported (proves the others were not just late).
    await send(p.port, { method: 'GET', path: '/forced', authority: 'x', headers: { 'x-envoy-force-trace': 'true' } });
    const spans = await r.waitFor(1);
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.tags['http.url'], 'http://x/forced');
    assert.equal(spans[0]!.parentSpanId, undefined, 'a root span');
    for (let i = 0; i < 3; i++) {
      const h = upstream.seen[before + i]!;
      assert.equal(parseTraceparent(h['traceparent']).flags, '00');
      assert.equal((h['x-request-id'] as string)[14], '4');
    }
    const forced = upstream.seen[before + 3]!;
    assert.equal((forced['x-request-id'] as string)[14], '9', 'service forced');
    assert.equal(parseTraceparent(forced['traceparent']).flags, '01');
    assert.equal(counter(p, 'http.ing.tracing.not_traceable'), 3);
    assert.equal(counter(p, 'http.ing.tracing.service_forced'), 1);
    assert.equal(counter(p, 'http.ing.tracing.random_sampling'), 0);
  });
});

test('100% random sampling: every request gets a sampled root span, decision in x-request-id', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 100}'] }, async (p, r) => {
    const before = upstream.seen.length;
    for (let i = 0; i < 4; i++) await send(p.port, { method: 'POST', path: `/s${i}`, authority: 'x', body: 'abc' });
    const spans = await r.waitFor(4);
    const ids = new Set(spans.map((s) => s.traceId));
    assert.equal(ids.size, 4, 'four root spans, four traces');
    for (let i = 0; i < 4; i++) {
      const h = upstream.seen[before + i]!;
      const tp = parseTraceparent(h['traceparent']);
      assert.equal(tp.flags, '01');
      const s = spans.find((x) => x.spanId === tp.spanId)!;
      assert.ok(s, 'the exported span is the upstream parent');
      assert.equal(s.traceId, tp.traceId);
      assert.equal(s.parentSpanId, undefined);
      assert.equal((h['x-request-id'] as string)[14], 'a', 'sampled');
      assert.equal(s.tags['request_size'], '3');
      assert.equal(s.tags['http.method'], 'POST');
    }
    assert.equal(counter(p, 'http.ing.tracing.random_sampling'), 4);
  });
});

test('x-client-trace-id forces a trace (client_sampling 100%); overall_sampling 0 vetoes every trace', async () => {
  await withProxy({ tracing: ['random_sampling: {value: 0}'] }, async (p, r) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/c', authority: 'x', headers: { 'x-client-trace-id': 'abc-123' } });
    const [s] = await r.waitFor(1);
    assert.equal((upstream.seen[before]!['x-request-id'] as string)[14], 'b');
    assert.equal(s!.tags['guid:x-client-trace-id'], 'abc-123');
    assert.equal(counter(p, 'http.ing.tracing.client_enabled'), 1);
  });
  await withProxy({ tracing: ['random_sampling: {value: 100}', 'overall_sampling: {value: 0}'] }, async (p) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/o', authority: 'x', headers: { 'x-envoy-force-trace': '1' } });
    assert.equal((upstream.seen[before]!['x-request-id'] as string)[14], '4');
    assert.equal(parseTraceparent(upstream.seen[before]!['traceparent']).flags, '00');
    assert.equal(counter(p, 'http.ing.tracing.not_traceable'), 1);
  });
});

test('egress listener: CLIENT span named after the route decorator, which is propagated upstream', async () => {
  await withProxy({ direction: 'OUTBOUND', tracing: ['random_sampling: {value: 100}'], route: ['decorator: {operation: checkout}'] }, async (p, r) => {
    const before = upstream.seen.length;
    await send(p.port, { method: 'GET', path: '/', authority: 'pay.internal' });
    const [s] = await r.waitFor(1);
    assert.equal(s!.kind, 'CLIENT');
    assert.equal(s!.name, 'checkout');
    assert.equal(upstream.seen[before]!['x-envoy-decorator-operation'], 'checkout');
  });
  await withProxy({ direction: 'OUTBOUND', tracing: ['random_sampling: {value: 100}'] }, async (p, r) => {
    await send(p.port, { method: 'GET', path: '/', authority: 'pay.internal' });
    const [s] = await r.waitFor(1);
    assert.equal(s!.name, 'egress pay.internal');
  });
});

test('ingress: the decorator names the span and goes back in the response; a request header overrides it', async () => {
  await withProxy({ direction: 'INBOUND', tracing: ['random_sampling: {value: 100}'], route: ['decorator: {operation: orders}'] }, async (p, r) => {
    const before = upstream.seen.length;
    const res = await send(p.port, { method: 'GET', path: '/', authority: 'x' });
    assert.equal(res.headers['x-envoy-decorator-operation'], 'orders');
    const res2 = await send(p.port, { method: 'GET', path: '/', authority: 'x', headers: { 'x-envoy-decorator-operation': 'custom-op' } });
    assert.equal(res2.headers['x-envoy-decorator-operation'], undefined);
    assert.equal(upstream.seen[before + 1]!['x-envoy-decorator-operation'], undefined, 'removed before the upstream');
    const spans = await r.waitFor(2);
    assert.deepEqual(spans.map((s) => s.name), ['orders', 'custom-op']);
    assert.deepEqual(spans.map((s) => s.kind), ['SERVER', 'SERVER']);
  });
});

test('a 5xx is an error span (status ERROR, response flags); max_path_tag_length cuts http.url', async () => {
  const dead = await closedPort();
  await withProxy({ deadPort: dead, tracing: ['random_sampling: {value: 100}', 'max_path_tag_length: 7'] }, async (p, r) => {
    const res = await send(p.port, { method: 'GET', path: '/dead/abcdefgh', authority: 'x' });
    assert.equal(res.status, 503);
    const [s] = await r.waitFor(1);
    assert.equal(s!.tags['http.url'], 'http://x/dead/a');
    assert.equal(s!.tags['http.status_code'], '503');
    assert.equal(s!.tags['response_flags'], 'UF');
    assert.equal(s!.tags['error'], 'true');
    assert.equal(s!.statusCode, 2, 'OTLP status ERROR');
    assert.equal(s!.tags['upstream_cluster'], 'dead');
  });
});

test('a collector that is down never slows requests: reports fail, counted', async () => {
  const down = await closedPort();
  await withProxy({ collectorPort: down, tracing: ['random_sampling: {value: 100}'] }, async (p) => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) assert.equal((await send(p.port, { method: 'GET', path: '/', authority: 'x' })).status, 200);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 2000, `20 requests took ${elapsed} ms`);
    for (let i = 0; i < 200 && counter(p, 'tracing.opentelemetry.http_reports_failed') === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(counter(p, 'tracing.opentelemetry.http_reports_failed') >= 1);
    assert.equal(counter(p, 'tracing.opentelemetry.http_reports_success'), 0);
    assert.equal(counter(p, 'tracing.opentelemetry.spans_sent'), 20);
  });
});

test('HTTP/2 downstream (h2c, codec AUTO): the same child span and propagation', async () => {
  const { connect } = await import('node:http2');
  await withProxy({ tracing: ['random_sampling: {value: 0}'] }, async (p, r) => {
    const before = upstream.seen.length;
    const session = connect(`http://127.0.0.1:${p.port}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':method': 'GET', ':path': '/h2', ':authority': 'h2.example', traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
        req.end();
      });
      assert.equal(status, 200);
    } finally {
      session.close();
    }
    const [s] = await r.waitFor(1);
    const tp = parseTraceparent(upstream.seen[before]!['traceparent']);
    assert.equal(tp.traceId, TRACE);
    assert.equal(s!.parentSpanId, CLIENT_SPAN);
    assert.equal(s!.spanId, tp.spanId);
    assert.equal(s!.tags['http.protocol'], 'HTTP/2');
    assert.equal(s!.tags['http.url'], 'http://h2.example/h2');
  });
});
