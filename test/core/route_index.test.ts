// The first-segment index must never change a decision: compare route() without a trace
// (indexed) against route() with a trace (full scan) on generated tables and requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Route } from '../../src/config/types.js';
import { route } from '../../src/core/route.js';
import type { RouteDecision, RouteTrace } from '../../src/core/route_types.js';
import { buildRouteIndex, firstSegment } from '../../src/core/route_index.js';
import type { CompiledVirtualHost } from '../../src/core/route.js';
import { req, routes } from './helpers.js';

// Deterministic LCG so the test is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const SEGS = ['api', 'app', 'a', 'static', 'v1', 'API', 'seg;x', ''];

function genRoutes(next: () => number, n: number): Route[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const rs: Route[] = [];
  for (let i = 0; i < n; i++) {
    const seg = pick(SEGS);
    const kind = pick(['prefix', 'prefix', 'path', 'sep', 'regex', 'ci', 'root']);
    const tail = pick(['', '/', '/x', '/x/y']);
    const match: Route['match'] =
      kind === 'prefix' ? { prefix: `/${seg}${tail}` }
      : kind === 'path' ? { path: `/${seg}${tail}` }
      : kind === 'sep' ? { path_separated_prefix: `/${seg || 's'}${tail.replace(/\/$/, '')}` }
      : kind === 'regex' ? { safe_regex: { regex: `/${seg.replace(/[^a-z]/gi, '')}.*` } }
      : kind === 'ci' ? { prefix: `/${seg}${tail}`, case_sensitive: false }
      : { prefix: '/' };
    if (next() < 0.2) match.headers = [{ name: 'x-h', exact_match: 'y' }];
    rs.push({ match, route: { cluster: `c${i}` } });
  }
  return rs;
}

function key(d: RouteDecision): string {
  return d.kind === 'forward' ? `${d.cluster}#${d.route.index}` : d.kind;
}

test('indexed and full-scan routing agree on generated tables', () => {
  const next = rng(42);
  let indexedTables = 0;
  for (let round = 0; round < 30; round++) {
    const rs = genRoutes(next, 20 + Math.floor(next() * 40));
    // Drop a catch-all so misses happen too.
    const t = routes(rs.filter((r) => r.match.prefix !== '/' || next() < 0.3));
    if ((t.virtualHosts[0] as CompiledVirtualHost).routeIndex !== undefined) indexedTables++;
    for (let q = 0; q < 200; q++) {
      const seg = SEGS[Math.floor(next() * SEGS.length)];
      const path = `/${seg}${['', '/', '/x', '/x/y', 'x', '?q=1', '/x?q'][Math.floor(next() * 7)]}`;
      const headers = next() < 0.5 ? { 'x-h': 'y' } : {};
      const r = req('h', path, { headers });
      const trace: RouteTrace = { steps: [] };
      assert.equal(key(route(t, r, 0)), key(route(t, r, 0, trace)), `path ${path}`);
    }
  }
  assert.ok(indexedTables > 10, `only ${indexedTables} tables were indexed`);
});

test('index keys: /seg/ prefixes, exact paths and separated prefixes; others everywhere', () => {
  const t = routes([
    ...Array.from({ length: 16 }, (_, i) => ({ match: { prefix: `/k${i}/` }, route: { cluster: `k${i}` } })),
    { match: { prefix: '/k1' }, route: { cluster: 'wild' } },
  ]);
  const idx = (t.virtualHosts[0] as CompiledVirtualHost).routeIndex;
  assert.ok(idx !== undefined);
  assert.deepEqual(idx.buckets.get('k1')?.map((r) => r.index), [1, 16]);
  assert.deepEqual(idx.rest.map((r) => r.index), [16]);
  assert.equal(firstSegment('/a/b'), 'a');
  assert.equal(firstSegment('/a'), 'a');
  assert.equal(firstSegment('a'), '');
  assert.equal(buildRouteIndex([], false), undefined);
});
