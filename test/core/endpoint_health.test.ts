/**
 * Endpoint health as Envoy's load balancer sees it: counts by health_status, 503 UH only when no
 * host can be picked (no endpoint; none healthy with panic disabled; fail_traffic_on_panic), panic
 * mode otherwise. The health mapping is the one serve's hosts use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../src/config/types.js';
import { endpointHealth, hostHealthOf } from '../../src/core/endpoint_health.js';
import { healthFromStatus } from '../../src/runtime/upstream/host.js';

function cluster(statuses: (string | undefined)[], extra: Partial<Cluster> = {}): Cluster {
  return {
    name: 'c',
    load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: statuses.map((s) => ({ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } }, ...(s ? { health_status: s } : {}) })) }] },
    ...extra,
  } as Cluster;
}

test('the health mapping is the runtime hosts\' own', () => {
  for (const s of [undefined, 'UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED']) assert.equal(hostHealthOf(s), healthFromStatus(s), String(s));
});

test('503 UH only when no host can be picked; panic mode otherwise', () => {
  assert.deepEqual([endpointHealth(cluster([])).noHealthyUpstream, endpointHealth(cluster([])).text], [true, '0 endpoints']);
  const half = endpointHealth(cluster(['HEALTHY', 'UNHEALTHY']));
  assert.deepEqual([half.noHealthyUpstream, half.panic, half.text], [false, false, '2 endpoints: 1 HEALTHY, 1 UNHEALTHY']);
  const down = endpointHealth(cluster(['UNHEALTHY', 'DRAINING', undefined, 'TIMEOUT']));
  assert.deepEqual([down.noHealthyUpstream, down.panic, down.text], [false, true, '4 endpoints: 1 UNHEALTHY, 1 DRAINING, 1 UNKNOWN, 1 TIMEOUT']);
  const allDown = endpointHealth(cluster(['UNHEALTHY', 'DRAINING']));
  assert.deepEqual([allDown.noHealthyUpstream, allDown.panic], [false, true]);
  const noPanic = endpointHealth(cluster(['UNHEALTHY', 'DRAINING'], { common_lb_config: { healthy_panic_threshold: 0 } }));
  assert.deepEqual([noPanic.noHealthyUpstream, noPanic.panicThresholdPercent], [true, 0]);
  const failOnPanic = endpointHealth(cluster(['UNHEALTHY', 'HEALTHY', 'UNHEALTHY'], { common_lb_config: { zone_aware_lb_config: { fail_traffic_on_panic: true } } }));
  assert.deepEqual([failOnPanic.panic, failOnPanic.noHealthyUpstream], [true, true]);
  assert.equal(endpointHealth(cluster(['DEGRADED'])).noHealthyUpstream, false);
});
