/**
 * Route coverage as Envoy's router_check_tool counts it (test/tools/router_check/coverage.cc).
 *
 * - The denominator counts every route of every virtual host, a `weighted_clusters` route once
 *   per cluster entry (each entry is its own route entry in Envoy).
 * - A route entry becomes "covered" the first time one of its assertions passes: cluster_name,
 *   virtual_cluster_name, virtual_host_name, path_rewrite, host_rewrite for forwarding routes;
 *   path_redirect, code_redirect for redirects and direct responses. An assertion that fails, or
 *   that passes against "no route", covers nothing.
 * - Plain coverage = covered entries / routes. `--covall` (comprehensive) weighs each covered
 *   entry by the share of its fields asserted (5 fields for a forwarding entry, 2 for a redirect
 *   or direct response) and lists routes without any test by their match in text format.
 * - `--detailed-coverage` lists untested routes by name. Envoy renames every route to
 *   `<name>-<uuid>` before building the table; tsproxy derives the suffix deterministically from
 *   the route's position so output is reproducible (the core is pure: no randomness).
 *
 * Deliberate deviations, both where Envoy's tool can report more than 100%: Envoy builds a fresh
 * route entry per request for `cluster_header` routes, so each such test adds another "covered
 * route"; and its `require_tls` redirect is a route of its own that is not in the configuration
 * yet counts as covered. tsproxy counts a configured route (or weighted entry) once, and a
 * `require_tls` redirect covers nothing. Pure.
 */
import type { RouteDecision, RouteEntry, RouteTable } from '../../core/route_types.js';
import { routeMatchText } from './route_match_text.js';

export type CoverageField =
  | 'cluster_name'
  | 'virtual_cluster_name'
  | 'virtual_host_name'
  | 'path_rewrite'
  | 'host_rewrite'
  | 'path_redirect'
  | 'code_redirect';

const ROUTE_ENTRY_FIELDS: readonly CoverageField[] = ['cluster_name', 'virtual_cluster_name', 'virtual_host_name', 'path_rewrite', 'host_rewrite'];
const DIRECT_RESPONSE_FIELDS: readonly CoverageField[] = ['path_redirect', 'code_redirect'];

/** What a passing assertion covers: one route entry (or weighted entry, or the SSL redirect). */
export interface CoverageTarget {
  readonly key: string;
  /** The unique route name (`<name>-<uuid>`). */
  readonly routeName: string;
  readonly kind: 'route_entry' | 'direct_response';
}

export interface CoverageReport {
  /** Percentage, 0..100 (NaN when the configuration has no routes). */
  percent: number;
  /** Lines to print before the percentage (`Missing test for host: ...`). */
  missing: string[];
  /** Routes no passing assertion touched, machine-readable. */
  untested: { virtualHost: string; routeName: string; routeIndex: number; match: string }[];
}

interface RouteInfo {
  vhost: string;
  uniqueName: string;
  index: number;
  route: RouteEntry;
}

export class Coverage {
  private readonly routes: RouteInfo[] = [];
  private readonly uniqueNames = new Map<RouteEntry, string>();
  private readonly numRoutes: number;
  private readonly covered = new Map<string, { target: CoverageTarget; fields: Set<CoverageField> }>();

  constructor(table: RouteTable) {
    let n = 0;
    for (const vh of table.virtualHosts) {
      for (const r of vh.routes) {
        const uniqueName = `${r.name ?? ''}-${pseudoUuid(`${vh.index}/${vh.name}/${r.index}`)}`;
        this.uniqueNames.set(r, uniqueName);
        this.routes.push({ vhost: vh.name, uniqueName, index: r.index, route: r });
        n += r.weightedClusters.length > 0 ? r.weightedClusters.length : 1;
      }
    }
    this.numRoutes = n;
  }

  /** The unique name Envoy's tool would have given `route`. */
  uniqueName(route: RouteEntry): string {
    return this.uniqueNames.get(route) ?? '';
  }

  /** The coverage entry a decision touches; undefined for no route and require_tls redirects. */
  targetFor(d: RouteDecision): CoverageTarget | undefined {
    switch (d.kind) {
      case 'no_route':
        return undefined;
      case 'forward': {
        const base = `r:${d.route.virtualHost.index}:${d.route.index}`;
        const key = d.weightedCluster !== undefined ? `${base}:w${d.weightedCluster.index}` : base;
        return { key, routeName: this.uniqueName(d.route), kind: 'route_entry' };
      }
      case 'redirect':
        // A require_tls redirect is not a configured route: it covers nothing.
        if (d.route === undefined) return undefined;
        return { key: `r:${d.route.virtualHost.index}:${d.route.index}`, routeName: this.uniqueName(d.route), kind: 'direct_response' };
      case 'direct_response':
        return { key: `r:${d.route.virtualHost.index}:${d.route.index}`, routeName: this.uniqueName(d.route), kind: 'direct_response' };
    }
  }

  /** Records a passing assertion of `field` against `target`. */
  mark(target: CoverageTarget, field: CoverageField): void {
    let c = this.covered.get(target.key);
    if (!c) {
      c = { target, fields: new Set() };
      this.covered.set(target.key, c);
    }
    c.fields.add(field);
  }

  /** Envoy's `Coverage::report`: covered entries over routes; `detailed` lists untested route names. */
  report(detailed: boolean): CoverageReport {
    const untested = this.untested();
    return {
      percent: this.numRoutes === 0 ? NaN : (100 * this.covered.size) / this.numRoutes,
      missing: detailed ? untested.map((u) => `Missing test for host: ${u.virtualHost}, route name: ${u.routeName}`) : [],
      untested,
    };
  }

  /** Envoy's `Coverage::comprehensiveReport` (`--covall`): weighted by fields asserted. */
  comprehensiveReport(): CoverageReport {
    let cumulative = 0;
    for (const c of this.covered.values()) {
      const fields = c.target.kind === 'route_entry' ? ROUTE_ENTRY_FIELDS : DIRECT_RESPONSE_FIELDS;
      cumulative += fields.filter((f) => c.fields.has(f)).length / fields.length;
    }
    const untested = this.untested();
    return {
      percent: this.numRoutes === 0 ? NaN : (100 * cumulative) / this.numRoutes,
      // TextFormat output ends with a newline of its own, so Envoy's line is followed by a blank one.
      missing: untested.map((u) => `Missing test for host: ${u.virtualHost}, route: ${u.match}`),
      untested,
    };
  }

  private untested(): CoverageReport['untested'] {
    const coveredNames = new Set<string>();
    for (const c of this.covered.values()) coveredNames.add(c.target.routeName);
    return this.routes
      .filter((r) => !coveredNames.has(r.uniqueName))
      .map((r) => ({ virtualHost: r.vhost, routeName: r.uniqueName, routeIndex: r.index, match: routeMatchText(r.route.config.match ?? {}, true) }));
  }
}

/** A UUID-shaped, deterministic name suffix (FNV-1a over the seed, four rounds). */
export function pseudoUuid(seed: string): string {
  let hex = '';
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    hex += h.toString(16).padStart(8, '0');
  }
  // Version 4 / variant 10 bits, as random.uuid() produces.
  const v = hex.slice(0, 12) + '4' + hex.slice(13, 16) + ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16) + hex.slice(17, 32);
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}
