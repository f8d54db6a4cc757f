// Every router local reply through real sockets: status, body, response flag and details in
// StreamInfo (what the access log prints), and the stat that moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, closedPort, request, startProxy, startUpstream, useFake } from './harness.js';

test('no route: 404 NR route_not_found, empty body, http.ingress.no_route', async () => {
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/only"}\n  direct_response: {status: 200}' }));
  try {
    const r = await request(p.port, '/missing');
    assert.equal(r.status, 404);
    assert.equal(r.body, '');
    assert.equal(r.headers['server'], 'envoy');
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['NR']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'route_not_found');
    assert.equal(p.counter('http.ingress.no_route'), 1);
    assert.equal(p.counter('http.ingress.downstream_rq_4xx'), 1);
  } finally {
    await p.close();
  }
});

test('direct response and redirect come from the core route decision', async () => {
  const p = await startProxy(
    bootstrap({
      routes: `- match: {prefix: "/direct"}
  direct_response: {status: 200, body: {inline_string: "hi there"}}
- match: {prefix: "/old"}
  redirect: {path_redirect: "/new", response_code: FOUND}`,
    }),
  );
  try {
    const d = await request(p.port, '/direct', { headers: { host: 'example.com' } });
    assert.equal(d.status, 200);
    assert.equal(d.body, 'hi there');
    assert.equal(d.headers['content-type'], 'text/plain');
    const r = await request(p.port, '/old?x=1', { headers: { host: 'example.com' } });
    assert.equal(r.status, 302);
    assert.equal(r.headers['location'], 'http://example.com/new?x=1');
    await p.waitStreams(2);
    assert.equal(p.infos[0]!.responseCodeDetails, 'direct_response');
    assert.deepEqual(p.infos[0]!.responseFlags, []);
    assert.equal(p.counter('http.ingress.rq_direct_response'), 2);
    // Current Envoy: a redirect is a direct-response entry; rq_redirect no longer moves.
    assert.equal(p.counter('http.ingress.rq_redirect'), 0);
  } finally {
    await p.close();
  }
});

test('unknown cluster: 503 NC cluster_not_found and no_cluster; cluster_not_found_response_code honoured', async () => {
  const p = await startProxy(
    bootstrap({
      routes: `- match: {prefix: "/a"}
  route: {cluster: nope}
- match: {prefix: "/b"}
  route: {cluster: nope, cluster_not_found_response_code: NOT_FOUND}`,
    }),
  );
  try {
    assert.equal((await request(p.port, '/a')).status, 503);
    assert.equal((await request(p.port, '/b')).status, 404);
    await p.waitStreams(2);
    assert.deepEqual(p.infos[0]!.responseFlags, ['NC']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'cluster_not_found');
    assert.equal(p.counter('http.ingress.no_cluster'), 2);
  } finally {
    await p.close();
  }
});

test('no healthy host: 503 UH "no healthy upstream"', async () => {
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: empty}', clusters: cluster('empty', []) }));
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'no healthy upstream');
    assert.equal(r.headers['content-type'], 'text/plain');
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UH']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'no_healthy_upstream');
    assert.equal(p.counter('cluster.empty.upstream_rq_503'), 1);
    if (!useFake) assert.equal(p.counter('cluster.empty.upstream_cx_none_healthy'), 1);
  } finally {
    await p.close();
  }
});

test('maintenance mode: 503 "maintenance mode", x-envoy-overloaded, UO (as Envoy router.cc does)', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
      clusters: cluster('web', [up.port]),
      runtime: 'upstream.maintenance_mode.web: 100',
    }),
  );
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'maintenance mode');
    assert.equal(r.headers['x-envoy-overloaded'], 'true');
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UO']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'maintenance_mode');
    assert.equal(p.counter('cluster.web.upstream_rq_maintenance_mode'), 1);
    assert.equal(up.received.length, 0);
  } finally {
    await p.close();
    await up.close();
  }
});

test('connect refused: 503 UF with Envoy body and details', async () => {
  const port = await closedPort();
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: dead}', clusters: cluster('dead', [port]) }));
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. reset reason: remote connection failure/);
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UF']);
    assert.match(p.infos[0]!.responseCodeDetails!, /^upstream_reset_before_response_started\{remote_connection_failure/);
    assert.equal(p.counter('cluster.dead.upstream_rq_503'), 1);
    assert.equal(p.counter('http.ingress.downstream_rq_5xx'), 1);
  } finally {
    await p.close();
  }
});

test('route timeout: 504 UT "upstream request timeout"; alt-response header turns it into 204', async () => {
  const up = await startUpstream('slow', () => {
    /* never answers */
  });
  const p = await startProxy(
    // A trusted (internal) caller: only its x-envoy-* control headers are honoured.
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: slow, timeout: 0.15s}', clusters: cluster('slow', [up.port]), hcmExtra: 'use_remote_address: true\ninternal_address_config: {}' }),
  );
  try {
    const t0 = Date.now();
    const r = await request(p.port, '/');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(Date.now() - t0 >= 140);
    const alt = await request(p.port, '/', { headers: { 'x-envoy-upstream-rq-timeout-alt-response': '1' } });
    assert.equal(alt.status, 204);
    await p.waitStreams(2);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UT']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'response_timeout');
    assert.equal(p.counter('cluster.slow.upstream_rq_timeout'), 2);
    assert.equal(p.counter('cluster.slow.upstream_rq_504'), 1);
    assert.equal(p.counter('cluster.slow.upstream_rq_204'), 1);
    assert.equal(up.received[0]!.headers['x-envoy-expected-rq-timeout-ms'], '150');
  } finally {
    await p.close();
    await up.close();
  }
});

test('x-envoy-upstream-rq-timeout-ms from a trusted caller overrides the route timeout', async () => {
  const up = await startUpstream('slow', () => {});
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: slow}', clusters: cluster('slow', [up.port]), hcmExtra: 'use_remote_address: true\ninternal_address_config: {}' }));
  try {
    const r = await request(p.port, '/', { headers: { 'x-envoy-upstream-rq-timeout-ms': '80' } });
    assert.equal(r.status, 504);
    assert.equal(up.received[0]!.headers['x-envoy-expected-rq-timeout-ms'], '80');
    assert.equal(up.received[0]!.headers['x-envoy-upstream-rq-timeout-ms'], undefined);
  } finally {
    await p.close();
    await up.close();
  }
});

test('per_try_timeout: 504 UT upstream_per_try_timeout', async () => {
  const up = await startUpstream('slow', () => {});
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: slow, timeout: 5s, retry_policy: {per_try_timeout: 0.1s}}',
      clusters: cluster('slow', [up.port]),
    }),
  );
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 504);
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UT']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'upstream_per_try_timeout');
    assert.equal(p.counter('cluster.slow.upstream_rq_per_try_timeout'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});
