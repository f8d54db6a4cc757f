/**
 * `route/shadowed`: a route that can never match because an earlier route of the same virtual
 * host matches every request it would match (Envoy tries routes in order; first match wins).
 *
 * An earlier route A shadows a later route B only when A always matches whenever B does:
 * - A has no predicate beyond its path matcher (headers, query_parameters, runtime_fraction,
 *   grpc, tls_context, dynamic_metadata and filter_state can each make A miss), and
 * - A's path matcher covers B's: a `prefix` covers any prefix/path/path_separated_prefix that
 *   starts with it (and `/` or "" covers everything but CONNECT); a `path` covers the same path;
 *   a `path_separated_prefix` covers itself and what lies under it after a `/`. Case: a
 *   case-insensitive A covers case-insensitively; a case-sensitive A covers a case-insensitive B
 *   only when A's prefix has no letters.
 * Or A and B have identical match blocks (whatever their predicates): then B never gets a turn.
 *
 * Lookups are hashed (earlier prefixes by length, probed with B's prefix of each such length;
 * identical matchers bucketed by a cheap key), so a virtual host with thousands of routes costs
 * about O(routes x distinct prefix lengths), not O(routes^2).
 */
import type { RouteMatch } from '../../../config/types.js';
import { lineOf } from '../context.js';
import type { LintRule } from '../rule.js';
import { routeLabel, routesOf, virtualHosts, type RouteSite } from '../walk.js';
import { sampleRouteRequest } from '../../diff/sample_requests.js';

/** Predicates other than the path matcher that can make a route miss. */
function hasExtraPredicates(m: RouteMatch): boolean {
  return (
    (m.headers?.length ?? 0) > 0 ||
    (m.query_parameters?.length ?? 0) > 0 ||
    m.runtime_fraction !== undefined ||
    m.grpc !== undefined ||
    m.tls_context !== undefined ||
    (m.dynamic_metadata?.length ?? 0) > 0 ||
    (m.filter_state?.length ?? 0) > 0 ||
    m.path_match_policy !== undefined
  );
}

/** Structural equality of decoded match blocks (bigint- and key-order-safe). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A cheap bucket key for "identical matchers": candidates in one bucket are compared with deepEqual. */
function bucketKey(m: RouteMatch): string {
  const lit = m.prefix ?? m.path ?? m.path_separated_prefix ?? m.safe_regex?.regex ?? '';
  return `${lit}|${m.headers?.length ?? 0}|${m.query_parameters?.length ?? 0}`;
}

function hasLetters(s: string): boolean {
  return s.toLowerCase() !== s.toUpperCase();
}

interface Earlier {
  readonly site: RouteSite;
  readonly why: string;
}

/** Earlier prefixes, with the distinct lengths present so a lookup probes only those. */
class PrefixTable {
  readonly map = new Map<string, Earlier>();
  readonly lengths: number[] = [];

  add(prefix: string, e: Earlier): void {
    if (this.map.has(prefix)) return;
    this.map.set(prefix, e);
    if (!this.lengths.includes(prefix.length)) this.lengths.push(prefix.length);
  }
}

export const shadowedRoute: LintRule = {
  id: 'route/shadowed',
  severity: 'warning',
  category: 'routing',
  summary: 'A route can never match: an earlier route in the same virtual host always matches first.',
  help:
    'Envoy tries routes in order and stops at the first match. A prefix "/" route, an identical match block, or a ' +
    'shorter prefix with no header/query/runtime predicates placed earlier takes every request this route would ' +
    'get. Move the more specific route above the general one, or narrow the earlier route.',
  example: 'routes: [{ match: { prefix: "/" }, ... }, { match: { prefix: "/api" }, ... }]',
  check(ctx) {
    for (const vh of virtualHosts(ctx.model)) {
      // Unconditional earlier routes, by kind. Case-sensitive keys as written; insensitive ones lowercased.
      const prefixCs = new PrefixTable();
      const prefixCi = new PrefixTable();
      const pathCs = new Map<string, Earlier>();
      const pathCi = new Map<string, Earlier>();
      const sepPrefix = new Map<string, Earlier>();
      const identical = new Map<string, { match: RouteMatch; earlier: Earlier }[]>();
      for (const r of routesOf(vh)) {
        const m = r.route.match;
        if (!m || typeof m !== 'object') continue;
        // Identical plain prefix/path matchers are caught by the prefix and path tables; only
        // matchers with predicates or a regex need the structural comparison.
        const extra = hasExtraPredicates(m);
        const key = extra || (typeof m.prefix !== 'string' && typeof m.path !== 'string' && typeof m.path_separated_prefix !== 'string') ? bucketKey(m) : undefined;
        const hit = findShadow(m, key, { prefixCs, prefixCi, pathCs, pathCi, sepPrefix, identical });
        if (hit) {
          const at = lineOf(hit.site.route);
          ctx.report(this, { node: m, path: `${r.path}.match` },
            `${routeLabel(r)} can never match: ${routeLabel(hit.site)}${at !== undefined ? ` (line ${at})` : ''} ${hit.why} and comes first; ` +
              `both match ${requestShape(r.route.match!)}, which goes to ${routeLabel(hit.site)}; ` +
              'move this route above it or narrow the earlier route');
          continue;
        }
        // Record this route for later ones.
        if (key !== undefined) {
          const bucket = identical.get(key);
          const e = { match: m, earlier: { site: r, why: 'has the identical match' } };
          if (bucket) bucket.push(e);
          else identical.set(key, [e]);
        }
        if (extra) continue;
        const ci = m.case_sensitive === false;
        if (typeof m.prefix === 'string') {
          const why = m.prefix === '' || m.prefix === '/' ? `matches every path (prefix "${m.prefix}")` : `matches the shorter prefix "${m.prefix}"`;
          if (ci) prefixCi.add(m.prefix.toLowerCase(), { site: r, why: `${why} case-insensitively` });
          else prefixCs.add(m.prefix, { site: r, why });
        } else if (typeof m.path === 'string') {
          if (ci) setOnce(pathCi, m.path.toLowerCase(), { site: r, why: `matches path "${m.path}" case-insensitively` });
          else setOnce(pathCs, m.path, { site: r, why: `matches the same path "${m.path}"` });
        } else if (typeof m.path_separated_prefix === 'string') {
          setOnce(sepPrefix, m.path_separated_prefix, { site: r, why: `matches path_separated_prefix "${m.path_separated_prefix}"` });
        }
      }
    }
  },
};

/**
 * The requests the shadowed route would take, all of which the earlier route takes: an example
 * request (method, path, query, the headers its matchers require) and the family it stands for.
 */
function requestShape(m: RouteMatch): string {
  const sample = sampleRouteRequest({ match: m } as Parameters<typeof sampleRouteRequest>[0], undefined);
  const family =
    typeof m.prefix === 'string' ? `every path starting with "${m.prefix}"${m.case_sensitive === false ? ' in any case' : ''}`
      : typeof m.path === 'string' ? (m.case_sensitive === false ? `the path "${m.path}" in any case` : '')
        : typeof m.path_separated_prefix === 'string' ? `the path "${m.path_separated_prefix}" and every path under "${m.path_separated_prefix}/"`
          : m.safe_regex !== undefined ? `every path the regex ${JSON.stringify(m.safe_regex.regex ?? '')} matches`
            : '';
  const conditions = (m.headers?.length ?? 0) + (m.query_parameters?.length ?? 0) > 0 ? ' with the same header/query conditions' : '';
  if (typeof sample === 'string' || sample.unknown !== undefined) return family === '' ? `every request it matches${conditions}` : `${family}${conditions}`;
  const query = sample.query.length > 0 ? `?${sample.query.join('&')}` : '';
  const headers = sample.headers.length > 0 ? ` with ${sample.headers.map(([k, v]) => `${k}: ${v}`).join(', ')}` : '';
  const example = `${sample.connect ? 'CONNECT' : sample.method} ${sample.connect ? '(authority-form)' : `${sample.path}${query}`}${headers}`;
  return family === '' ? example : `${example} (and ${family}${conditions})`;
}

function setOnce(map: Map<string, Earlier>, k: string, v: Earlier): void {
  if (!map.has(k)) map.set(k, v);
}

interface Tables {
  prefixCs: PrefixTable;
  prefixCi: PrefixTable;
  pathCs: Map<string, Earlier>;
  pathCi: Map<string, Earlier>;
  sepPrefix: Map<string, Earlier>;
  identical: Map<string, { match: RouteMatch; earlier: Earlier }[]>;
}

/** The earliest recorded route that always matches before a route with match `m`, if any. */
function findShadow(m: RouteMatch, key: string | undefined, t: Tables): Earlier | undefined {
  const same = key === undefined ? undefined : t.identical.get(key)?.find((e) => deepEqual(e.match, m));
  if (same) return same.earlier;
  if (m.connect_matcher !== undefined) return undefined;
  const bCi = m.case_sensitive === false;
  // The literal every path matched by B starts with, and whether B is an exact path.
  let lit: string | undefined;
  let exact = false;
  let sep = false;
  if (typeof m.prefix === 'string') lit = m.prefix;
  else if (typeof m.path === 'string') {
    lit = m.path;
    exact = true;
  } else if (typeof m.path_separated_prefix === 'string') {
    lit = m.path_separated_prefix;
    sep = true;
  } else if (m.safe_regex !== undefined) {
    // A regex can match any path: only a catch-all prefix covers it.
    return catchAll(t);
  }
  if (lit === undefined) return undefined;
  let best: Earlier | undefined;
  const consider = (e: Earlier | undefined) => {
    if (e && (best === undefined || e.site.index < best.site.index)) best = e;
  };
  // Earlier prefixes: the prefixes of B's literal of each length some earlier prefix has.
  for (const n of t.prefixCs.lengths) {
    if (n > lit.length) continue;
    const p = lit.slice(0, n);
    const cs = t.prefixCs.map.get(p);
    // A case-sensitive A covers a case-insensitive B only if A's prefix has no letters.
    if (cs && (!bCi || !hasLetters(p))) consider(cs);
  }
  const lower = t.prefixCi.lengths.length > 0 || t.pathCi.size > 0 ? lit.toLowerCase() : '';
  for (const n of t.prefixCi.lengths) if (n <= lit.length) consider(t.prefixCi.map.get(lower.slice(0, n)));
  if (exact) {
    const cs = t.pathCs.get(lit);
    if (cs && (!bCi || !hasLetters(lit))) consider(cs);
    if (t.pathCi.size > 0) consider(t.pathCi.get(lower));
  }
  if (!bCi && t.sepPrefix.size > 0) {
    // path_separated_prefix A covers B when B's literal is A's, or lies under A after a '/'.
    // A prefix B equal to A would also match "/apix", which A does not: only a literal under "A/" is covered.
    for (let n = 1; n <= lit.length; n++) {
      if (n < lit.length && lit[n] !== '/') continue;
      const a = t.sepPrefix.get(lit.slice(0, n));
      if (!a) continue;
      if (n < lit.length || exact || sep) consider(a);
    }
  }
  return best;
}

function catchAll(t: Tables): Earlier | undefined {
  const a = t.prefixCs.map.get('') ?? t.prefixCi.map.get('');
  const b = t.prefixCs.map.get('/') ?? t.prefixCi.map.get('/');
  if (a && b) return a.site.index < b.site.index ? a : b;
  return a ?? b;
}
