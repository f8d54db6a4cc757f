// compileRouteConfig and route() never throw, whatever the (decoded) config and request hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Route, RouteConfiguration } from '../../src/config/types.js';
import { compileRouteConfig, route, finalizeRequest, finalizeResponseHeaders, applyRequestHeaders, applyHeaderMutations } from '../../src/core/route.js';
import type { RouteTrace } from '../../src/core/route_types.js';
import { req } from './helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const STRS = ['', '/', '/a', '/a/', 'a', '*', '*.x.com', 'x.*', 'X.COM', 'x.com:80', '[::1]:80', '(', '.*', '^/a$', '\\', '%', '%REQ(x)%', '%%', '?', '#', 'é'];

test('random configs and requests never throw; routing with a trace decides exactly as without', () => {
  const next = rng(7);
  const kinds = new Map<string, number>();
  let traced = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  for (let round = 0; round < 200; round++) {
    const routes: Route[] = [];
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) {
      const which = Math.floor(next() * 5);
      const match: Route['match'] =
        which === 0 ? { prefix: pick(STRS), case_sensitive: next() < 0.5 }
        : which === 1 ? { path: pick(STRS) }
        : which === 2 ? { safe_regex: { regex: pick(STRS) } }
        : which === 3 ? { path_separated_prefix: pick(STRS) }
        : { prefix: '/', headers: [{ name: pick(STRS), string_match: { safe_regex: { regex: pick(STRS) } } }], query_parameters: [{ name: pick(STRS) }] };
      const a = Math.floor(next() * 4);
      const r: Route =
        a === 0 ? { match, route: { cluster_header: pick(STRS), prefix_rewrite: pick(STRS), host_rewrite_header: pick(STRS) } }
        : a === 1 ? { match, route: { weighted_clusters: { clusters: [{ name: pick(STRS), weight: Math.floor(next() * 3) }], header_name: pick(STRS) }, regex_rewrite: { pattern: { regex: pick(STRS) }, substitution: pick(STRS) } } }
        : a === 2 ? { match, redirect: { path_redirect: pick(STRS), regex_rewrite: { pattern: { regex: pick(STRS) }, substitution: pick(STRS) }, strip_query: next() < 0.5, port_redirect: next() < 0.5 ? 8080 : undefined } }
        : { match, direct_response: { status: pick([0, 200, 404, 999]), body: { inline_string: pick(STRS) } } };
      r.request_headers_to_add = [{ header: { key: pick(STRS), value: pick(STRS) } }];
      r.response_headers_to_add = [{ header: { key: pick(STRS), value: pick(STRS) } }];
      routes.push(r);
    }
    const rc: RouteConfiguration = {
      virtual_hosts: [
        { name: 'a', domains: [pick(STRS), pick(STRS)], routes, require_tls: pick(['NONE', 'ALL', 'EXTERNAL_ONLY'] as const) },
        { name: 'b', domains: [pick(STRS)], routes },
      ],
    };
    const { table } = compileRouteConfig(rc, { runtime: { 're2.max_program_size.error_level': pick([1, 100, 'x']) } });
    for (let q = 0; q < 20; q++) {
      const r = req(next() < 0.1 ? undefined : pick(STRS), pick(STRS), { headers: { [pick(STRS)]: pick(STRS), 'x-forwarded-proto': pick(['http', 'https']) } });
      const randomValue = Math.floor(next() * 1000);
      const d = route(table, r, randomValue);
      const trace: RouteTrace = { steps: [] };
      // The trace only records why: the decision (same request, same random value) is the same.
      assert.deepStrictEqual(route(table, r, randomValue, trace), d, JSON.stringify({ round, q, request: r }));
      if (trace.steps.length > 0) traced++;
      kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
      if (d.kind === 'forward' || d.kind === 'direct_response') {
        const f = finalizeRequest(d, r);
        applyRequestHeaders(f, {}, { requestHeaders: r.headers });
      }
      applyHeaderMutations(finalizeResponseHeaders(d), {}, {});
    }
  }
  // The comparison covered every kind of decision, with traces that recorded steps.
  assert.deepEqual([...kinds.keys()].sort(), ['direct_response', 'forward', 'no_route', 'redirect']);
  assert.equal(traced, 200 * 20);
});

test('header matchers on names that plain objects inherit (constructor, __proto__) see no header', () => {
  const rc: RouteConfiguration = {
    virtual_hosts: [
      {
        name: 'v',
        domains: ['*'],
        routes: [
          { match: { prefix: '/', headers: [{ name: 'constructor', present_match: true }] }, route: { cluster: 'ctor' } },
          { match: { prefix: '/', headers: [{ name: '__proto__', present_match: true }] }, route: { cluster: 'proto' } },
          { match: { prefix: '/' }, route: { cluster: 'fallback' } },
        ],
      },
    ],
  };
  const { table } = compileRouteConfig(rc);
  const d = route(table, req('h', '/'), 0);
  assert.equal(d.kind === 'forward' ? d.cluster : d.kind, 'fallback');
  const withHeader = route(table, req('h', '/', { headers: { constructor: 'x' } }), 0);
  assert.equal(withHeader.kind === 'forward' ? withHeader.cluster : withHeader.kind, 'ctor');
});
