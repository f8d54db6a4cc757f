// Shared builders for core tests: typed config objects (no loader) and requests.
import type { Route, RouteConfiguration, VirtualHost } from '../../src/config/types.js';
import type { RouteRequest, RouteTable } from '../../src/core/route_types.js';
import { compileRouteConfig, type CompileRouteConfigOptions } from '../../src/core/route.js';

export function req(authority: string | undefined, path: string, extra: Partial<RouteRequest> = {}): RouteRequest {
  return { authority, path, method: 'GET', scheme: 'http', headers: {}, ...extra };
}

export function vhost(name: string, domains: string[], routes: Route[], extra: Partial<VirtualHost> = {}): VirtualHost {
  return { name, domains, routes, ...extra };
}

/**
 * Route index mode for tables built here (undefined: the core's default). The shared behaviour
 * suites run once per implementation: route_impl_index.test.ts sets 'always', route_impl_scan 'off'.
 */
export const suite: { routeIndex?: CompileRouteConfigOptions['routeIndex'] } = {};

export function table(rc: RouteConfiguration, options?: CompileRouteConfigOptions): RouteTable {
  const r = compileRouteConfig(rc, suite.routeIndex === undefined || options?.routeIndex !== undefined ? options : { ...options, routeIndex: suite.routeIndex });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error('unexpected diagnostics: ' + errors.map((d) => d.message).join('; '));
  return r.table;
}

/** A one-vhost (`*`) table with the given routes. */
export function routes(rs: Route[], extra: Partial<RouteConfiguration> = {}, options?: CompileRouteConfigOptions): RouteTable {
  return table({ virtual_hosts: [vhost('vh', ['*'], rs)], ...extra }, options);
}

export function fwd(cluster: string, match: Route['match'], action: Partial<NonNullable<Route['route']>> = {}, extra: Partial<Route> = {}): Route {
  return { match, route: { cluster, ...action }, ...extra };
}
