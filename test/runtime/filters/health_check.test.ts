// The health check filter (envoy.filters.http.health_check) answering from the admin's
// /healthcheck/fail state: pass_through_mode false (answered here) and true (forwarded unless
// failing), cluster_min_healthy_percentages, response headers, flag LH, details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamInfo } from '../../../src/runtime/stream_info.js';
import { startAdminProxy } from '../admin/admin_harness.js';

const filter = (passThrough: boolean, extra = '') => `- name: envoy.filters.http.health_check
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck
    pass_through_mode: ${passThrough}
    headers: [{name: ":path", string_match: {exact: /healthz}}]${extra}`;

test('pass_through_mode false: 200 health_check_ok, 503 LH health_check_failed after /healthcheck/fail', async () => {
  const infos: StreamInfo[] = [];
  const p = await startAdminProxy({ filters: filter(false), bootstrapExtra: 'node: {id: n1, cluster: edge}', options: { onStreamComplete: (i) => infos.push(i) } });
  try {
    const ok = await p.traffic('/healthz');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-envoy-upstream-healthchecked-cluster'], 'edge');
    assert.equal(p.upstream.received.length, 0, 'answered by the filter');
    const other = await p.traffic('/app');
    assert.equal(other.status, 200);
    assert.equal(other.headers['x-envoy-immediate-health-check-fail'], undefined);

    await p.admin('/healthcheck/fail', 'POST');
    const failed = await p.traffic('/healthz');
    assert.equal(failed.status, 503);
    assert.equal(failed.headers['x-envoy-upstream-healthchecked-cluster'], 'edge');
    assert.equal((await p.traffic('/app')).headers['x-envoy-immediate-health-check-fail'], 'true');
    await p.admin('/healthcheck/ok', 'POST');
    assert.equal((await p.traffic('/healthz')).status, 200);
    const hc = infos.filter((i) => i.path === '/healthz');
    assert.deepEqual(hc.map((i) => [i.responseCodeDetails, i.responseFlags.join(','), i.healthCheck]), [
      ['health_check_ok', '', true],
      ['health_check_failed', 'LH', true],
      ['health_check_ok', '', true],
    ]);
  } finally {
    await p.close();
  }
});

test('pass_through_mode true: forwarded upstream, answered 503 here while failing', async () => {
  const p = await startAdminProxy({ filters: filter(true) });
  try {
    assert.equal((await p.traffic('/healthz')).status, 200);
    assert.equal(p.upstream.received.length, 1, 'forwarded');
    await p.admin('/healthcheck/fail', 'POST');
    assert.equal((await p.traffic('/healthz')).status, 503);
    assert.equal(p.upstream.received.length, 1, 'not forwarded while failing');
  } finally {
    await p.close();
  }
});

test('cluster_min_healthy_percentages: healthy cluster 200; missing cluster 503', async () => {
  const healthy = await startAdminProxy({ filters: filter(false, '\n    cluster_min_healthy_percentages: {web: {value: 100}}') });
  try {
    assert.equal((await healthy.traffic('/healthz')).status, 200);
  } finally {
    await healthy.close();
  }
  const missing = await startAdminProxy({ filters: filter(false, '\n    cluster_min_healthy_percentages: {nope: {value: 50}}') });
  try {
    assert.equal((await missing.traffic('/healthz')).status, 503);
  } finally {
    await missing.close();
  }
});
