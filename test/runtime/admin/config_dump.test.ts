// GET /config_dump: Envoy's ConfigDump shape (sections in config-tracker order, Anys with
// last_updated), ?resource=, ?mask=, ?name_regex=, ?include_eds; and the round trip: the dump of
// a running tsproxy, read back by `tsproxy match -c`, routes every request as the original file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/run_cli.js';
import { adminBootstrap, startAdminProxy, type AdminProxy } from './admin_harness.js';

const ROUTES = `- name: v2
  match: {safe_regex: {regex: "/api/v2/.*"}, headers: [{name: x-tenant, string_match: {exact: acme}}]}
  route:
    weighted_clusters: {clusters: [{name: web, weight: 30}, {name: web, weight: 70}]}
    timeout: 2.5s
    retry_policy: {retry_on: "5xx,connect-failure", num_retries: 2, per_try_timeout: 0.250s}
- match: {prefix: "/old"}
  redirect: {path_redirect: "/new", response_code: FOUND}
- match: {path: "/healthz"}
  direct_response: {status: 200, body: {inline_string: ok}}
- match: {prefix: "/canary", runtime_fraction: {default_value: {numerator: 25, denominator: HUNDRED}, runtime_key: routing.canary}}
  route: {cluster: web, prefix_rewrite: "/"}`;

const SPEC = { routes: ROUTES, bootstrapExtra: 'node: {id: node-1, cluster: edge}' };
let p: AdminProxy;
before(async () => {
  p = await startAdminProxy(SPEC);
});
after(() => p.close());

type Dump = { configs: Array<Record<string, any>> };

/** The same answer from two files differs only in file:line:col. */
function withoutPositions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutPositions);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'position').map(([k, x]) => [k, withoutPositions(x)]));
  return v;
}

test('sections in Envoy order, resources packed as Anys with last_updated', async () => {
  const r = await p.admin('/config_dump');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  const d = JSON.parse(r.body) as Dump;
  assert.deepEqual(d.configs.map((c) => c['@type']), [
    'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
    'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
    'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
    'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  ]);
  const [boot, clusters, listeners, routes] = d.configs as [any, any, any, any];
  assert.deepEqual(boot.bootstrap.node, { id: 'node-1', cluster: 'edge' });
  assert.equal(boot.bootstrap.stats_flush_on_admin, true);
  const c = clusters.static_clusters[0];
  assert.equal(c.cluster['@type'], 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
  assert.equal(c.cluster.connect_timeout, '1s', 'Durations as proto3 JSON strings');
  assert.match(c.last_updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(listeners.static_listeners[0].listener.name, 'ingress');
  const hcm = listeners.static_listeners[0].listener.filter_chains[0].filters[0].typed_config;
  assert.equal(hcm['@type'], 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  const rc = routes.static_route_configs[0].route_config;
  assert.equal(rc['@type'], 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration');
  assert.equal(rc.name, 'local_routes');
  const v2 = rc.virtual_hosts[0].routes[0].route;
  assert.equal(v2.timeout, '2.500s');
  assert.equal(v2.retry_policy.per_try_timeout, '0.250s');
});

test('?resource= lists the elements of a repeated field, each an Any of its own type', async () => {
  const d = JSON.parse((await p.admin('/config_dump?resource=static_clusters')).body) as Dump;
  assert.equal(d.configs.length, 1);
  assert.equal(d.configs[0]!['@type'], 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster');
  assert.equal(d.configs[0]!['cluster'].name, 'web');
  const notRepeated = await p.admin('/config_dump?resource=bootstrap');
  assert.deepEqual([notRepeated.status, notRepeated.body], [400, 'bootstrap is not a repeated field. Use ?mask=bootstrap to get only this field']);
  const missing = await p.admin('/config_dump?resource=dynamic_nothing');
  assert.deepEqual([missing.status, missing.body], [404, 'dynamic_nothing not found in config dump']);
});

test('?mask= trims every section (sections the mask does not fit are left out), or inside the resource Any', async () => {
  const d = JSON.parse((await p.admin('/config_dump?mask=static_clusters')).body) as Dump;
  assert.deepEqual(d.configs.map((c) => c['@type']), ['type.googleapis.com/envoy.admin.v3.ClustersConfigDump']);
  assert.deepEqual(Object.keys(d.configs[0]!), ['@type', 'static_clusters']);
  const m = JSON.parse((await p.admin('/config_dump?resource=static_clusters&mask=cluster.name,cluster.connect_timeout')).body) as Dump;
  assert.deepEqual(m.configs, [
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster',
      cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'web', connect_timeout: '1s' },
    },
  ]);
  assert.equal((await p.admin('/config_dump?mask=no_such_field')).status, 400);
  assert.equal((await p.admin('/config_dump?resource=static_clusters&mask=cluster.bogus')).status, 400);
});

test('?name_regex= keeps resources whose name fully matches (RE2); include_eds adds live endpoints', async () => {
  const none = JSON.parse((await p.admin('/config_dump?resource=static_listeners&name_regex=ingr')).body) as Dump;
  assert.equal(none.configs.length, 0, 'a full match, not a search');
  const one = JSON.parse((await p.admin('/config_dump?resource=static_listeners&name_regex=ingr.*')).body) as Dump;
  assert.equal(one.configs.length, 1);
  assert.equal((await p.admin('/config_dump?name_regex=(')).status, 400);
  const eds = JSON.parse((await p.admin('/config_dump?include_eds')).body) as Dump;
  const ep = eds.configs.find((c) => c['@type'] === 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump')!;
  const cla = ep['static_endpoint_configs'][0].endpoint_config;
  assert.equal(cla['@type'], 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment');
  assert.equal(cla.cluster_name, 'web');
  assert.deepEqual(cla.endpoints[0].lb_endpoints[0].endpoint.address, { socket_address: { address: '127.0.0.1', port_value: p.upstream.port } });
});

test('round trip: `tsproxy match -c <dump>` routes as `tsproxy match -c <bootstrap>`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-dump-'));
  const dumpFile = join(dir, 'dump.json');
  const bootFile = join(dir, 'bootstrap.yaml');
  writeFileSync(dumpFile, (await p.admin('/config_dump')).body);
  writeFileSync(bootFile, adminBootstrap(p.upstream.port, SPEC));
  const cases: string[][] = [
    ['--host', 'a', '--path', '/api/v2/users', '-H', 'x-tenant: acme', '--random', '50'],
    ['--host', 'a', '--path', '/api/v2/users', '--random', '50'],
    ['--host', 'a', '--path', '/old?q=1'],
    ['--host', 'a', '--path', '/healthz'],
    ['--host', 'a', '--path', '/canary/x', '--random', '10'],
    ['--host', 'a', '--path', '/canary/x', '--random', '60'],
  ];
  for (const args of cases) {
    const fromDump = runCli(['match', '-c', dumpFile, ...args, '--json']);
    const fromBoot = runCli(['match', '-c', bootFile, ...args, '--json']);
    assert.equal(fromDump.status, fromBoot.status, `${args.join(' ')}\n${fromDump.stderr}`);
    const a = JSON.parse(fromDump.stdout) as Record<string, unknown>;
    const b = JSON.parse(fromBoot.stdout) as Record<string, unknown>;
    assert.equal((a['config'] as { kind: string }).kind, 'config_dump');
    for (const k of ['route', 'action', 'outcome', 'virtual_host']) assert.deepEqual(withoutPositions(a[k]), withoutPositions(b[k]), `${k} for ${args.join(' ')}`);
  }
  // And the dump lints clean (no config errors).
  const lint = runCli(['lint', dumpFile, '--format', 'json']);
  const report = JSON.parse(lint.stdout) as { diagnostics?: Array<{ severity: string }> };
  assert.deepEqual((report.diagnostics ?? []).filter((x) => x.severity === 'error'), [], lint.stdout);
});
