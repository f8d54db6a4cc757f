// stats_config through the admin API: stats_matcher (exclusion, inclusion, reject_all),
// stats_tags (custom regex and fixed value), use_all_default_tags: false, histogram bucket
// settings; and /ready while the server is still initializing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import { startServer } from '../../../src/runtime/server.js';
import type { ClusterManager } from '../../../src/runtime/upstream/types.js';
import { createClusterManager } from '../../../src/runtime/upstream/cluster_manager.js';
import { adminBootstrap, httpCall, startAdminProxy } from './admin_harness.js';

test('stats_matcher exclusion_list: excluded stats do not exist (and the data plane still works)', async () => {
  const p = await startAdminProxy({ bootstrapExtra: 'stats_config:\n  stats_matcher:\n    exclusion_list: {patterns: [{prefix: "cluster.web.upstream_rq_2"}, {safe_regex: {regex: ".*_cx_length_ms"}}]}' });
  try {
    assert.equal((await p.traffic('/')).status, 200);
    const s = (await p.admin('/stats?filter=cluster%5C.web%5C.upstream_(rq_2|rq_total|cx_length)')).body;
    assert.equal(s, 'cluster.web.upstream_rq_total: 1\n');
    assert.doesNotMatch((await p.admin('/stats/prometheus')).body, /cx_length_ms/);
  } finally {
    await p.close();
  }
});

test('stats_matcher inclusion_list keeps only matching stats; reject_all keeps none', async () => {
  const p = await startAdminProxy({ bootstrapExtra: 'stats_config:\n  stats_matcher:\n    inclusion_list: {patterns: [{suffix: "upstream_rq_total"}]}' });
  try {
    await p.traffic('/');
    assert.equal((await p.admin('/stats')).body, 'cluster.web.upstream_rq_total: 1\n');
  } finally {
    await p.close();
  }
  const none = await startAdminProxy({ bootstrapExtra: 'stats_config:\n  stats_matcher: {reject_all: true}' });
  try {
    assert.equal((await none.traffic('/')).status, 200);
    assert.equal((await none.admin('/stats')).body, '');
    assert.equal((await none.admin('/stats/prometheus')).body, '');
  } finally {
    await none.close();
  }
});

test('stats_tags and use_all_default_tags: false shape the Prometheus labels', async () => {
  const p = await startAdminProxy({
    bootstrapExtra: `stats_config:
  use_all_default_tags: false
  stats_tags:
  - tag_name: envoy.cluster_name
  - tag_name: region
    fixed_value: eu-1
  - tag_name: code
    regex: "_rq(_(\\\\d{3}))$"`,
  });
  try {
    await p.traffic('/');
    const t = (await p.admin('/stats/prometheus?filter=upstream_rq_200|downstream_rq_2xx')).body;
    assert.match(t, /^envoy_cluster_upstream_rq\{region="eu-1",code="200",envoy_cluster_name="web"\} 1$/m);
    assert.match(t, /^envoy_http_ingress_downstream_rq_2xx\{region="eu-1"\} 1$/m, 'no default http prefix / response class tags');
  } finally {
    await p.close();
  }
});

test('an invalid stats_tags entry refuses the start with a diagnostic', async () => {
  const loaded = loadConfig(adminBootstrap(1, { bootstrapExtra: 'stats_config:\n  stats_tags: [{tag_name: my.tag}]' }), 'bad.yaml');
  const r = await startServer(loaded.config!);
  assert.equal(r.server, undefined);
  const d = r.diagnostics.find((x) => x.rule === 'serve/stats-config');
  assert.match(d?.message ?? '', /No regex specified for tag specifier and no default regex for name: 'my\.tag'/);
});

test('/ready is 503 INITIALIZING while clusters initialize, then 200 LIVE', async () => {
  const loaded = loadConfig(adminBootstrap(1), 'init.yaml');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let adminPort = 0;
  const starting = startServer(loaded.config!, {
    logger: {
      log: (_l, m) => {
        const match = /admin address: [\d.]+:(\d+)/.exec(m);
        if (match) adminPort = Number(match[1]);
      },
    },
    createClusterManager: async (clusters, store): Promise<ClusterManager> => {
      await gate;
      return createClusterManager(clusters, store, { random: Math.random });
    },
  });
  for (let i = 0; i < 100 && adminPort === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(adminPort > 0);
  const during = await httpCall(adminPort, '/ready');
  assert.deepEqual([during.status, during.body], [503, 'INITIALIZING\n']);
  release();
  const r = await starting;
  try {
    assert.equal((await httpCall(adminPort, '/ready')).status, 200);
  } finally {
    await r.server!.stop(0);
  }
});
