/**
 * HTTP/2 upstreams through the real data plane: an HTTP/1.1 client -> tsproxy serve (in-process
 * server, real sockets) -> an h2c (prior knowledge) upstream, node:http2 or nghttpd. Streams
 * multiplex on one connection up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS (connection
 * counts read from the cluster stats), GOAWAY drains a connection and the streams it refused are
 * replayed, upstream resets map to Envoy's flags and details, max_requests binds on h2, and the
 * cluster's protocol selection (typed options and the deprecated fields) picks the pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, request, startProxy, type SimpleResponse, type TestProxy } from '../http/harness.js';
import { loadConfig } from '../../../src/config/load.js';
import { startServer } from '../../../src/runtime/server.js';
import { startHttpOrigin } from './helpers.js';
import { haveNghttpd, startH2Upstream, startNghttpd } from './h2_peers.js';

const T = { timeout: 20_000 };

const H2_EXPLICIT = `typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config:
      http2_protocol_options: {}`;

function h2Proxy(port: number, extra = H2_EXPLICIT, routes = '- match: {prefix: "/"}\n  route: {cluster: web}'): Promise<TestProxy> {
  return startProxy(bootstrap({ routes, clusters: cluster('web', [port], extra) }));
}

async function waitFor(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('streams multiplex on one h2c connection: 10 concurrent requests, one upstream connection', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port);
  try {
    const all = Array.from({ length: 10 }, (_, i) => request(p.port, `/hold${i}`));
    await waitFor(() => up.held() === 10, '10 held streams');
    assert.equal(up.sessions, 1);
    assert.equal(up.maxOpenPerSession, 10);
    up.release();
    const res = await Promise.all(all);
    assert.deepEqual(res.map((r) => r.status), Array(10).fill(200));
    assert.deepEqual(res.map((r) => r.body), Array.from({ length: 10 }, (_, i) => `ok /hold${i}`));
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 1);
    assert.equal(p.counter('cluster.web.upstream_cx_http1_total'), 0);
    assert.equal(p.counter('cluster.web.upstream_cx_total'), 1);
    assert.equal(p.counter('cluster.web.upstream_rq_total'), 10);
  } finally {
    await p.close();
    await up.close();
  }
});

test("the peer's max_concurrent_streams 2: 6 concurrent requests open 3 connections, never 3 streams on one", T, async () => {
  const up = await startH2Upstream({ maxConcurrentStreams: 2 });
  const p = await h2Proxy(up.port);
  try {
    const all = Array.from({ length: 6 }, (_, i) => request(p.port, `/hold${i}`));
    await waitFor(() => up.held() === 6, '6 held streams');
    assert.equal(up.sessions, 3);
    assert.equal(up.maxOpenPerSession, 2);
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 3);
    up.release();
    assert.deepEqual((await Promise.all(all)).map((r) => r.status), Array(6).fill(200));
    // Freed slots are reused: three more requests need no new connection.
    const more = await Promise.all([request(p.port, '/a'), request(p.port, '/b'), request(p.port, '/c')]);
    assert.deepEqual(more.map((r) => r.status), [200, 200, 200]);
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 3);
  } finally {
    await p.close();
    await up.close();
  }
});

test('GOAWAY from the upstream drains its connection: the next request opens a new one', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port);
  try {
    assert.equal((await request(p.port, '/goaway')).status, 200);
    await waitFor(() => up.live.size === 0, 'the drained connection to close');
    const r = await request(p.port, '/after');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok /after');
    assert.equal(up.sessions, 2);
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 2);
  } finally {
    await p.close();
    await up.close();
  }
});

test('GOAWAY refusing streams in flight: they are replayed on a new connection (nothing reached the application)', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port);
  try {
    const all = [request(p.port, '/hold1'), request(p.port, '/hold2', { method: 'POST', body: 'two' }), request(p.port, '/hold3')];
    await waitFor(() => up.held() === 3, '3 held streams');
    // Only the first stream (id 1) will be processed; 3 and 5 are refused.
    const [session] = [...up.live];
    session!.goaway(0, 1);
    await waitFor(() => up.sessions === 2 && up.held() === 5, 'the refused streams on a second connection');
    up.release();
    const res = await Promise.all(all);
    assert.deepEqual(res.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(res.map((r) => r.body), ['ok /hold1', 'two', 'ok /hold3']);
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 2);
  } finally {
    await p.close();
    await up.close();
  }
});

async function withFlags(p: TestProxy, path: string): Promise<{ res: SimpleResponse; flags: string[]; details: string | undefined }> {
  const before = p.infos.length;
  const res = await request(p.port, path);
  await p.waitStreams(before + 1);
  const info = p.infos[before]!;
  return { res, flags: info.responseFlags, details: info.responseCodeDetails };
}

test('upstream resets map to Envoy: RST_STREAM -> 503 UR, PROTOCOL_ERROR -> 502 UPE, connection gone -> 503 UC', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port);
  try {
    const rst = await withFlags(p, '/rst');
    assert.equal(rst.res.status, 503);
    assert.deepEqual(rst.flags, ['UR']);
    assert.equal(rst.details, 'upstream_reset_before_response_started{remote_reset}');
    assert.equal(rst.res.body, 'upstream connect error or disconnect/reset before headers. reset reason: remote reset');
    const pe = await withFlags(p, '/rst-protocol');
    assert.equal(pe.res.status, 502);
    assert.deepEqual(pe.flags, ['UPE']);
    assert.equal(pe.details, 'upstream_reset_before_response_started{protocol_error}');
    const uc = await withFlags(p, '/kill');
    assert.equal(uc.res.status, 503);
    assert.deepEqual(uc.flags, ['UC']);
    assert.equal(uc.details, 'upstream_reset_before_response_started{connection_termination}');
    // A reset stream costs the connection nothing: the first one still serves.
    assert.equal((await request(p.port, '/fine')).status, 200);
    assert.equal(up.sessions, 2);
    assert.equal(p.counter('cluster.web.upstream_cx_destroy_remote_with_active_rq'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('circuit breaker max_requests binds on h2: the third concurrent request overflows (503 UO)', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port, `${H2_EXPLICIT}\ncircuit_breakers: {thresholds: [{max_requests: 2}]}`);
  try {
    const held = [request(p.port, '/hold1'), request(p.port, '/hold2')];
    await waitFor(() => up.held() === 2, '2 held streams');
    const third = await withFlags(p, '/third');
    assert.equal(third.res.status, 503);
    assert.equal(third.res.headers['x-envoy-overloaded'], 'true');
    assert.deepEqual(third.flags, ['UO']);
    assert.equal(p.counter('cluster.web.upstream_rq_pending_overflow'), 1);
    up.release();
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200]);
    assert.equal(up.sessions, 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('max_requests_per_connection on h2: a connection drains after N streams (upstream_cx_max_requests)', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port, `${H2_EXPLICIT.replace('explicit_http_config:', 'common_http_protocol_options: {max_requests_per_connection: 2}\n    explicit_http_config:')}`);
  try {
    for (let i = 0; i < 4; i++) assert.equal((await request(p.port, `/r${i}`)).status, 200);
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 2);
    await waitFor(() => p.counter('cluster.web.upstream_cx_max_requests') === 2, 'two connections retired');
  } finally {
    await p.close();
    await up.close();
  }
});

test('response trailers from the upstream end the response (the downstream is HTTP/1: they are not relayed yet)', T, async () => {
  const up = await startH2Upstream();
  const p = await h2Proxy(up.port);
  try {
    const r = await request(p.port, '/trailers');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  } finally {
    await p.close();
    await up.close();
  }
});

test('protocol selection: deprecated http2_protocol_options -> h2; use_downstream_protocol_config and protocol_selection with an HTTP/1 downstream -> HTTP/1.1', T, async () => {
  const h2 = await startH2Upstream();
  const h1 = await startHttpOrigin((req, res) => res.end(`h1 ${req.url}`));
  const clusters = [
    cluster('legacy_h2', [h2.port], 'http2_protocol_options: {max_concurrent_streams: 50}'),
    cluster('follow', [h1.port], `typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    use_downstream_protocol_config:
      http2_protocol_options: {}`),
    cluster('legacy_follow', [h1.port], 'protocol_selection: USE_DOWNSTREAM_PROTOCOL\nhttp2_protocol_options: {}'),
  ].join('\n');
  const routes = ['/legacy_h2', '/follow', '/legacy_follow'].map((r) => `- match: {prefix: "${r}"}\n  route: {cluster: ${r.slice(1)}}`).join('\n');
  const p = await startProxy(bootstrap({ routes, clusters }));
  try {
    assert.equal((await request(p.port, '/legacy_h2')).body, 'ok /legacy_h2');
    assert.equal((await request(p.port, '/follow')).body, 'h1 /follow');
    assert.equal((await request(p.port, '/legacy_follow')).body, 'h1 /legacy_follow');
    assert.equal(p.counter('cluster.legacy_h2.upstream_cx_http2_total'), 1);
    assert.equal(p.counter('cluster.follow.upstream_cx_http1_total'), 1);
    assert.equal(p.counter('cluster.follow.upstream_cx_http2_total'), 0);
    assert.equal(p.counter('cluster.legacy_follow.upstream_cx_http1_total'), 1);
  } finally {
    await p.close();
    await h2.close();
    await h1.close();
  }
});

test('auto_config (ALPN) on a plaintext cluster is refused as Envoy refuses it', T, async () => {
  const yaml = bootstrap({
    routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
    clusters: cluster('web', [1], `typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    auto_config: {}`),
  });
  const loaded = loadConfig(yaml, 'test.yaml');
  const r = await startServer(loaded.config!, {});
  assert.equal(r.server, undefined);
  const d = r.diagnostics.find((x) => x.severity === 'error' && x.message.includes('auto_config'));
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /^ALPN configured for cluster web which has a non-ALPN transport socket/);
});

test('nghttpd (h2c): 20 concurrent requests share one connection; uploads are echoed', { ...T, skip: !haveNghttpd && 'nghttpd not installed' }, async () => {
  const ng = await startNghttpd();
  const p = await h2Proxy(ng.port);
  try {
    const res = await Promise.all(Array.from({ length: 20 }, () => request(p.port, '/index.txt')));
    assert.deepEqual(res.map((r) => r.status), Array(20).fill(200));
    assert.ok(res.every((r) => r.body === 'hello h2'));
    assert.equal(p.counter('cluster.web.upstream_cx_http2_total'), 1);
    const post = await request(p.port, '/index.txt', { method: 'POST', body: 'echo me' });
    assert.equal(post.status, 200);
    assert.equal(post.body, 'echo me');
    assert.equal((await request(p.port, '/missing')).status, 404);
  } finally {
    await p.close();
    await ng.close();
  }
});

test('nghttpd with max_concurrent_streams 1: concurrent requests all succeed, spread over connections', { ...T, skip: !haveNghttpd && 'nghttpd not installed' }, async () => {
  const ng = await startNghttpd(['-m', '1']);
  const p = await h2Proxy(ng.port);
  try {
    const res = await Promise.all(Array.from({ length: 6 }, () => request(p.port, '/index.txt')));
    assert.deepEqual(res.map((r) => r.status), Array(6).fill(200));
    const cx = p.counter('cluster.web.upstream_cx_http2_total');
    assert.ok(cx >= 1 && cx <= 6, `connections ${cx}`);
    assert.equal(p.counter('cluster.web.upstream_rq_total'), 6);
  } finally {
    await p.close();
    await ng.close();
  }
});
