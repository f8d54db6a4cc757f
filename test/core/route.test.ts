import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route, compileRouteConfig } from '../../src/core/route.js';
import type { RouteDecision } from '../../src/core/route_types.js';
import { fwd, req, routes, table, vhost } from './helpers.js';

function cluster(d: RouteDecision): string | undefined {
  return d.kind === 'forward' ? d.cluster : undefined;
}

test('routes are tried in order; first match wins', () => {
  const t = routes([fwd('a', { prefix: '/api' }), fwd('b', { prefix: '/' })]);
  assert.equal(cluster(route(t, req('x', '/api/v1'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/other'), 0)), 'b');
});

test('prefix ignores the query; case_sensitive false folds case', () => {
  const t = routes([fwd('a', { prefix: '/API', case_sensitive: false }), fwd('b', { prefix: '/x' })]);
  assert.equal(cluster(route(t, req('x', '/api/z?q=1'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/X'), 0)), undefined);
});

test('path is exact, query stripped; case_sensitive applies', () => {
  const t = routes([fwd('a', { path: '/exact' }), fwd('b', { path: '/Foo', case_sensitive: false })]);
  assert.equal(cluster(route(t, req('x', '/exact?x=y'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/exact/'), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/FOO'), 0)), 'b');
});

test('safe_regex must match the whole path, query stripped', () => {
  const t = routes([fwd('a', { safe_regex: { regex: '/api/v[0-9]+' } })]);
  assert.equal(cluster(route(t, req('x', '/api/v12?debug=1'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/api/v12/extra'), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/x/api/v1'), 0)), undefined);
});

test('path_separated_prefix: exact or followed by /', () => {
  const t = routes([fwd('a', { path_separated_prefix: '/api' })]);
  assert.equal(cluster(route(t, req('x', '/api'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/api/x'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/api?x'), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/apix'), 0)), undefined);
});

test('connect_matcher matches CONNECT only', () => {
  const t = routes([fwd('a', { connect_matcher: {} })]);
  assert.equal(cluster(route(t, req('x', '', { method: 'CONNECT' }), 0)), 'a');
  assert.equal(cluster(route(t, req('x', '/'), 0)), undefined);
});

test('header matchers: presence, exact (literal, not regex), invert, missing', () => {
  const t = routes([
    fwd('present', { prefix: '/p', headers: [{ name: 'x-a' }] }),
    fwd('exact', { prefix: '/e', headers: [{ name: 'x-a', exact_match: 'a.*' }] }),
    fwd('invert', { prefix: '/i', headers: [{ name: 'x-a', exact_match: 'no', invert_match: true }] }),
    fwd('absent', { prefix: '/n', headers: [{ name: 'x-a', present_match: false }] }),
  ]);
  assert.equal(cluster(route(t, req('x', '/p', { headers: { 'x-a': '' } }), 0)), 'present');
  assert.equal(cluster(route(t, req('x', '/p'), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/e', { headers: { 'x-a': 'abc' } }), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/e', { headers: { 'x-a': 'a.*' } }), 0)), 'exact');
  assert.equal(cluster(route(t, req('x', '/i', { headers: { 'x-a': 'yes' } }), 0)), 'invert');
  assert.equal(cluster(route(t, req('x', '/i'), 0)), undefined, 'a missing header fails even an inverted matcher');
  assert.equal(cluster(route(t, req('x', '/n'), 0)), 'absent');
  assert.equal(cluster(route(t, req('x', '/n', { headers: { 'x-a': '1' } }), 0)), undefined);
});

test('range_match is [start, end) over int64 via BigInt', () => {
  const t = routes([fwd('r', { prefix: '/', headers: [{ name: 'x-n', range_match: { start: -10n, end: 9223372036854775807n } }] })]);
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '-10' } }), 0)), 'r');
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '9223372036854775806' } }), 0)), 'r');
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '9223372036854775807' } }), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '-11' } }), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '1.5' } }), 0)), undefined);
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': 'abc' } }), 0)), undefined);
});

test('treat_missing_header_as_empty with invert_match', () => {
  const t = routes([fwd('m', { prefix: '/', headers: [{ name: 'x-n', range_match: { start: 0n, end: 10n }, invert_match: true, treat_missing_header_as_empty: true }] })]);
  assert.equal(cluster(route(t, req('x', '/'), 0)), 'm');
  assert.equal(cluster(route(t, req('x', '/', { headers: { 'x-n': '5' } }), 0)), undefined);
});

test('string_match kinds with ignore_case; multiple values joined with ","', () => {
  const t = routes([
    fwd('pre', { prefix: '/1', headers: [{ name: 'x', string_match: { prefix: 'AB', ignore_case: true } }] }),
    fwd('suf', { prefix: '/2', headers: [{ name: 'x', string_match: { suffix: 'yz' } }] }),
    fwd('con', { prefix: '/3', headers: [{ name: 'x', string_match: { contains: 'mid' } }] }),
    fwd('re', { prefix: '/4', headers: [{ name: 'x', string_match: { safe_regex: { regex: 'a,b' } } }] }),
    fwd('dep', { prefix: '/5', headers: [{ name: 'x', prefix_match: 'p' }, { name: 'y', suffix_match: 's' }, { name: 'z', contains_match: 'c' }] }),
    fwd('sre', { prefix: '/6', headers: [{ name: 'x', safe_regex_match: { regex: '\\d{3}' } }] }),
  ]);
  assert.equal(cluster(route(t, req('h', '/1', { headers: { x: 'abc' } }), 0)), 'pre');
  assert.equal(cluster(route(t, req('h', '/2', { headers: { x: 'xyz' } }), 0)), 'suf');
  assert.equal(cluster(route(t, req('h', '/2', { headers: { x: 'xYZ' } }), 0)), undefined);
  assert.equal(cluster(route(t, req('h', '/3', { headers: { x: 'amidst' } }), 0)), 'con');
  assert.equal(cluster(route(t, req('h', '/4', { headers: { x: ['a', 'b'] } }), 0)), 're');
  assert.equal(cluster(route(t, req('h', '/5', { headers: { x: 'pp', y: 'ss', z: 'acb' } }), 0)), 'dep');
  assert.equal(cluster(route(t, req('h', '/6', { headers: { x: '123' } }), 0)), 'sre');
  assert.equal(cluster(route(t, req('h', '/6', { headers: { x: '1234' } }), 0)), undefined);
});

test('header matchers read pseudo-headers from the request fields', () => {
  const t = routes([fwd('m', { prefix: '/', headers: [{ name: ':method', exact_match: 'POST' }, { name: ':authority', exact_match: 'h' }] })]);
  assert.equal(cluster(route(t, req('h', '/', { method: 'POST' }), 0)), 'm');
  assert.equal(cluster(route(t, req('h', '/'), 0)), undefined);
});

test('query parameters: first occurrence only; no value vs empty', () => {
  const t = routes([
    fwd('exact', { prefix: '/e', query_parameters: [{ name: 'a', string_match: { exact: '1' } }] }),
    fwd('present', { prefix: '/p', query_parameters: [{ name: 'a', present_match: true }] }),
    fwd('name', { prefix: '/n', query_parameters: [{ name: 'a' }] }),
    fwd('empty', { prefix: '/m', query_parameters: [{ name: 'a', string_match: { exact: '' } }] }),
  ]);
  assert.equal(cluster(route(t, req('h', '/e?a=1&a=2'), 0)), 'exact');
  assert.equal(cluster(route(t, req('h', '/e?a=2&a=1'), 0)), undefined);
  assert.equal(cluster(route(t, req('h', '/p?b=1&a'), 0)), 'present');
  assert.equal(cluster(route(t, req('h', '/p?b=1'), 0)), undefined);
  assert.equal(cluster(route(t, req('h', '/n?a='), 0)), 'name');
  assert.equal(cluster(route(t, req('h', '/m?a'), 0)), 'empty');
  assert.equal(cluster(route(t, req('h', '/m?a='), 0)), 'empty');
  assert.equal(cluster(route(t, req('h', '/m?ab=1'), 0)), undefined);
});

test('grpc matcher: content-type application/grpc or application/grpc+...', () => {
  const t = routes([fwd('g', { prefix: '/', grpc: {} }), fwd('other', { prefix: '/' })]);
  assert.equal(cluster(route(t, req('h', '/', { headers: { 'content-type': 'application/grpc' } }), 0)), 'g');
  assert.equal(cluster(route(t, req('h', '/', { headers: { 'content-type': 'application/grpc+proto' } }), 0)), 'g');
  assert.equal(cluster(route(t, req('h', '/', { headers: { 'content-type': 'application/grpc-web' } }), 0)), 'other');
  assert.equal(cluster(route(t, req('h', '/'), 0)), 'other');
});

test('runtime_fraction: runtime value by key, else default; random % denominator < numerator', () => {
  const rs = [fwd('on', { prefix: '/', runtime_fraction: { default_value: { numerator: 50, denominator: 'HUNDRED' }, runtime_key: 'k' } }), fwd('off', { prefix: '/' })];
  const t = routes(rs);
  assert.equal(cluster(route(t, req('h', '/'), 149)), 'on');
  assert.equal(cluster(route(t, req('h', '/'), 150)), 'off');
  const t2 = routes(rs, {}, { runtime: { k: 10 } });
  assert.equal(cluster(route(t2, req('h', '/'), 20)), 'off');
  assert.equal(cluster(route(t2, req('h', '/'), 9)), 'on');
  // Per-call runtime wins over the table's.
  assert.equal(cluster(route(t2, req('h', '/', { runtime: { k: 100 } }), 20)), 'on');
  // router_check's mock: only the named key, with the default fraction.
  const mock = (key: string, n: number, d: number, rv: number): boolean => key === 'other' && rv % d < n;
  assert.equal(cluster(route(t, req('h', '/', { featureEnabled: mock }), 0)), 'off');
});

test('router_check numerator 0 bump is opt-in (tool behaviour)', () => {
  const rs = [fwd('on', { prefix: '/', runtime_fraction: { default_value: { numerator: 0 }, runtime_key: 'k' } }), fwd('off', { prefix: '/' })];
  assert.equal(cluster(route(routes(rs), req('h', '/'), 0)), 'off');
  assert.equal(cluster(route(routes(rs, {}, { bumpZeroRuntimeNumerator: true }), req('h', '/'), 0)), 'on');
});

test('tls_context matcher', () => {
  const t = routes([fwd('v', { prefix: '/', tls_context: { presented: true, validated: true } }), fwd('plain', { prefix: '/' })]);
  assert.equal(cluster(route(t, req('h', '/', { tls: { presented: true, validated: true } }), 0)), 'v');
  assert.equal(cluster(route(t, req('h', '/', { tls: { presented: true, validated: false } }), 0)), 'plain');
  assert.equal(cluster(route(t, req('h', '/'), 0)), 'plain');
});

test('dynamic_metadata matcher with invert', () => {
  const t = routes([
    fwd('nested', { path: '/n', dynamic_metadata: [{ filter: 'ns', path: [{ key: 'a' }, { key: 'b' }], value: { string_match: { exact: 'v' } } }] }),
    fwd('inv', { path: '/i', dynamic_metadata: [{ filter: 'ns', path: [{ key: 'a' }], value: { string_match: { exact: 'x' } }, invert: true }] }),
    fwd('fallback', { prefix: '/' }),
  ]);
  assert.equal(cluster(route(t, req('h', '/n', { dynamicMetadata: { ns: { a: { b: 'v' } } } }), 0)), 'nested');
  assert.equal(cluster(route(t, req('h', '/n'), 0)), 'fallback');
  assert.equal(cluster(route(t, req('h', '/i', { dynamicMetadata: { ns: { a: 'x' } } }), 0)), 'fallback');
  assert.equal(cluster(route(t, req('h', '/i'), 0)), 'inv');
});

test('cluster_header: a missing header still matches with cluster ""', () => {
  const t = routes([{ match: { prefix: '/' }, route: { cluster_header: 'X-Cluster' } }]);
  const d = route(t, req('h', '/'), 0);
  assert.equal(d.kind, 'forward');
  assert.equal(cluster(d), '');
  assert.equal(cluster(route(t, req('h', '/', { headers: { 'x-cluster': 'c1' } }), 0)), 'c1');
  const t2 = routes([{ match: { prefix: '/' }, route: { cluster_header: ':authority' } }]);
  assert.equal(cluster(route(t2, req('some_cluster', '/'), 0)), 'some_cluster');
});

test('weighted_clusters: 115 with 30/30/40 picks the first; header_name; cluster_header entries', () => {
  const wc = { clusters: [{ name: 'a', weight: 30 }, { name: 'b', weight: 30 }, { name: 'c', weight: 40 }] };
  const t = routes([{ match: { prefix: '/' }, route: { weighted_clusters: wc } }]);
  const d = route(t, req('h', '/'), 115);
  assert.equal(cluster(d), 'a');
  assert.ok(d.kind === 'forward' && d.resolution.specifier === 'weighted_clusters');
  if (d.kind === 'forward' && d.resolution.specifier === 'weighted_clusters') {
    assert.equal(d.resolution.totalWeight, 100);
    assert.equal(d.resolution.selector, 15);
    assert.equal(d.resolution.pickedIndex, 0);
    assert.deepEqual(d.resolution.clusters.map((c) => c.weight), [30, 30, 40]);
  }
  assert.equal(cluster(route(t, req('h', '/'), 30)), 'b');
  assert.equal(cluster(route(t, req('h', '/'), 99)), 'c');
  const th = routes([{ match: { prefix: '/' }, route: { weighted_clusters: { ...wc, header_name: 'x-rv' } } }]);
  assert.equal(cluster(route(th, req('h', '/', { headers: { 'x-rv': '65' } }), 0)), 'c');
  assert.equal(cluster(route(th, req('h', '/', { headers: { 'x-rv': 'nope' } }), 0)), 'a');
  const tc = routes([{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ cluster_header: 'x-c', weight: 1 }] } } }]);
  assert.equal(cluster(route(tc, req('h', '/'), 0)), '');
  assert.equal(cluster(route(tc, req('h', '/', { headers: { 'x-c': 'dyn' } }), 0)), 'dyn');
});

test('weighted_clusters: runtime_key_prefix weights, total_weight check, zero sum', () => {
  const wc = { runtime_key_prefix: 'w', clusters: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50 }] };
  const t = routes([{ match: { prefix: '/' }, route: { weighted_clusters: wc } }], {}, { runtime: { 'w.a': 0 } });
  assert.equal(cluster(route(t, req('h', '/'), 0)), 'b');
  assert.equal(cluster(route(t, req('h', '/', { runtime: { 'w.a': 50 } }), 0)), 'a');
  const bad = compileRouteConfig({ virtual_hosts: [vhost('v', ['*'], [{ match: { prefix: '/' }, route: { weighted_clusters: { total_weight: 10, clusters: [{ name: 'a', weight: 5 }] } } }])] });
  assert.equal(bad.diagnostics[0].severity, 'warning');
  assert.match(bad.diagnostics[0].message, /total_weight 10 is ignored: the weights add up to 5/);
  assert.equal(cluster(route(bad.table, req('h', '/'), 7)), 'a');
  const zero = compileRouteConfig({ virtual_hosts: [vhost('v', ['*'], [{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: 0 }] } } }])] });
  assert.match(zero.diagnostics[0].message, /greater than 0/);
});

test('route entry exposes timeouts, retry policy (route wins), mirrors, hash, filter config merge', () => {
  const t = table({
    typed_per_filter_config: { f1: { '@type': 'rc' }, f2: { '@type': 'rc' } },
    request_mirror_policies: [{ cluster: 'rc-mirror' }],
    virtual_hosts: [
      vhost('v', ['*'], [
        fwd('a', { path: '/a' }, { timeout: 0, idle_timeout: 500, retry_policy: { retry_on: '5xx' }, hash_policy: [{ header: { header_name: 'x' } }], cluster_not_found_response_code: 'NOT_FOUND' }, { typed_per_filter_config: { f1: { '@type': 'route' } } }),
        fwd('b', { path: '/b' }),
      ], { retry_policy: { retry_on: 'connect-failure' }, typed_per_filter_config: { f2: { '@type': 'vhost' }, f3: { '@type': 'vhost' } } }),
    ],
  });
  const a = route(t, req('h', '/a'), 0);
  const b = route(t, req('h', '/b'), 0);
  assert.ok(a.kind === 'forward' && b.kind === 'forward');
  if (a.kind !== 'forward' || b.kind !== 'forward') return;
  assert.equal(a.route.timeoutMs, 0);
  assert.equal(b.route.timeoutMs, 15000);
  assert.equal(a.route.idleTimeoutMs, 500);
  assert.equal(a.route.retryPolicy?.retry_on, '5xx');
  assert.equal(b.route.retryPolicy?.retry_on, 'connect-failure');
  assert.deepEqual(b.route.mirrorPolicies.map((m) => m.cluster), ['rc-mirror']);
  assert.equal(a.route.hashPolicies.length, 1);
  assert.equal(a.route.clusterNotFoundResponseCode, 404);
  assert.equal(b.route.clusterNotFoundResponseCode, 503);
  assert.deepEqual(Object.fromEntries(Object.entries(a.perFilterConfig).map(([k, v]) => [k, v['@type']])), { f1: 'route', f2: 'vhost', f3: 'vhost' });
});

test('virtual clusters: name, other when none match, undefined when none declared', () => {
  const t = table({
    virtual_hosts: [
      vhost('v', ['v'], [fwd('c', { prefix: '/' })], { virtual_clusters: [{ name: 'posts', headers: [{ name: ':method', exact_match: 'POST' }, { name: ':path', safe_regex_match: { regex: '/api/.*' } }] }] }),
      vhost('w', ['w'], [fwd('c', { prefix: '/' })]),
    ],
  });
  const vc = (d: RouteDecision): string | undefined => (d.kind === 'forward' ? d.virtualClusterName : 'not-forward');
  assert.equal(vc(route(t, req('v', '/api/x', { method: 'POST' }), 0)), 'posts');
  assert.equal(vc(route(t, req('v', '/api/x'), 0)), 'other');
  assert.equal(vc(route(t, req('w', '/api/x'), 0)), undefined);
});

test('direct_response: inline_string, inline_bytes decoded, filename exposed, size limit', () => {
  const t = routes([
    { match: { path: '/s' }, direct_response: { status: 200, body: { inline_string: 'hello' } } },
    { match: { path: '/b' }, direct_response: { status: 503, body: { inline_bytes: new TextEncoder().encode('bytes!') } } },
    { match: { path: '/f' }, direct_response: { status: 200, body: { filename: '/etc/body.txt' } } },
    { match: { path: '/e' }, direct_response: { status: 204 } },
  ]);
  const s = route(t, req('h', '/s'), 0);
  assert.deepEqual(s.kind === 'direct_response' && [s.status, s.body], [200, 'hello']);
  const b = route(t, req('h', '/b'), 0);
  assert.deepEqual(b.kind === 'direct_response' && [b.status, b.body], [503, 'bytes!']);
  const f = route(t, req('h', '/f'), 0);
  assert.deepEqual(f.kind === 'direct_response' && [f.body, f.bodyFilename], [undefined, '/etc/body.txt']);
  const e = route(t, req('h', '/e'), 0);
  assert.deepEqual(e.kind === 'direct_response' && [e.status, e.body], [204, undefined]);
  const big = compileRouteConfig({ max_direct_response_body_size_bytes: 3, virtual_hosts: [vhost('v', ['*'], [{ match: { path: '/' }, direct_response: { status: 200, body: { inline_string: 'four' } } }])] });
  assert.match(big.diagnostics[0].message, /response body size is 4 bytes; maximum is 3/);
});

test('a bad regex is a diagnostic with its position path, and the route never matches', () => {
  const r = compileRouteConfig({ virtual_hosts: [vhost('v', ['*'], [fwd('bad', { safe_regex: { regex: '(+invalid' } }), fwd('ok', { prefix: '/' })])] });
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].rule, 'route/invalid-regex');
  assert.equal(r.diagnostics[0].path, '$.virtual_hosts[0].routes[0].match.safe_regex.regex');
  assert.equal(cluster(route(r.table, req('h', '/anything'), 0)), 'ok');
});

test('non-forwarding action: matched route, no route decision', () => {
  const t = routes([{ match: { prefix: '/' }, non_forwarding_action: {} }]);
  const d = route(t, req('h', '/'), 0);
  assert.equal(d.kind, 'no_route');
  assert.equal(d.kind === 'no_route' && d.route?.index, 0);
});

test('filter_state matchers never match (no filter state), like Envoy with an absent key', () => {
  const t = routes([fwd('fs', { prefix: '/', filter_state: [{ key: 'envoy.address' }] }), fwd('instant-server', { prefix: '/' })]);
  assert.equal(cluster(route(t, req('h', '/'), 0)), 'instant-server');
});
