/**
 * The routes a request never reaches because an earlier route took it: after the matched route,
 * every later route of the same virtual host that would also match this request (same predicates,
 * same random value), in order. Envoy stops at the first match, so these are dead for this request
 * (and the earlier route is broader than the author may think). For explain; serve never asks.
 * Pure.
 */
import type { RouteDecision, RouteRequest, RouteTable, TraceStep } from './route_types.js';
import type { CompiledRouteTable, CompiledVirtualHost } from './route_table.js';
import { matchesRoute } from './route_index.js';
import { pathEnd } from './redirect.js';
import { traceRoute } from './route_trace.js';

/**
 * Later routes of the decision's virtual host that also match `request`, each as the trace step
 * `route()` would record had it been reached (`matched: true`, the matcher in words, position).
 * Empty when no route matched.
 */
export function unreachedMatchingRoutes(table: RouteTable, decision: RouteDecision, request: RouteRequest, randomValue: number): TraceStep[] {
  if (decision.kind === 'no_route' || decision.route === undefined) return [];
  const t = table as CompiledRouteTable;
  const vh = decision.virtualHost as CompiledVirtualHost;
  const end = pathEnd(request.path);
  const pathOnly = end === request.path.length ? request.path : request.path.slice(0, end);
  const out: TraceStep[] = [];
  const routes = vh.routes;
  for (let i = decision.route.index + 1; i < routes.length; i++) {
    const r = routes[i]!;
    if (!matchesRoute(r, pathOnly, request, randomValue, t.runtime)) continue;
    const trace = { steps: [] as TraceStep[] };
    traceRoute(r, request, pathOnly, randomValue, t.runtime, true, trace);
    out.push(...trace.steps);
  }
  return out;
}
