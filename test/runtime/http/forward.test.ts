// Forwarding through the router: request/response header handling, core rewrites and weighted
// picks with an injected random source, resets and disconnects in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { bootstrap, cluster, rawRequest, request, sleep, startProxy, startUpstream } from './harness.js';
import { localInfoAddress } from '../../../src/runtime/local_info.js';

test('forward: hop-by-hop removed, XFP and x-request-id added, service time and server on the response, stats', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: web}', clusters: cluster('web', [up.port]) }), {
    random: { random: () => 7, uuid: () => 'fixed-uuid' },
  });
  try {
    const r = await request(p.port, '/path?q=1', { headers: { host: 'svc.local', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', te: 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['server'], 'envoy');
    assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/);
    const got = up.received[0]!;
    assert.equal(got.url, '/path?q=1');
    assert.equal(got.headers['host'], 'svc.local');
    assert.equal(got.headers['x-forwarded-proto'], 'http');
    assert.equal(got.headers['x-request-id'], 'fixed-uuid');
    assert.equal(got.headers['x-envoy-expected-rq-timeout-ms'], '15000');
    assert.equal(got.headers['keep-alive'], undefined);
    assert.equal(got.headers['proxy-connection'], undefined);
    assert.equal(got.headers['te'], undefined);
    await p.waitStreams(1);
    const info = p.infos[0]!;
    assert.equal(info.responseCode, 200);
    assert.equal(info.responseCodeDetails, 'via_upstream');
    assert.equal(info.upstreamCluster, 'web');
    assert.equal(info.upstreamHost?.port, up.port);
    assert.equal(p.counter('cluster.web.upstream_rq_200'), 1);
    assert.equal(p.counter('cluster.web.upstream_rq_2xx'), 1);
    assert.equal(p.counter('cluster.web.upstream_rq_completed'), 1);
    assert.equal(p.counter('http.ingress.downstream_rq_2xx'), 1);
    assert.equal(p.server.store.gaugeValue('http.ingress.downstream_rq_active'), 0);
    assert.equal(p.server.store.histograms.get('cluster.web.upstream_rq_time')?.count, 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('weighted clusters pick with the injected random value; prefix_rewrite and header mutations from the core', async () => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  let rnd = 0;
  const p = await startProxy(
    bootstrap({
      routes: `- match: {prefix: "/api/"}
  route:
    prefix_rewrite: "/v2/"
    weighted_clusters:
      clusters:
      - {name: a, weight: 30}
      - {name: b, weight: 70}
  request_headers_to_add:
  - header: {key: x-added, value: yes}
  response_headers_to_add:
  - header: {key: x-resp, value: r}`,
      clusters: cluster('a', [a.port]) + '\n' + cluster('b', [b.port]),
    }),
    { random: { random: () => rnd, uuid: () => 'u' } },
  );
  try {
    rnd = 115; // 115 % 100 = 15 < 30: a
    const r1 = await request(p.port, '/api/x');
    assert.equal(JSON.parse(r1.body).name, 'a');
    assert.equal(r1.headers['x-resp'], 'r');
    rnd = 50; // b
    const r2 = await request(p.port, '/api/y');
    assert.equal(JSON.parse(r2.body).name, 'b');
    assert.equal(b.received[0]!.url, '/v2/y');
    assert.equal(b.received[0]!.headers['x-envoy-original-path'], '/api/y');
    assert.equal(b.received[0]!.headers['x-added'], 'yes');
  } finally {
    await p.close();
    await a.close();
    await b.close();
  }
});

test('edge request (use_remote_address, external client per XFF): x-envoy-* control headers are stripped', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
      clusters: cluster('web', [up.port]),
      hcmExtra: 'use_remote_address: true\nxff_num_trusted_hops: 1',
    }),
  );
  try {
    const r = await request(p.port, '/', {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-envoy-upstream-rq-timeout-ms': '1', 'x-envoy-retry-on': '5xx', 'x-request-id': 'client-id' },
    });
    assert.equal(r.status, 200);
    const h = up.received[0]!.headers;
    // A loopback peer: Envoy appends its own address; the trusted client is one hop in.
    assert.equal(h['x-forwarded-for'], `203.0.113.9,${localInfoAddress()}`);
    assert.equal(h['x-envoy-retry-on'], undefined);
    assert.equal(h['x-envoy-external-address'], '203.0.113.9');
    assert.notEqual(h['x-request-id'], 'client-id');
    assert.equal(h['x-envoy-expected-rq-timeout-ms'], '15000');
  } finally {
    await p.close();
    await up.close();
  }
});

test('upstream closes before responding: 503 UC connection termination', async () => {
  const up = await startUpstream('bad', (req) => req.socket.destroy());
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: bad}', clusters: cluster('bad', [up.port]) }));
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. reset reason: connection termination/);
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UC']);
    assert.match(p.infos[0]!.responseCodeDetails!, /^upstream_reset_before_response_started\{connection_termination[},]/);
  } finally {
    await p.close();
    await up.close();
  }
});

test('upstream reset mid-response: downstream connection is reset, UC logged', async () => {
  const up = await startUpstream('half', (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: half}', clusters: cluster('half', [up.port]) }));
  try {
    const r = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK/);
    assert.ok(r.text.endsWith('partial'));
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['UC']);
    assert.equal(p.infos[0]!.responseCode, 200);
    assert.equal(p.counter('http.ingress.rq_reset_after_downstream_response_started'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('client disconnect mid-request: DC, the upstream request is aborted, no socket left behind', async () => {
  let upstreamClosed = false;
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: web}', clusters: cluster('web', [up.port]) }));
  try {
    const s = net.connect(p.port, '127.0.0.1');
    await new Promise<void>((r) => s.on('connect', () => r()));
    s.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nhalf-a-body');
    // Disconnect once the request is in flight upstream.
    for (let i = 0; i < 200 && up.started() === 0; i++) await sleep(10);
    assert.equal(up.started(), 1);
    s.destroy();
    await p.waitStreams(1);
    const info = p.infos[0]!;
    assert.deepEqual(info.responseFlags, ['DC']);
    assert.equal(info.responseCode, 0);
    assert.equal(info.bytesReceived, 11);
    for (let i = 0; i < 100 && up.openSockets() > 0; i++) await sleep(10);
    upstreamClosed = up.openSockets() === 0;
    assert.ok(upstreamClosed, 'upstream socket closed');
    assert.equal(up.received.length, 0);
    assert.equal(p.server.store.gaugeValue('http.ingress.downstream_rq_active'), 0);
    assert.equal(p.server.store.gaugeValue('http.ingress.downstream_cx_active'), 0);
  } finally {
    await p.close();
    await up.close();
  }
});

test('stream_idle_timeout: 408 SI "stream timeout" when the request body stalls', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: web}', clusters: cluster('web', [up.port]), hcmExtra: 'stream_idle_timeout: 0.1s' }),
  );
  try {
    const r = await rawRequest(p.port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', 2000);
    assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout/);
    assert.ok(r.text.endsWith('stream timeout'));
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['SI']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'stream_idle_timeout');
    assert.equal(p.counter('http.ingress.downstream_rq_idle_timeout'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('strip_any_host_port: the route table and the upstream see the host without its port', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: web}', clusters: cluster('web', [up.port]), hcmExtra: 'strip_any_host_port: true' }),
  );
  try {
    const r = await request(p.port, '/', { headers: { host: 'svc.example:8080' } });
    assert.equal(r.status, 200);
    assert.equal(up.received[0]!.headers['host'], 'svc.example');
  } finally {
    await p.close();
    await up.close();
  }
});
