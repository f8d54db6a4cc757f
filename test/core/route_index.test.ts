// The route index must never change a decision. The scan (routeIndex: 'off') is the reference:
// a differential test over generated tables and requests mixing every matcher kind (50,000
// requests here; bench/route.mjs --diff 1000000 runs a million), plus the index's own structure.
// The shared behaviour suite (route.test.ts, redirect.test.ts) runs under both implementations
// through route_impl_index.test.ts and route_impl_scan.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/core/route.js';
import type { RouteTrace } from '../../src/core/route_types.js';
import { buildRouteIndex, ROUTE_INDEX_MIN_ROUTES } from '../../src/core/route_index.js';
import type { CompiledVirtualHost } from '../../src/core/route_table.js';
import { fwd, req, routes } from './helpers.js';
import { compileBoth, decisionKey, genRequest, genRouteConfig, rng } from './route_index_gen.js';

function indexOf(t: ReturnType<typeof routes>) {
  return (t.virtualHosts[0] as CompiledVirtualHost).routeIndex;
}

test('differential: the index and the scan agree on 50,000 generated requests', () => {
  const next = rng(20261206);
  let requests = 0;
  let matched = 0;
  let partitionIndexes = 0;
  let regexSets = 0;
  for (let round = 0; round < 100; round++) {
    const rc = genRouteConfig(next, 5 + Math.floor(next() * 150));
    const { indexed, scan } = compileBoth(rc);
    const shape = indexOf(indexed)?.shape;
    assert.ok(shape !== undefined, 'the index is built');
    partitionIndexes += shape.partitionIndexes;
    regexSets += shape.regexSet > 0 ? 1 : 0;
    assert.equal(indexOf(scan), undefined, 'the reference has none');
    for (let q = 0; q < 500; q++) {
      const r = genRequest(next);
      const rv = Math.floor(next() * 100);
      const want = decisionKey(route(scan, r, rv));
      assert.equal(decisionKey(route(indexed, r, rv)), want, `round ${round} request ${JSON.stringify(r)} random ${rv}`);
      requests++;
      if (!want.startsWith('no_route#-1')) matched++;
    }
  }
  assert.equal(requests, 50_000);
  // Every index place is exercised: header partitions indexed by path, regex sets.
  assert.ok(partitionIndexes > 20 && regexSets > 50, `partition indexes ${partitionIndexes}, tables with a regex set ${regexSets}`);
  // Both sides of the comparison are exercised: many requests match a route, many do not.
  assert.ok(matched > 10_000 && matched < 48_000, `matched ${matched}`);
});

test('a trace still lists every route (the scan), and agrees with the index', () => {
  const t = routes(Array.from({ length: 40 }, (_, i) => fwd(`c${i}`, { prefix: `/p${i}/` })), {}, { routeIndex: 'always' });
  const trace: RouteTrace = { steps: [] };
  const d = route(t, req('h', '/p39/x'), 0, trace);
  assert.equal(decisionKey(d), decisionKey(route(t, req('h', '/p39/x'), 0)));
  assert.equal(trace.steps.filter((s) => s.kind === 'route').length, 40);
});

test('structure: exact map, prefix trie, regex set, CONNECT, header partitions, the rest', () => {
  const t = routes(
    [
      fwd('exact', { path: '/healthz' }),
      fwd('exact-ci', { path: '/Login', case_sensitive: false }),
      fwd('pre', { prefix: '/api/' }),
      fwd('sep', { path_separated_prefix: '/docs' }),
      fwd('re-lit', { safe_regex: { regex: '/users/[0-9]+' } }),
      fwd('re-set-1', { safe_regex: { regex: '.*\\.png' } }),
      fwd('re-set-2', { safe_regex: { regex: '(?i)/IMG/.*' } }),
      fwd('connect', { connect_matcher: {} }),
      fwd('tenant', { prefix: '/', headers: [{ name: 'x-tenant', string_match: { exact: 'acme' } }] }),
      fwd('get', { prefix: '/', headers: [{ name: ':method', exact_match: 'GET' }] }),
      fwd('ci-nonascii', { path_separated_prefix: '/Ünï', case_sensitive: false }),
      fwd('tpl', {
        path_match_policy: {
          name: 'envoy.path.match.uri_template.uri_template_matcher',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', path_template: '/tpl/{id}/**' },
        },
      } as never),
    ],
    {},
    { routeIndex: 'always' },
  );
  assert.deepEqual(indexOf(t)?.shape, {
    routes: 12, exact: 2, prefix: 3, regexSet: 2, connect: 1, always: 2, headerPartitioned: 2, partitionIndexes: 0, neverMatch: 0,
  });
  const cluster = (path: string, extra: Parameters<typeof req>[2] = {}) => {
    const d = route(t, req('h', path, extra), 0);
    return d.kind === 'forward' ? d.cluster : d.kind;
  };
  assert.equal(cluster('/healthz'), 'exact');
  assert.equal(cluster('/LOGIN'), 'exact-ci');
  assert.equal(cluster('/api/x'), 'pre');
  assert.equal(cluster('/docs'), 'sep');
  assert.equal(cluster('/docsx', { method: 'POST' }), 'no_route');
  assert.equal(cluster('/users/12'), 're-lit');
  assert.equal(cluster('/a/b.png', { method: 'POST' }), 're-set-1');
  assert.equal(cluster('/img/1', { method: 'POST' }), 're-set-2');
  assert.equal(cluster('', { method: 'CONNECT' }), 'connect');
  assert.equal(cluster('/z', { method: 'POST', headers: { 'x-tenant': 'acme' } }), 'tenant');
  assert.equal(cluster('/z', { method: 'POST', headers: { 'x-tenant': 'ACME' } }), 'no_route');
  assert.equal(cluster('/z'), 'get');
  assert.equal(cluster('/üNÏ/a', { method: 'POST' }), 'ci-nonascii');
  // A URI template route is tried for every request (it may match any first segment).
  assert.equal(cluster('/tpl/7/a/b', { method: 'POST' }), 'tpl');
});

test('declared order wins across index places (a later exact path loses to an earlier prefix)', () => {
  const t = routes([fwd('broad', { prefix: '/a' }), fwd('exact', { path: '/a/b' })], {}, { routeIndex: 'always' });
  const d = route(t, req('h', '/a/b'), 0);
  assert.equal(d.kind === 'forward' ? d.cluster : d.kind, 'broad');
});

test('ignore_path_parameters_in_path_matching: lookups use the path cut at ";"', () => {
  const t = routes([fwd('x', { path: '/a/b' }), fwd('y', { prefix: '/c' })], { ignore_path_parameters_in_path_matching: true }, { routeIndex: 'always' });
  const c = (p: string) => {
    const d = route(t, req('h', p), 0);
    return d.kind === 'forward' ? d.cluster : d.kind;
  };
  assert.equal(c('/a/b;v=1'), 'x');
  assert.equal(c('/c;v=1/d'), 'y');
});

test('modes: auto indexes large vhosts only, off never, always even tiny ones', () => {
  const many = Array.from({ length: ROUTE_INDEX_MIN_ROUTES }, (_, i) => fwd(`c${i}`, { prefix: `/p${i}` }));
  assert.ok(indexOf(routes(many)) !== undefined);
  assert.equal(indexOf(routes(many.slice(1))), undefined);
  assert.equal(indexOf(routes(many, {}, { routeIndex: 'off' })), undefined);
  assert.ok(indexOf(routes(many.slice(0, 1), {}, { routeIndex: 'always' })) !== undefined);
  assert.equal(buildRouteIndex([], false, 'always'), undefined);
});
