/**
 * An order-preserving index of a virtual host's routes by the first path segment, so route()
 * does not scan thousands of routes for every request. Not an Envoy structure (Envoy scans
 * linearly); it changes no result: for each first segment it keeps, in declared order, exactly
 * the routes that could match a path starting with that segment, and first-match-wins is
 * evaluated on that sublist.
 *
 * A route is keyed by segment `s` only when it can match nothing but paths whose first segment
 * is `s`: a case-sensitive `prefix` of the form `/s/...`, a case-sensitive `path` `/s` or
 * `/s/...`, a case-sensitive `path_separated_prefix` `/s...`, a `safe_regex` whose literal
 * prefix (regex.ts literalPrefix) is `/s/...`. All other
 * routes (regexes, `/` prefixes, case-insensitive matchers, prefixes ending mid-segment) go in
 * every list.
 */
import type { CompiledRoute } from './route_entry.js';

/** Below this many routes a linear scan is as fast as the lookup. */
export const ROUTE_INDEX_MIN_ROUTES = 8;

export interface RouteIndex {
  readonly buckets: ReadonlyMap<string, readonly CompiledRoute[]>;
  /** Routes that can match any first segment, in order: the list for an unindexed segment. */
  readonly rest: readonly CompiledRoute[];
}

/** The segment a route is confined to, or undefined when it may match several. */
function routeSegment(r: CompiledRoute): string | undefined {
  if (!r.caseSensitive) return undefined;
  const v = r.pathValue;
  if (!v.startsWith('/')) return undefined;
  const slash = v.indexOf('/', 1);
  switch (r.pathKind) {
    case 'prefix':
      // "/seg" could also match "/segment": only "/seg/..." pins the segment.
      return slash > 1 ? v.slice(1, slash) : undefined;
    case 'safe_regex': {
      // A regex whose literal prefix is "/seg/..." only matches paths in that segment.
      const lit = r.pathRegex?.literalPrefix ?? '';
      if (!lit.startsWith('/')) return undefined;
      const s2 = lit.indexOf('/', 1);
      return s2 > 1 ? lit.slice(1, s2) : undefined;
    }
    case 'path':
    case 'path_separated_prefix': {
      const seg = slash < 0 ? v.slice(1) : v.slice(1, slash);
      return seg.length > 0 ? seg : undefined;
    }
    default:
      return undefined;
  }
}

/** Builds the index, or undefined when the vhost is small or nothing can be keyed. */
export function buildRouteIndex(routes: readonly CompiledRoute[], ignorePathParameters: boolean): RouteIndex | undefined {
  // With ignore_path_parameters_in_path_matching the matched path is cut at ';', which the
  // request's raw first segment may contain: do not index.
  if (routes.length < ROUTE_INDEX_MIN_ROUTES || ignorePathParameters) return undefined;
  const keys = routes.map(routeSegment);
  const distinct = new Set(keys.filter((k): k is string => k !== undefined));
  if (distinct.size === 0) return undefined;
  const buckets = new Map<string, CompiledRoute[]>();
  for (const k of distinct) buckets.set(k, []);
  const rest: CompiledRoute[] = [];
  routes.forEach((r, i) => {
    const k = keys[i];
    if (k === undefined) {
      rest.push(r);
      for (const list of buckets.values()) list.push(r);
    } else {
      buckets.get(k)!.push(r);
    }
  });
  return { buckets, rest };
}

/** First segment of a path without query (`/a/b` -> `a`), "" when the path does not start with `/`. */
export function firstSegment(pathOnly: string): string {
  if (pathOnly.charCodeAt(0) !== 47) return '';
  const slash = pathOnly.indexOf('/', 1);
  return slash < 0 ? pathOnly.slice(1) : pathOnly.slice(1, slash);
}
