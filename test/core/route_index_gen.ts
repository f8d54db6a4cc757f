// Generated route tables and requests for the route index's differential test: every path
// matcher kind (prefix, path, safe_regex with and without a literal prefix, path_separated_prefix,
// connect_matcher, each case-sensitive or not), header matchers (exact, string_match exact with
// and without ignore_case, prefix, presence, inverted, :method), query parameters,
// runtime_fraction, grpc, ignore_path_parameters_in_path_matching; requests built from the same
// vocabulary with case changes, suffixes, ';params', queries and multi-valued headers.
// Used by test/core/route_index.test.ts (~50k requests) and bench/route.mjs --diff (1M).
import type { HeaderMatcher, Route, RouteConfiguration } from '../../src/config/types.js';
import { compileRouteConfig } from '../../src/core/route.js';
import type { RouteDecision, RouteRequest, RouteTable } from '../../src/core/route_types.js';

/** Deterministic generator (LCG) so every failure reproduces from its seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SEGS = ['api', 'API', 'app', 'a', 'static', 'v1', 'seg;x', 'users', 'Ünï', 'ΑΣ', ''];
const TAILS = ['', '/', '/x', '/x/y', 'x', '/42', '/v2/items'];
const TENANTS = ['acme', 'ACME', 'globex', 'initech', ''];
const METHODS = ['GET', 'POST', 'PUT', 'CONNECT'];

function pick<T>(next: () => number, xs: readonly T[]): T {
  return xs[Math.floor(next() * xs.length)]!;
}

function headerMatcher(next: () => number): HeaderMatcher {
  switch (Math.floor(next() * 9)) {
    case 0: return { name: 'x-tenant', exact_match: pick(next, TENANTS) };
    case 1: return { name: 'x-tenant', string_match: { exact: pick(next, TENANTS) } };
    case 2: return { name: 'x-tenant', string_match: { exact: pick(next, TENANTS), ignore_case: true } };
    case 3: return { name: ':method', string_match: { exact: pick(next, METHODS) } };
    case 4: return { name: 'x-tenant', exact_match: pick(next, TENANTS), invert_match: true };
    case 5: return { name: 'x-env', prefix_match: 'pro' };
    case 6: return { name: 'x-env' };
    case 7: return { name: 'x-tenant', string_match: { exact: '' }, treat_missing_header_as_empty: true };
    default: return { name: ':authority', exact_match: 'h' };
  }
}

/** A route table of `n` routes mixing every matcher kind. */
export function genRouteConfig(next: () => number, n: number): RouteConfiguration {
  const rs: Route[] = [];
  for (let i = 0; i < n; i++) {
    const seg = pick(next, SEGS);
    const tail = pick(next, TAILS);
    const ci = next() < 0.15 ? { case_sensitive: false } : {};
    let match: Route['match'];
    switch (Math.floor(next() * 10)) {
      case 0: case 1: match = { prefix: `/${seg}${tail}`, ...ci }; break;
      case 2: match = { path: `/${seg}${tail}`, ...ci }; break;
      case 3: match = { path_separated_prefix: `/${seg || 's'}${tail.replace(/\/$/, '')}`, ...ci }; break;
      case 4: match = { safe_regex: { regex: `/${seg.replace(/[^a-z]/gi, '') || 'r'}/[0-9]+` } }; break;
      case 5: match = { safe_regex: { regex: pick(next, ['.*/x', '/(api|app)/.*', '(?i)/api.*', '/[a-z]+', '.*;x.*', '/v[0-9]/.*']) } }; break;
      case 6: match = next() < 0.3 ? { connect_matcher: {} } : { prefix: pick(next, ['', '/']) }; break;
      case 7: match = { prefix: `/${seg.slice(0, 2)}`, ...ci }; break;
      case 8: match = { path: pick(next, ['/', '/a', '/API/x', '/static']), ...ci }; break;
      default: match = { prefix: `/${seg}`, ...ci };
    }
    const extra = Math.floor(next() * 6);
    if (extra <= 2) match.headers = [headerMatcher(next), ...(next() < 0.3 ? [headerMatcher(next)] : [])];
    else if (extra === 5) match.query_parameters = [{ name: 'q', string_match: { exact: '1' } }];
    else if (extra === 3 && next() < 0.3) match.runtime_fraction = { default_value: { numerator: 50, denominator: 'HUNDRED' }, runtime_key: 'k' };
    else if (extra === 4 && next() < 0.3) match.grpc = {};
    rs.push({ name: `r${i}`, match, route: { cluster: `c${i}` } });
  }
  return {
    name: 'gen',
    ignore_path_parameters_in_path_matching: next() < 0.15,
    virtual_hosts: [{ name: 'vh', domains: ['*'], routes: rs }],
  };
}

/** A request drawn from the same vocabulary as the routes. */
export function genRequest(next: () => number): RouteRequest {
  let seg = pick(next, SEGS);
  const r = next();
  if (r < 0.1) seg = seg.toUpperCase();
  else if (r < 0.2) seg = seg.toLowerCase();
  let path = `/${seg}${pick(next, TAILS)}`;
  if (next() < 0.1) path += ';p=1';
  if (next() < 0.2) path += pick(next, ['?q=1', '?q=2', '#f', '?a=b&q=1']);
  const method = pick(next, METHODS);
  if (method === 'CONNECT' && next() < 0.5) path = '';
  const headers: Record<string, string | string[]> = {};
  if (next() < 0.6) headers['x-tenant'] = next() < 0.1 ? ['acme', 'globex'] : pick(next, TENANTS);
  if (next() < 0.3) headers['x-env'] = pick(next, ['prod', 'dev', '']);
  if (next() < 0.1) headers['content-type'] = 'application/grpc';
  return { authority: pick(next, ['h', 'x']), path, method, scheme: 'http', headers };
}

/** What must agree between the index and the scan. */
export function decisionKey(d: RouteDecision): string {
  const route = d.kind === 'no_route' ? (d.route?.index ?? -1) : (d.route?.index ?? -1);
  return `${d.kind}#${route}${d.kind === 'forward' ? `:${d.cluster}` : ''}`;
}

/** The config compiled twice: with the index forced on, and with the reference scan. */
export function compileBoth(rc: RouteConfiguration): { indexed: RouteTable; scan: RouteTable } {
  return {
    indexed: compileRouteConfig(rc, { routeIndex: 'always' }).table,
    scan: compileRouteConfig(rc, { routeIndex: 'off' }).table,
  };
}
