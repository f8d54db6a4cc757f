import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';

const BOOT = 'fixtures/explain/bootstrap.yaml';
const ROUTES = 'fixtures/explain/routes.yaml';
const DUMP = 'fixtures/explain/config_dump.json';

test('bare route config: full text output, exit 0', () => {
  const r = runCli(['match', '-c', ROUTES, '--host', 'www.example.com', '--path', '/users/42', '-H', 'x-tenant: acme', '-H', 'x-debug: 1']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'request       GET http://www.example.com/users/42',
      'route config  local_routes fixtures/explain/routes.yaml:2:1',
      'virtual host  www fixtures/explain/routes.yaml:4:3',
      'route         users fixtures/explain/routes.yaml:10:5',
      'action        route',
      'cluster       users',
      'path          /users/42',
      'host          www.example.com -> users.internal',
      'timeout       15s',
      'retry policy  none',
      'mirror        none',
      'hash policy   none',
      'headers       - x-debug',
      '              + x-tenant-id: acme',
      '              + x-envoy-original-host: www.example.com',
      'outcome       forwarded to cluster "users" (a bare RouteConfiguration: cluster existence not checked)',
      'stats         cluster.users.upstream_rq_total',
      'note          a bare RouteConfiguration has no HTTP connection manager: stats show <stat_prefix>',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(r.stdout, /\u001b\[/);
});

test('bootstrap: listener, filter chain, weighted pick, rewrites, policies, filters', () => {
  const r = runCli(['match', '-c', BOOT, '--listener', 'ingress', '--host', 'api.example.com', '--path', '/api/users?x=1', '--random', '50']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('listener      ingress 0.0.0.0:10000 (named "ingress") fixtures/explain/bootstrap.yaml:5:5'), r.stdout);
  assert.ok(lines.includes('filter chain  "plain" (most specific match on server_names)'));
  assert.ok(lines.includes('http          stat_prefix ingress_http, route_config "ingress_routes" (inline)'));
  assert.ok(lines.includes('route         api fixtures/explain/bootstrap.yaml:65:17'));
  assert.ok(lines.includes('cluster       api_v2'));
  assert.ok(lines.includes('              weighted_clusters api_v1=30 api_v2=70* (total 100)'));
  assert.ok(lines.includes('              random value 50 % 100 = 50 picks #1 api_v2'));
  assert.ok(lines.includes('path          /api/users?x=1 -> /users?x=1'));
  assert.ok(lines.includes('timeout       5s'));
  assert.ok(lines.includes('retry policy  retry_on 5xx,connect-failure, num_retries 3, per_try_timeout 1s, back-off 25ms..250ms'));
  assert.ok(lines.includes('mirror        shadow (runtime_fraction 10/HUNDRED)'));
  assert.ok(lines.includes('hash policy   header x-user'));
  assert.ok(lines.includes('http filters  1. envoy.filters.http.ext_authz [the HTTP filter envoy.filters.http.ext_authz]: disabled on this route (typed_per_filter_config)'));
  assert.ok(lines.includes('              3. envoy.filters.http.router: runs'));
  assert.ok(lines.includes('outcome       forwarded to cluster "api_v2" (1 endpoint)'));
  // Config warnings go to stderr in file:line:col form.
  // ext_authz is Envoy's (known by the extension catalogue), not modelled: an info, never printed as a problem.
  assert.doesNotMatch(r.stderr, /ext_authz/);
});

test('--random follows router_check random_value: 29 picks the first of 30/70', () => {
  const r = runCli(['match', '-c', BOOT, '--host', 'api.example.com', '--path', '/api/x', '--random', '129', '--json']);
  assert.equal(r.status, 0);
  const j = JSON.parse(r.stdout);
  assert.equal(j.action.cluster.name, 'api_v1');
  assert.deepEqual(
    { ...j.action.cluster.weighted },
    {
      clusters: [
        { name: 'api_v1', weight: 30, cluster_header: null },
        { name: 'api_v2', weight: 70, cluster_header: null },
      ],
      total_weight: 100,
      value: 129,
      value_source: 'random',
      selector: 29,
      picked_index: 0,
    },
  );
});

test('--json: stable schema on a TLS chain chosen by SNI', () => {
  const r = runCli(['match', '-c', BOOT, '--host', 'api.example.com', '--path', '/x', '--scheme', 'https', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schema, 'tsproxy.match/v1');
  assert.deepEqual(j.config, { file: BOOT, kind: 'bootstrap' });
  assert.equal(j.listener.name, 'ingress');
  assert.deepEqual(
    { name: j.listener.filter_chain.name, index: j.listener.filter_chain.index, is_default: j.listener.filter_chain.is_default },
    { name: 'api-tls', index: 0, is_default: false },
  );
  assert.deepEqual(j.listener.filter_chain.steps, [
    { criterion: 'server_names', connection_value: '"api.example.com"', remaining: [0], dropped: [1] },
  ]);
  assert.equal(j.connection_manager.stat_prefix, 'ingress_tls');
  assert.equal(j.virtual_host.name, 'api_tls');
  assert.deepEqual(j.route, { name: null, index: 0, label: '#0', position: { file: BOOT, line: 32, col: 17 } });
  assert.equal(j.request.headers['x-forwarded-proto'], 'https');
  assert.deepEqual(j.outcome, {
    status: null,
    response_flag: '-',
    details: 'via_upstream',
    stats: ['cluster.api_v2.upstream_rq_total'],
    summary: 'forwarded to cluster "api_v2" (1 endpoint)',
  });
  assert.equal('steps' in j, false);
});

test('camelCase config dump: rds route config, unknown cluster is NC but still exit 0', () => {
  const r = runCli(['match', '-c', DUMP, '--host', 'ratings', '--path', '/r', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.config.kind, 'config_dump');
  assert.equal(j.connection_manager.route_config_source, 'rds');
  assert.equal(j.connection_manager.route_config_name, '8080');
  assert.equal(j.action.cluster.defined, false);
  assert.deepEqual([j.outcome.status, j.outcome.response_flag, j.outcome.details], [503, 'NC', 'cluster_not_found']);
  assert.deepEqual(j.outcome.stats, ['http.outbound_0.0.0.0_8080.no_cluster']);
  const ok = JSON.parse(runCli(['match', '-c', DUMP, '--host', 'reviews', '--path', '/', '--json']).stdout);
  assert.equal(ok.action.timeout_ms, 0);
  assert.deepEqual(ok.action.retry_policy.retry_on, 'connect-failure,refused-stream');
  assert.equal(ok.action.retry_policy.num_retries, 2);
  assert.equal(ok.action.cluster.endpoints, 1);
});

test('no route: exit 1, still prints why', () => {
  const r = runCli(['match', '-c', BOOT, '--host', 'nope.example.com', '--path', '/']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^virtual host  none$/m);
  assert.match(r.stdout, /^outcome       404 NR route_not_found — no virtual host matches the Host$/m);
  assert.match(r.stdout, /^stats         http\.ingress_http\.no_route$/m);
});

test('redirect and direct response', () => {
  const red = JSON.parse(runCli(['match', '-c', BOOT, '--host', 'api.example.com', '--path', '/old?a=1', '--json']).stdout);
  assert.deepEqual([red.action.kind, red.action.status, red.action.location], ['redirect', 302, 'http://api.example.com/new?a=1']);
  assert.deepEqual(red.outcome.stats, ['http.ingress_http.rq_direct_response']);
  const dr = runCli(['match', '-c', BOOT, '--host', 'api.example.com', '--path', '/healthz']);
  assert.equal(dr.status, 0);
  assert.match(dr.stdout, /^status        200$/m);
  assert.match(dr.stdout, /^body          "ok"$/m);
});

test('exit 2: config errors as file:line:col, missing file, bad flags, unknown listener', () => {
  const bad = runCli(['match', '-c', 'fixtures/explain/bad.yaml', '--host', 'x', '--path', '/']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^fixtures\/explain\/bad\.yaml:6:14: error unknown field "prefx".* \[schema\/unknown-field\]$/m);
  assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
  const missing = runCli(['match', '-c', 'fixtures/explain/none.yaml', '--host', 'x', '--path', '/']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read fixtures\/explain\/none\.yaml: no such file/);
  assert.equal(runCli(['match', '-c', ROUTES, '--host', 'x']).status, 2);
  assert.equal(runCli(['match', '-c', ROUTES, '--host', 'x', '--path', '/', '--random', 'abc']).status, 2);
  assert.equal(runCli(['match', '-c', ROUTES, '--host', 'x', '--path', '/', '-H', 'novalue']).status, 2);
  assert.equal(runCli(['match', '-c', ROUTES, '--host', 'x', '--path', '/', '--type', 'weird']).status, 2);
  const ln = runCli(['match', '-c', BOOT, '--host', 'x', '--path', '/', '--listener', 'zz']);
  assert.equal(ln.status, 2);
  assert.match(ln.stderr, /no listener named "zz" \(listeners: ingress, internal\)/);
  assert.equal(runCli(['match', '-c', BOOT, '--host', 'x', '--path', '/', '--listener', 'a', '--port', '1']).status, 2);
});

test('--port picks the listener', () => {
  const j = JSON.parse(runCli(['match', '-c', BOOT, '--port', '10001', '--host', 'anything', '--path', '/', '--json']).stdout);
  assert.equal(j.listener.name, 'internal');
  assert.equal(j.listener.reason, 'listens on port 10001');
  assert.equal(j.virtual_host.name, 'all');
});

test('without --listener/--port the Host port picks the listener', () => {
  const j = JSON.parse(runCli(['match', '-c', BOOT, '--host', 'anything:10001', '--path', '/', '--json']).stdout);
  assert.equal(j.listener.name, 'internal');
  assert.equal(j.listener.reason, 'listens on port 10001, the port the client connects to (from the Host and scheme)');
  // No listener on the Host's port: the first listener with an HTTP connection manager.
  const k = JSON.parse(runCli(['match', '-c', BOOT, '--host', 'api.example.com:9', '--path', '/', '--json']).stdout);
  assert.equal(k.listener.name, 'ingress');
});

test('cluster_header: the cluster comes from the header; missing header means an empty name (NC)', () => {
  const withHeader = runCli(['match', '-c', ROUTES, '--host', 'other', '--path', '/dyn', '-H', 'x-cluster: blue']);
  assert.equal(withHeader.status, 0);
  assert.match(withHeader.stdout, /^cluster       blue from header x-cluster$/m);
  const without = JSON.parse(runCli(['match', '-c', ROUTES, '--host', 'other', '--path', '/dyn', '--json']).stdout);
  assert.deepEqual([without.action.cluster.name, without.action.cluster.specifier, without.action.cluster.header], ['', 'cluster_header', 'x-cluster']);
  assert.match(without.outcome.summary, /cluster_header is missing: the cluster name is empty/);
  assert.deepEqual([without.outcome.status, without.outcome.response_flag, without.outcome.details], [503, 'NC', 'cluster_not_found']);
});
