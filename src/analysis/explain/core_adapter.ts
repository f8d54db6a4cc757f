/**
 * The only place explain/match call into the routing core (src/core/route.ts): compile a route
 * table, route a request, finalize the request. Kept in one file so the core's signatures are
 * wired once. Pure.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { HttpConnectionManager, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import type { RouteDecision, RouteRequest, RouteTable, RouteTrace } from '../../core/route_types.js';
import * as core from '../../core/route.js';

/** Compiles `rc` with the config's runtime and the HCM's host-port options. */
export function compileTable(
  rc: RouteConfiguration,
  config: LoadedConfig,
  hcm: HttpConnectionManager | undefined,
): { table: RouteTable | undefined; diagnostics: Diagnostic[] } {
  // The HCM's strip_*_host_port rewrite the Host before routing (request.ts hcmAuthority), as
  // Envoy's connection manager does; they are not ignore_port_in_host_matching.
  void hcm;
  const r = core.compileRouteConfig(rc, { runtime: config.runtime, file: config.file });
  return { table: r.table, diagnostics: r.diagnostics };
}

/** The core's route(), with a trace sink. */
export function routeRequest(table: RouteTable, request: RouteRequest, randomValue: number, trace?: RouteTrace): RouteDecision {
  return core.route(table, request, randomValue, trace);
}

/** Final :path and :authority the upstream would see after the route's rewrites. */
export function finalPathAndHost(
  decision: RouteDecision,
  request: RouteRequest,
): { path: string; host: string | undefined; autoHostRewrite: boolean } {
  if (decision.kind !== 'forward') return { path: request.path, host: request.authority, autoHostRewrite: false };
  const f = core.finalizeRequest(decision, request);
  return { path: f.path, host: f.authority, autoHostRewrite: f.autoHostRewrite };
}
