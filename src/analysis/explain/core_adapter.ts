/**
 * The only place explain/match call into the routing core (src/core/route.ts): compile a route
 * table, route a request, finalize the request. Kept in one file so the core's signatures are
 * wired once. Pure.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { HttpConnectionManager, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import type { RouteDecision, RouteRequest, RouteTable, RouteTrace } from '../../core/route_types.js';
import * as core from '../../core/route.js';

/**
 * Compiles `rc` with the config's runtime. `traced`: every request will be routed with a trace,
 * which scans the routes in order (route() uses the route index only without a trace), so the
 * index is not built.
 */
export function compileTable(
  rc: RouteConfiguration,
  config: LoadedConfig,
  hcm: HttpConnectionManager | undefined,
  traced = false,
): { table: RouteTable | undefined; diagnostics: Diagnostic[] } {
  // The HCM's strip_*_host_port rewrite the Host before routing (core decodeRequestHeaders), as
  // Envoy's connection manager does; they are not ignore_port_in_host_matching.
  void hcm;
  const r = core.compileRouteConfig(rc, { runtime: config.runtime, file: config.file, ...(traced ? { routeIndex: 'off' as const } : {}) });
  return { table: r.table, diagnostics: r.diagnostics };
}

/** The core's route(), with a trace sink. */
export function routeRequest(table: RouteTable, request: RouteRequest, randomValue: number, trace?: RouteTrace): RouteDecision {
  return core.route(table, request, randomValue, trace);
}

/** One upstream request header changed by the route's header mutations. */
export interface HeaderChange {
  readonly op: 'set' | 'remove';
  readonly name: string;
  readonly value: string | null;
}

/** Final :path and :authority the upstream would see after the route's rewrites. */
export function finalPathAndHost(
  decision: RouteDecision,
  request: RouteRequest,
): { path: string; host: string | undefined; autoHostRewrite: boolean; headerChanges: HeaderChange[] } {
  if (decision.kind !== 'forward') return { path: request.path, host: request.authority, autoHostRewrite: false, headerChanges: [] };
  const f = core.finalizeRequest(decision, request);
  // Apply the route's request header mutations to a copy and report the difference.
  const before: Record<string, string | string[] | number | undefined> = { ...request.headers };
  const after = { ...before };
  core.applyRequestHeaders(f, after, {
    requestHeaders: request.headers,
    authority: f.authority,
    path: f.path,
    method: request.method,
    scheme: request.scheme,
    remoteAddress: request.remoteAddress,
    routeName: decision.route.name,
    virtualClusterName: decision.virtualClusterName,
    upstreamCluster: decision.cluster,
  });
  const headerChanges: HeaderChange[] = [];
  const text = (v: string | string[] | number | undefined) => (Array.isArray(v) ? v.join(',') : v === undefined ? undefined : String(v));
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = text(before[name]);
    const a = text(after[name]);
    if (a === b) continue;
    headerChanges.push(a === undefined ? { op: 'remove', name, value: null } : { op: 'set', name, value: a });
  }
  return { path: f.path, host: f.authority, autoHostRewrite: f.autoHostRewrite, headerChanges };
}
