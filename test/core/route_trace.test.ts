import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/core/route.js';
import type { RouteTrace } from '../../src/core/route_types.js';
import { fwd, req, table, vhost } from './helpers.js';

const t = table({
  virtual_hosts: [
    vhost('www', ['www.foo.com'], [
      fwd('api', { prefix: '/api/' }, {}, { name: 'api-route' }),
      fwd('exact', { path: '/Login' }),
      fwd('hdr', { prefix: '/h', headers: [{ name: 'x-user', exact_match: 'a' }] }),
    ]),
    vhost('other', ['*.foo.com'], [fwd('o', { prefix: '/' })]),
  ],
});

function trace(authority: string | undefined, path: string, headers = {}): RouteTrace {
  const tr: RouteTrace = { steps: [] };
  route(t, req(authority, path, { headers }), 0, tr);
  return tr;
}

test('vhost steps: chosen one with the rule, the others with why not', () => {
  const tr = trace('www.foo.com', '/api/x');
  const vh = tr.steps.filter((s) => s.kind === 'virtual_host');
  assert.equal(vh.length, 2);
  assert.equal(vh[0].matched, true);
  assert.match(vh[0].reason, /matches host "www.foo.com" exactly/);
  assert.equal(vh[1].matched, false);
  assert.match(vh[1].reason, /also matches but "www" is more specific/);
  const rs = tr.steps.filter((s) => s.kind === 'route');
  assert.deepEqual(rs.map((s) => [s.name, s.matched]), [['api-route', true]]);
});

test('near miss: Host with a port vs domains without; missing * vhost', () => {
  const tr = trace('www.foo.com:8080', '/');
  const www = tr.steps.find((s) => s.name === 'www');
  assert.match(www?.nearMiss ?? '', /carries a port/);
  const star = tr.steps.find((s) => s.predicate === 'default_virtual_host');
  assert.match(star?.nearMiss ?? '', /404 NR/);
});

test('near misses on routes: trailing slash, case-only, absent header', () => {
  const tr = trace('www.foo.com', '/api');
  const api = tr.steps.find((s) => s.name === 'api-route');
  assert.equal(api?.predicate, 'prefix');
  assert.match(api?.nearMiss ?? '', /trailing slash/);
  const tr2 = trace('www.foo.com', '/login');
  const ex = tr2.steps.find((s) => s.name === '#1');
  assert.match(ex?.nearMiss ?? '', /only in case/);
  const tr3 = trace('www.foo.com', '/h');
  const h = tr3.steps.find((s) => s.name === '#2');
  assert.equal(h?.predicate, 'header');
  assert.match(h?.reason ?? '', /header is absent/);
  assert.match(h?.nearMiss ?? '', /"x-user" is absent/);
});

test('no authority is explained', () => {
  const tr = trace(undefined, '/');
  assert.equal(tr.steps[0].predicate, 'authority');
});

test('without a trace sink route() records nothing and returns the same decision', () => {
  const a = route(t, req('www.foo.com', '/api/x'), 0);
  const tr: RouteTrace = { steps: [] };
  const b = route(t, req('www.foo.com', '/api/x'), 0, tr);
  assert.equal(a.kind, b.kind);
  assert.equal(a.kind === 'forward' && b.kind === 'forward' && a.route === b.route, true);
});

test('cluster step: weighted pick details and a missing cluster_header', () => {
  const w = table({
    virtual_hosts: [
      vhost('v', ['*'], [
        { match: { prefix: '/w' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: 30 }, { name: 'b', weight: 30 }, { name: 'c', weight: 40 }] } } },
        { match: { prefix: '/h' }, route: { cluster_header: 'x-c' } },
      ]),
    ],
  });
  const tr: RouteTrace = { steps: [] };
  route(w, req('h', '/w'), 115, tr);
  const c = tr.steps.find((s) => s.kind === 'cluster');
  assert.equal(c?.reason, 'weighted_clusters [a=30, b=30, c=40] total 100: random value 115 % 100 = 15 picks #0 "a"');
  const tr2: RouteTrace = { steps: [] };
  route(w, req('h', '/h'), 0, tr2);
  const c2 = tr2.steps.find((s) => s.kind === 'cluster');
  assert.equal(c2?.matched, false);
  assert.match(c2?.nearMiss ?? '', /503 NC cluster_not_found/);
});
