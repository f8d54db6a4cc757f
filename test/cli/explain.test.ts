import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';

const BOOT = 'fixtures/explain/bootstrap.yaml';
const NOSTAR = 'fixtures/explain/nostar.yaml';
const DUMP = 'fixtures/explain/config_dump.json';

const explain = (...args: string[]) => runCli(['explain', ...args]);

test('decision chain: every virtual host and every route tried, with file:line:col', () => {
  const r = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/healthz');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^   match api fixtures\/explain\/bootstrap\.yaml:56:24: domain "api\.example\.com" matches host "api\.example\.com" exactly$/m);
  assert.match(r.stdout, /^   miss  secure fixtures\/explain\/bootstrap\.yaml:108:24: no domain of \["secure\.example\.com"\] matches host "api\.example\.com"$/m);
  const routes = r.stdout.split('\n').filter((l) => /^   (match|miss ) /.test(l) && !/domain/.test(l));
  assert.deepEqual(routes, [
    '   miss  api_canary fixtures/explain/bootstrap.yaml:60:27: prefix "/api/v1/" does not match "/healthz"',
    '   miss  api fixtures/explain/bootstrap.yaml:66:34: prefix "/api/" does not match "/healthz"',
    '   miss  legacy fixtures/explain/bootstrap.yaml:91:32: path "/old" does not match "/healthz"',
    '   match health fixtures/explain/bootstrap.yaml:93:17: matched path "/healthz"',
  ]);
  assert.match(r.stdout, /^   status 200, response flag -, details direct_response$/m);
  assert.match(r.stdout, /^   stats: http\.ingress_http\.rq_direct_response$/m);
});

test('404 NR: Host with a port vs domains without, with the HCM fixes', () => {
  const r = explain('-c', BOOT, '--host', 'api.example.com:10000', '--path', '/api/users');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^   404 NR route_not_found — no virtual host matches the Host$/m);
  assert.match(r.stdout, /^   stats: http\.ingress_http\.no_route$/m);
  assert.match(
    r.stdout,
    /Host "api\.example\.com:10000" carries port 10000, and Envoy matches the port as part of the Host: virtual host "api" lists the host without a port\. Fix: strip_matching_host_port: true on the HTTP connection manager \(the port equals the listener port\), strip_any_host_port: true on the HTTP connection manager, ignore_port_in_host_matching: true on the route configuration, or add "api\.example\.com:10000" to the domains of virtual host "api"/,
  );
  assert.match(r.stdout, /no virtual host has the "\*" domain, so a request for an unknown host gets 404 NR/);
});

test('near misses: case-only difference, trailing slash, absent header', () => {
  const c = explain('-c', BOOT, '--host', 'docs.example.com', '--path', '/guide/intro');
  assert.equal(c.status, 1);
  assert.match(c.stdout, /route "guide": "\/guide\/intro" differs from prefix "\/Guide\/" only in case .*set case_sensitive: false/);
  const s = explain('-c', NOSTAR, '--host', 'shop.example.com', '--path', '/cart');
  assert.equal(s.status, 1);
  assert.match(s.stdout, /route #0: "\/cart" misses prefix "\/cart\/" only by the trailing slash fixtures\/explain\/nostar\.yaml:7:22/);
  assert.match(s.stdout, /^   stats: http\.<stat_prefix>\.no_route$/m);
  const h = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/api/v1/x', '--json');
  assert.equal(h.status, 0);
  const j = JSON.parse(h.stdout);
  assert.equal(j.route.name, 'api');
  assert.deepEqual(
    j.near_misses.map((n: { kind: string }) => n.kind),
    ['header_absent'],
  );
  assert.match(j.near_misses[0].message, /^route "api_canary": header "x-canary" is absent from the request/);
});

test('missing "*" virtual host is named', () => {
  const r = explain('-c', NOSTAR, '--host', 'other.example.com', '--path', '/', '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  assert.ok(j.near_misses.some((n: { kind: string }) => n.kind === 'no_wildcard_virtual_host'));
});

test('503 NC cluster_not_found, 503 UH no_healthy_upstream, 503 UO maintenance mode', () => {
  const nc = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/ghost');
  assert.equal(nc.status, 0);
  assert.match(nc.stdout, /^   status 503, response flag NC, details cluster_not_found$/m);
  assert.match(nc.stdout, /^   stats: http\.ingress_http\.no_cluster$/m);
  assert.match(nc.stdout, /^note: Envoy would refuse to load this config: validate_clusters defaults to true for an inline route_config, and cluster "ghost" is not defined/m);
  const uh = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/empty');
  assert.match(uh.stdout, /^   status 503, response flag UH, details no_healthy_upstream$/m);
  assert.match(uh.stdout, /^   stats: cluster\.empty\.upstream_cx_none_healthy$/m);
  const uo = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/maint');
  assert.match(uo.stdout, /^   status 503, response flag UO, details maintenance_mode$/m);
  assert.match(uo.stdout, /x-envoy-overloaded: true/);
});

test('require_tls redirects with 301; redirect keeps the query', () => {
  const t = explain('-c', BOOT, '--host', 'secure.example.com', '--path', '/a?b=1');
  assert.equal(t.status, 0);
  assert.match(t.stdout, /^   redirect 301 Location: https:\/\/secure\.example\.com\/a\?b=1$/m);
  assert.match(t.stdout, /require_tls ALL: .*redirecting to https \(301\)/);
  const r = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/old?a=1');
  assert.match(r.stdout, /^   redirect 302 Location: http:\/\/api\.example\.com\/new\?a=1$/m);
});

test('--json: explain schema adds steps and near_misses', () => {
  const r = explain('-c', DUMP, '--host', 'reviews:8080', '--path', '/r', '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schema, 'tsproxy.explain/v1');
  assert.equal(j.matched, false);
  assert.deepEqual(j.steps[0], {
    kind: 'virtual_host',
    name: 'reviews.default.svc.cluster.local:8080',
    index: 0,
    matched: false,
    reason: 'no domain of ["reviews.default.svc.cluster.local", "reviews"] matches host "reviews:8080"',
    predicate: 'domain',
    near_miss: j.steps[0].near_miss,
    position: { file: DUMP, line: 75, col: 28 },
  });
  assert.equal(j.near_misses[0].kind, 'host_port');
  assert.deepEqual(j.outcome.stats, ['http.outbound_0.0.0.0_8080.no_route']);
});

test('filter chain selection is explained; no chain and no default closes the connection', () => {
  const r = explain('-c', BOOT, '--host', 'api.example.com', '--path', '/', '--scheme', 'https');
  assert.match(r.stdout, /^   server_names \(connection: "api\.example\.com"\) drops chain #1$/m);
  assert.match(r.stdout, /^   filter chain "api-tls" \(#0\): most specific match on server_names$/m);
});

test('usage and config errors exit 2 without a stack trace', () => {
  const r = explain('-c', 'fixtures/explain/bad.yaml', '--host', 'x', '--path', '/');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /fixtures\/explain\/bad\.yaml:6:14: error /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(explain('-c', BOOT, '--path', 'no-slash', '--host', 'x').status, 2);
});

test('no filter chain and no default_filter_chain: connection closed, listener stat, exit 1', () => {
  const r = explain('-c', 'fixtures/explain/sni_only.yaml', '--host', 'b.example.com', '--path', '/', '--scheme', 'https', '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  assert.equal(j.listener.filter_chain, null);
  assert.equal(j.outcome.details, 'filter_chain_not_found');
  assert.deepEqual(j.outcome.stats, ['listener.0.0.0.0_8443.no_filter_chain_match']);
  assert.match(j.outcome.summary, /no filter chain matches server_names "b\.example\.com" and there is no default_filter_chain/);
  assert.equal(explain('-c', 'fixtures/explain/sni_only.yaml', '--host', 'a.example.com', '--path', '/', '--scheme', 'https').status, 0);
});

test('full text: trailing-slash near miss on a bare route configuration', () => {
  const r = explain('-c', NOSTAR, '--host', 'shop.example.com', '--path', '/cart?id=1');
  assert.equal(r.status, 1);
  assert.equal(
    r.stdout,
    [
      'Request GET http://shop.example.com/cart?id=1',
      '',
      '1. Route configuration nostar',
      '',
      '2. Virtual hosts',
      '   match shop fixtures/explain/nostar.yaml:5:12: domain "shop.example.com" matches host "shop.example.com" exactly',
      '',
      '3. Routes of virtual host "shop"',
      '   miss  #0 fixtures/explain/nostar.yaml:7:22: prefix "/cart/" does not match "/cart"',
      '   miss  #1 fixtures/explain/nostar.yaml:9:22: prefix "/Checkout" does not match "/cart"',
      '   no route matches',
      '',
      '4. Outcome',
      '   404 NR route_not_found — no route of virtual host "shop" matches',
      '   status 404, response flag NR, details route_not_found',
      '   stats: http.<stat_prefix>.no_route',
      '',
      'Near misses',
      '   - route #0: "/cart" misses prefix "/cart/" only by the trailing slash fixtures/explain/nostar.yaml:7:22',
      '',
      'note: a bare RouteConfiguration has no HTTP connection manager: stats show <stat_prefix>',
      '',
    ].join('\n'),
  );
});
