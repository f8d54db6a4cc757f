import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import { compileRouteConfig } from '../../../src/core/route.js';
import type { RouteTable } from '../../../src/core/route_types.js';
import { runRouterCheck } from '../../../src/analysis/router_check/runner.js';
import { parseTestFile } from '../../../src/analysis/router_check/test_file.js';
import { renderText } from '../../../src/analysis/router_check/report.js';
import { dynamicMetadataOf, routeRequestFor } from '../../../src/analysis/router_check/request.js';

const ROUTES = `
virtual_hosts:
- name: www
  domains: [www.example.com]
  virtual_clusters:
  - name: login
    headers: [{name: ":path", string_match: {exact: /login}}, {name: ":method", string_match: {exact: POST}}]
  routes:
  - name: rw
    match: {prefix: /old/}
    route: {cluster: app, prefix_rewrite: /new/, host_rewrite_literal: app.internal, timeout: 2.5s}
    metadata: {filter_metadata: {ns: {owner: team-a, n: 3}}}
    request_headers_to_add: [{header: {key: x-peer, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}}]
  - match: {path: /gone}
    redirect: {host_redirect: other.example.com, response_code: PERMANENT_REDIRECT}
  - match: {path: /ping}
    direct_response: {status: 204}
  - match: {path: /pong}
    direct_response: {status: 200, body: {inline_string: "héllo"}}
    response_headers_to_add:
    - {header: {key: content-type, value: text/html}, append: false}
    - {header: {key: x-extra, value: a}}
    - {header: {key: x-extra, value: b}}
  - match: {prefix: /rt, runtime_fraction: {runtime_key: feature.x, default_value: {numerator: 0}}}
    route: {cluster: rt-on}
  - match: {prefix: /, headers: [{name: x-env, string_match: {exact: dev}}]}
    route: {cluster: dev}
  - match: {prefix: /}
    route:
      weighted_clusters: {clusters: [{name: a, weight: 10}, {name: b, weight: 90}]}
`;

function table(): RouteTable {
  const loaded = loadConfig(ROUTES, 'routes.yaml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const c = compileRouteConfig(loaded.config!.routeConfigurations[0]!, { bumpZeroRuntimeNumerator: true, file: 'routes.yaml' });
  assert.deepEqual(c.diagnostics.filter((d) => d.severity === 'error'), []);
  return c.table;
}

function run(testsYaml: string) {
  const tf = parseTestFile(testsYaml, 'tests.yaml');
  assert.deepEqual(tf.errors, []);
  const r = runRouterCheck(table(), tf.spec!, 'tests.yaml');
  assert.deepEqual(r.errors, []);
  return r.run!;
}

function failures(testsYaml: string): string[][] {
  return run(testsYaml).results.map((r) => r.failures.map((f) => f.line));
}

const GET = (path: string, extra = '') => `{authority: www.example.com, path: "${path}", method: GET${extra}}`;

test('forwarding assertions: cluster, vhost, virtual cluster, rewrites, timeout, metadata, request headers', () => {
  assert.deepEqual(
    failures(`tests:
- test_name: ok
  input: ${GET('/old/x?q=1')}
  validate:
    cluster_name: app
    virtual_host_name: www
    virtual_cluster_name: other
    path_rewrite: /new/x?q=1
    host_rewrite: app.internal
    path_redirect: ""
    code_redirect: 0
    timeout: 2.5s
    route_metadata: [{namespace: ns, key: owner, value: team-a}, {namespace: ns, key: n, value: "3"}]
    request_header_matches:
    - {name: x-peer, string_match: {exact: 127.0.0.1}}
    - {name: x-envoy-original-path, string_match: {exact: /old/x?q=1}}
    - {name: ":authority", string_match: {exact: app.internal}}
    - {name: x-forwarded-proto, string_match: {exact: http}}
    - {name: x-envoy-internal, present_match: true, invert_match: true}
    request_header_fields: [{key: x-peer, value: 127.0.0.1}]
- test_name: virtual cluster
  input: {authority: www.example.com, path: /login, method: POST, ssl: true, internal: true}
  validate: {virtual_cluster_name: login, request_header_matches: [{name: x-forwarded-proto, string_match: {exact: https}}, {name: x-envoy-internal, string_match: {exact: "true"}}]}
`),
    [[], []],
  );
});

test('redirect and direct response: path_redirect is the full URL, code_redirect the status, forwarding fields read ""', () => {
  assert.deepEqual(
    failures(`tests:
- test_name: redirect
  input: ${GET('/gone?a=b')}
  validate: {path_redirect: "http://other.example.com/gone?a=b", code_redirect: 308, cluster_name: "", virtual_host_name: "", path_rewrite: "", host_rewrite: "", virtual_cluster_name: "", timeout: 0s}
- test_name: direct empty
  input: ${GET('/ping', ', ssl: true')}
  validate:
    path_redirect: https://www.example.com/ping
    code_redirect: 204
    response_header_matches:
    - {name: ":status", string_match: {exact: "204"}}
    - {name: content-type, present_match: true, invert_match: true}
    - {name: content-length, present_match: true, invert_match: true}
- test_name: direct body
  input: ${GET('/pong')}
  validate:
    code_redirect: 200
    response_header_matches:
    - {name: content-type, string_match: {exact: text/html}}
    - {name: content-length, string_match: {exact: "6"}}
    - {name: x-extra, string_match: {exact: "a,b"}}
    response_header_fields: [{key: x-extra, value: a}]
`),
    [[], [], []],
  );
});

test('runtime: only input.runtime is enabled, numerator 0 counts as 1, by random_value', () => {
  assert.deepEqual(
    failures(`tests:
- {test_name: on, input: ${GET('/rt', ', runtime: feature.x, random_value: 100')}, validate: {cluster_name: rt-on}}
- {test_name: off by draw, input: ${GET('/rt', ', runtime: feature.x, random_value: 101')}, validate: {cluster_name: a}}
- {test_name: other key, input: ${GET('/rt', ', runtime: feature.y, random_value: 0')}, validate: {cluster_name: a}}
- {test_name: no key, input: ${GET('/rt')}, validate: {cluster_name: a}}
`),
    [[], [], [], []],
  );
});

test('weighted clusters by random_value; additional request headers route', () => {
  assert.deepEqual(
    failures(`tests:
- {test_name: a, input: ${GET('/', ', random_value: 109')}, validate: {cluster_name: a}}
- {test_name: b, input: ${GET('/', ', random_value: 110')}, validate: {cluster_name: b}}
- test_name: dev
  input: {authority: www.example.com, path: /, method: GET, additional_request_headers: [{key: X-Env, value: dev}]}
  validate: {cluster_name: dev}
- {test_name: no vhost, input: {authority: nowhere, path: /, method: GET}, validate: {cluster_name: "", virtual_host_name: "", path_redirect: "", code_redirect: 0}}
`),
    [[], [], [], []],
  );
});

test('each failure kind prints its line; coverage only counts passing assertions on real routes', () => {
  const r = run(`tests:
- test_name: f
  input: ${GET('/old/x')}
  validate:
    cluster_name: nope
    timeout: 1s
    route_metadata: [{namespace: ns, key: missing, value: v}, {namespace: other, key: k, value: v}]
    request_header_matches:
    - {name: x-peer, range_match: {start: 0, end: 10}}
    - {name: x-peer, exact_match: "1.2.3.4"}
    - {name: x-peer, safe_regex_match: {regex: "10\\\\..*"}}
    - {name: x-absent, string_match: {suffix: z}}
    - {name: x-peer, present_match: false}
    request_header_fields: [{key: x-peer, value: "1.1.1.1"}]
- {test_name: no route, input: {authority: nowhere, path: /, method: GET}, validate: {cluster_name: x}}
`);
  assert.deepEqual(r.results.map((x) => x.failures.map((f) => f.line)), [
    [
      'expected: [nope], actual: [app], test type: cluster_name',
      'actual: [x-peer: 127.0.0.1], test type: request_header_matches.range_match',
      'actual: [x-peer: 127.0.0.1], test type: request_header_matches.exact_match',
      'actual: [x-peer: 127.0.0.1], test type: request_header_matches.safe_regex_match',
      'actual: [x-absent: NULL], test type: request_header_matches.string_match.suffix',
      'expected: [has(x-peer):true], actual: [has(x-peer):false], test type: request_header_matches.present_match',
      'expected: [1.1.1.1], actual: [127.0.0.1], test type: request_header_fields',
      'expected: [1000], actual: [2500], test type: timeout',
      'expected: [v], actual: [], test type: route_metadata',
      'expected: [v], actual: [], test type: route_metadata',
    ],
    ['expected: [x], actual: [], test type: cluster_name'],
  ]);
  const report = r.coverage.report(false);
  assert.equal(report.percent, 0);
  const text = renderText(r.results, r.coverage, { details: true, onlyShowFailures: false, comprehensiveCoverage: false, detailedCoverage: false, failUnder: 0 });
  assert.equal(text.exitCode, 1);
  assert.deepEqual(text.lines.map((l) => l.stream), ['stderr', ...Array(10).fill('stderr'), 'stderr', 'stderr']);
});

test('coverage math: weighted entries count separately; --covall weighs fields', () => {
  const r = run(`tests:
- {test_name: a, input: ${GET('/', ', random_value: 0')}, validate: {cluster_name: a, virtual_host_name: www}}
- {test_name: rw, input: ${GET('/old/')}, validate: {cluster_name: app, virtual_cluster_name: other, virtual_host_name: www, path_rewrite: /new/, host_rewrite: app.internal}}
- {test_name: rd, input: ${GET('/gone')}, validate: {path_redirect: "http://other.example.com/gone"}}
- {test_name: wrong, input: ${GET('/ping')}, validate: {code_redirect: 500}}
`);
  // 8 entries: rw, gone, ping, pong, rt, dev, a, b. Covered: a, rw, gone -> 3/8.
  const plain = r.coverage.report(true);
  assert.equal(plain.percent, 37.5);
  assert.deepEqual(plain.missing.map((m) => m.replace(/-[0-9a-f-]{36}$/, '-<uuid>')), [
    'Missing test for host: www, route name: -<uuid>',
    'Missing test for host: www, route name: -<uuid>',
    'Missing test for host: www, route name: -<uuid>',
    'Missing test for host: www, route name: -<uuid>',
  ]);
  // a: 2/5, rw: 5/5, gone: 1/2 -> (0.4 + 1 + 0.5) / 8 = 23.75
  const all = r.coverage.comprehensiveReport();
  assert.equal(all.percent, 23.75);
  assert.deepEqual(all.missing, [
    'Missing test for host: www, route: path: "/ping"\n',
    'Missing test for host: www, route: path: "/pong"\n',
    'Missing test for host: www, route: prefix: "/rt"\nruntime_fraction {\n  default_value {\n    numerator: 1\n  }\n  runtime_key: "feature.x"\n}\n',
    'Missing test for host: www, route: prefix: "/"\nheaders {\n  name: "x-env"\n  string_match {\n    exact: "dev"\n  }\n}\n',
  ]);
});

test('a validation regex that does not compile is a test-file error', () => {
  const tf = parseTestFile(`tests:
- {test_name: r, input: ${GET('/')}, validate: {response_header_matches: [{name: a, safe_regex_match: {regex: "(unclosed"}}]}}
`, 'tests.yaml');
  const r = runRouterCheck(table(), tf.spec!, 'tests.yaml');
  assert.equal(r.run, undefined);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /^tests\.yaml: \$\.tests\[0\]\.validate\.response_header_matches\[0\]\.safe_regex_match\.regex: /);
});

test('request: ssl, internal and repeated additional headers; dynamic metadata overwrite rules', () => {
  const req = routeRequestFor({
    authority: 'h', path: '/', method: 'GET', random_value: 0, ssl: true, internal: true, runtime: '',
    additional_request_headers: [{ key: 'X-A', value: '1' }, { key: 'x-a', value: '2' }],
    additional_response_headers: [], dynamic_metadata: [],
  });
  assert.equal(req.scheme, 'https');
  assert.deepEqual(req.headers, { 'x-forwarded-proto': 'https', 'x-envoy-internal': 'true', 'x-a': ['1', '2'] });
  assert.equal(req.featureEnabled!('k', 100, 100, 0), false);
  assert.deepEqual(
    dynamicMetadataOf([
      { metadata_namespace: 'n', allow_overwrite: false, value: { a: 1, s: { x: 1 }, l: [1] } },
      { metadata_namespace: 'n', allow_overwrite: false, value: { a: 2 } },
      { metadata_namespace: 'n', allow_overwrite: true, value: { b: 3, s: { y: 2 }, l: [2] } },
      { metadata_namespace: 'm', allow_overwrite: false, value: { c: 4 } },
    ]),
    { n: { a: 1, s: { x: 1, y: 2 }, l: [1, 2], b: 3 }, m: { c: 4 } },
  );
});
