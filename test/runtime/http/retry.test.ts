// Router retries: retry_on 5xx / reset, num_retries, URX when exhausted, x-envoy-retry-on from a
// trusted caller, retry stats (retried responses counted under cluster.<name>.retry.).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, request, startProxy, startUpstream } from './harness.js';

const fixedRandom = { random: () => 0, uuid: () => 'u' };

test('retry_on 5xx: a 503 then a 200 gives 200; upstream_rq_retry and retry.upstream_rq_503 move', async () => {
  let n = 0;
  const up = await startUpstream('flaky', (_req, res) => {
    n++;
    res.writeHead(n === 1 ? 503 : 200, { 'content-length': '2' });
    res.end('ok');
  });
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: flaky, retry_policy: {retry_on: 5xx, num_retries: 2}}', clusters: cluster('flaky', [up.port]) }),
    { random: fixedRandom },
  );
  try {
    const r = await request(p.port, '/', { method: 'POST', body: 'payload', headers: { 'content-length': '7' } });
    assert.equal(r.status, 200);
    assert.equal(up.received.length, 2);
    assert.equal(up.received[1]!.body, 'payload');
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.attemptCount, 2);
    assert.deepEqual(p.infos[0]!.responseFlags, []);
    assert.equal(p.counter('cluster.flaky.upstream_rq_retry'), 1);
    assert.equal(p.counter('cluster.flaky.upstream_rq_retry_success'), 1);
    assert.equal(p.counter('cluster.flaky.retry.upstream_rq_503'), 1);
    assert.equal(p.counter('cluster.flaky.upstream_rq_200'), 1);
    assert.equal(p.counter('cluster.flaky.upstream_rq_503'), 0);
  } finally {
    await p.close();
    await up.close();
  }
});

test('retries exhausted: the last response goes downstream with URX', async () => {
  const up = await startUpstream('down', (_req, res) => {
    res.writeHead(503, { 'content-length': '4' });
    res.end('nope');
  });
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: down, retry_policy: {retry_on: gateway-error, num_retries: 1}}', clusters: cluster('down', [up.port]) }),
    { random: fixedRandom },
  );
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'nope');
    assert.equal(up.received.length, 2);
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['URX']);
    assert.equal(p.counter('cluster.down.upstream_rq_retry_limit_exceeded'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('x-envoy-retry-on from a trusted caller enables retries on a reset', async () => {
  let n = 0;
  const up = await startUpstream('reset', (req, res) => {
    n++;
    if (n === 1) return req.socket.destroy();
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
  // A trusted (internal) caller: only its x-envoy-* control headers are honoured.
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: reset}', clusters: cluster('reset', [up.port]), hcmExtra: 'use_remote_address: true\ninternal_address_config: {}' }), {
    random: fixedRandom,
  });
  try {
    const r = await request(p.port, '/', { headers: { 'x-envoy-retry-on': 'reset', 'x-envoy-max-retries': '1' } });
    assert.equal(r.status, 200);
    assert.equal(n, 2);
    assert.equal(p.counter('cluster.reset.upstream_rq_retry'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('a request body over the 1 MiB buffer limit gives up retries (retry_or_shadow_abandoned) but still goes through', async () => {
  const up = await startUpstream('big', (_req, res, body) => {
    const out = String(body.length);
    res.writeHead(200, { 'content-length': String(out.length) });
    res.end(out);
  });
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: big, retry_policy: {retry_on: 5xx}}', clusters: cluster('big', [up.port]) }),
    { random: fixedRandom },
  );
  try {
    const body = 'x'.repeat(2 * 1024 * 1024);
    const r = await request(p.port, '/', { method: 'POST', body, headers: { 'content-length': String(body.length) } });
    assert.equal(r.status, 200);
    assert.equal(r.body, String(body.length));
    assert.equal(p.counter('cluster.big.retry_or_shadow_abandoned'), 1);
  } finally {
    await p.close();
    await up.close();
  }
});
