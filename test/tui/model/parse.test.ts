// The admin response parsers against Envoy's documented shapes: /stats?format=json (counters,
// gauges, text readouts, histograms with null quantiles), /clusters?format=json (health flags,
// string uint64s), /listeners?format=json, /server_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminShapeError } from '../../../src/tui/model/admin_shapes.js';
import { clusterStatName, hostHealth, parseClustersJson } from '../../../src/tui/model/clusters.js';
import { addressKeys, parseListenersJson } from '../../../src/tui/model/listeners.js';
import { parseServerInfo, shortUptime, shortVersion } from '../../../src/tui/model/server_info.js';
import { parseStatsJson } from '../../../src/tui/model/stats_sample.js';
import { fixtureJson } from '../canned_admin.js';

test('/stats?format=json: numbers by name, text readouts skipped, computed quantiles with nulls', () => {
  const s = parseStatsJson({
    stats: [
      { name: 'control_plane.identifier', value: '' },
      { name: 'cluster.web.upstream_rq_total', value: 42 },
      { name: 'cluster.web.upstream_rq_active', value: 3 },
      {
        histograms: {
          supported_quantiles: [0, 50, 99, 100],
          computed_quantiles: [
            { name: 'cluster.web.upstream_rq_time', values: [{ interval: 1, cumulative: 0.5 }, { interval: null, cumulative: 12 }, { interval: 30, cumulative: 31 }, { interval: null, cumulative: null }] },
          ],
        },
      },
    ],
  });
  assert.deepEqual([...s.values], [['cluster.web.upstream_rq_total', 42], ['cluster.web.upstream_rq_active', 3]]);
  assert.deepEqual(s.histograms.get('cluster.web.upstream_rq_time'), {
    supported: [0, 50, 99, 100],
    interval: [1, null, 30, null],
    cumulative: [0.5, 12, 31, null],
  });
});

test('/stats?format=json: the canned Envoy 1.32 answer parses: every counter, every histogram', () => {
  const s = parseStatsJson(fixtureJson('envoy_stats_1.json'));
  assert.equal(s.values.get('http.ingress_http.downstream_rq_total'), 120422);
  assert.equal(s.values.get('cluster.inventory.svc.cluster.local.membership_total'), 2);
  assert.equal(s.histograms.size, 18);
  assert.deepEqual(s.histograms.get('cluster.web.upstream_rq_time')?.supported, [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100]);
});

test('/stats in a histogram_buckets form carries no quantiles: counters still parse, histograms skipped', () => {
  const s = parseStatsJson({ stats: [{ name: 'a', value: 1 }, { histograms: [{ name: 'h', buckets: [{ upper_bound: 1, interval: 0, cumulative: 1 }] }] }] });
  assert.equal(s.values.get('a'), 1);
  assert.equal(s.histograms.size, 0);
});

test('a body that is not {"stats": [...]} is an AdminShapeError naming the endpoint', () => {
  for (const bad of [null, [], {}, { stats: {} }, 'LIVE']) {
    assert.throws(() => parseStatsJson(bad), (e: unknown) => e instanceof AdminShapeError && /\/stats\?format=json/.test(e.message));
  }
});

test('host health as the load balancer sees it', () => {
  assert.equal(hostHealth({ eds_health_status: 'HEALTHY' }), 'healthy');
  assert.equal(hostHealth(undefined), 'healthy');
  assert.equal(hostHealth({ failed_active_health_check: true, eds_health_status: 'HEALTHY' }), 'unhealthy');
  assert.equal(hostHealth({ failed_outlier_check: true }), 'unhealthy');
  assert.equal(hostHealth({ pending_active_hc: true }), 'unhealthy');
  assert.equal(hostHealth({ eds_health_status: 'UNHEALTHY' }), 'unhealthy');
  assert.equal(hostHealth({ eds_health_status: 'DRAINING' }), 'unhealthy');
  assert.equal(hostHealth({ eds_health_status: 'DEGRADED' }), 'degraded');
  assert.equal(hostHealth({ failed_active_degraded_check: true }), 'degraded');
  assert.equal(hostHealth({ pending_dynamic_removal: true, eds_health_status: 'HEALTHY' }), 'healthy');
});

test('/clusters?format=json: the canned Envoy answer, hosts classified, stat names from observability_name', () => {
  const cs = parseClustersJson(fixtureJson('envoy_clusters.json'));
  assert.deepEqual(
    cs.map((c) => [c.name, c.statName, c.hostsHealthy, c.hostsDegraded, c.hostsTotal]),
    [
      ['auth', 'auth', 0, 0, 1],
      ['inventory.svc.cluster.local', 'inventory.svc.cluster.local', 2, 0, 2],
      ['payments', 'payments', 2, 0, 2],
      ['web', 'web', 2, 0, 3],
    ],
  );
  const [renamed] = parseClustersJson({ cluster_statuses: [{ name: 'outbound|80||a', observability_name: 'outbound_80::a' }] });
  assert.equal(renamed!.statName, 'outbound_80__a');
  assert.equal(clusterStatName('a:b'), 'a_b');
  assert.deepEqual(parseClustersJson({}), []);
  assert.throws(() => parseClustersJson({ cluster_statuses: 3 }), AdminShapeError);
});

test('/listeners?format=json: names, addresses and the stat keys Envoy derives from them', () => {
  assert.deepEqual(parseListenersJson(fixtureJson('envoy_listeners.json')), [{ name: 'listener_0', address: '0.0.0.0:10000', statKeys: ['0.0.0.0_10000'] }]);
  assert.deepEqual(addressKeys({ socket_address: { address: '::', port_value: 443 } }), { address: '[::]:443', statKeys: ['[__]_443', '___443'] });
  assert.deepEqual(addressKeys({ pipe: { path: '/tmp/x.sock' } }), { address: '/tmp/x.sock', statKeys: ['/tmp/x.sock'] });
});

test('/server_info: version, state and uptime, shortened for the title', () => {
  const s = parseServerInfo(fixtureJson('envoy_server_info.json'))!;
  assert.equal(s.state, 'LIVE');
  assert.equal(shortVersion(s.version), '1.32.1');
  assert.equal(shortVersion('0.1.0'), '0.1.0');
  assert.equal(shortUptime(s.uptime), '1h2m');
  assert.equal(shortUptime('42s'), '42s');
  assert.equal(shortUptime('90061s'), '1d1h');
  assert.equal(parseServerInfo('LIVE'), undefined);
});
