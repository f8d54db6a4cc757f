import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster, LoadedConfig } from '../../../src/config/types.js';
import type { ForwardDecision, RouteDecision } from '../../../src/core/route_types.js';
import { outcomeOf, staticEndpointCount } from '../../../src/analysis/explain/outcome.js';

const endpoint = { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1 } } } };
const clusters: Cluster[] = [
  { name: 'web', load_assignment: { cluster_name: 'web', endpoints: [{ lb_endpoints: [endpoint] }] } },
  { name: 'empty', load_assignment: { cluster_name: 'empty' } },
  { name: 'eds', type: 'EDS' },
  { name: 'maint', load_assignment: { cluster_name: 'maint', endpoints: [{ lb_endpoints: [endpoint] }] } },
];
const config: LoadedConfig = {
  kind: 'bootstrap',
  file: 'x.yaml',
  listeners: [],
  clusters,
  routeConfigurations: [],
  runtime: { 'upstream.maintenance_mode.maint': 50 },
};

// Only the fields outcomeOf reads.
function forward(cluster: string, code: 503 | 404 | 500 = 503): RouteDecision {
  return { kind: 'forward', cluster, resolution: { specifier: 'cluster' }, route: { clusterNotFoundResponseCode: code } } as unknown as ForwardDecision;
}

test('no route: 404 NR route_not_found, http.<prefix>.no_route', () => {
  const o = outcomeOf({ kind: 'no_route', virtualHost: undefined }, config, 'ingress', 0);
  assert.deepEqual([o.status, o.response_flag, o.details, o.stats], [404, 'NR', 'route_not_found', ['http.ingress.no_route']]);
});

test('unknown cluster: cluster_not_found_response_code NC; empty name from a missing header', () => {
  const o = outcomeOf(forward('nope', 404), config, 'ingress', 0);
  assert.deepEqual([o.status, o.response_flag, o.details, o.stats], [404, 'NC', 'cluster_not_found', ['http.ingress.no_cluster']]);
  assert.match(outcomeOf(forward(''), config, 'ingress', 0).summary, /cluster_header is missing/);
});

test('no endpoints: 503 UH no_healthy_upstream; EDS endpoints unknown offline', () => {
  const o = outcomeOf(forward('empty'), config, 'ingress', 0);
  assert.deepEqual([o.status, o.response_flag, o.details], [503, 'UH', 'no_healthy_upstream']);
  assert.deepEqual(o.stats, ['cluster.empty.upstream_cx_none_healthy']);
  assert.equal(staticEndpointCount(clusters[2]!), null);
  assert.equal(outcomeOf(forward('eds'), config, 'ingress', 0).details, 'via_upstream');
});

test('maintenance mode: 503 UO when random % 100 < percent', () => {
  const o = outcomeOf(forward('maint'), config, 'ingress', 49);
  assert.deepEqual([o.status, o.response_flag, o.details], [503, 'UO', 'maintenance_mode']);
  assert.deepEqual(o.stats, ['cluster.maint.upstream_rq_maintenance_mode']);
  assert.equal(outcomeOf(forward('maint'), config, 'ingress', 50).details, 'via_upstream');
});

test('bare route configuration: clusters are not checked', () => {
  const o = outcomeOf(forward('anything'), { ...config, kind: 'route_configuration' }, undefined, 0);
  assert.equal(o.details, 'via_upstream');
  assert.match(o.summary, /not checked/);
});

test('a cluster_specifier_plugin cluster is unknown offline', () => {
  const d = { kind: 'forward', cluster: '', resolution: { specifier: 'unsupported', field: 'cluster_specifier_plugin' } } as unknown as ForwardDecision;
  const o = outcomeOf(d, config, 'ingress', 0);
  assert.equal(o.details, 'cluster_unknown_offline');
  assert.match(o.summary, /cluster_specifier_plugin, which tsproxy does not implement/);
});
