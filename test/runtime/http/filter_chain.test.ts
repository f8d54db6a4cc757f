// HTTP filters in config order in front of the router, through serve: the fault filter's delay
// stops the chain (StopIteration) and resumes it with continueDecoding(); its abort is a local
// reply that never reaches the router.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, request, startProxy, startUpstream } from './harness.js';

const fault = (body: string): string => `- name: envoy.filters.http.fault
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
${body
  .split('\n')
  .map((l) => '    ' + l)
  .join('\n')}`;

test('fault delay: the chain stops, resumes after the delay, and the request reaches the upstream (DI)', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
      clusters: cluster('web', [up.port]),
      filters: fault('delay: {fixed_delay: 0.08s, percentage: {numerator: 100}}'),
    }),
  );
  try {
    const t0 = Date.now();
    const r = await request(p.port, '/slow', { method: 'POST', headers: { 'content-length': '4' }, body: 'data' });
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 75, 'delayed');
    assert.equal(up.received[0]!.body, 'data');
    await p.waitStreams(1);
    assert.ok(p.infos[0]!.responseFlags.includes('DI'));
  } finally {
    await p.close();
    await up.close();
  }
});

test('fault abort: local reply from the filter, the router never runs (FI)', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
      clusters: cluster('web', [up.port]),
      filters: fault('abort: {http_status: 418, percentage: {numerator: 100}}'),
    }),
  );
  try {
    const r = await request(p.port, '/');
    assert.equal(r.status, 418);
    await p.waitStreams(1);
    assert.ok(p.infos[0]!.responseFlags.includes('FI'));
    assert.equal(p.counter('http.ingress.rq_total'), 0);
    assert.equal(up.received.length, 0);
  } finally {
    await p.close();
    await up.close();
  }
});
