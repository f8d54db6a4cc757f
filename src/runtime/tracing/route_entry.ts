/** The route entry of a routing decision, for span naming (decorator) and tags; undefined when none. */
import type { RouteDecision, RouteEntry } from '../../core/route_types.js';

export function routeEntryOf(decision: RouteDecision | undefined): RouteEntry | undefined {
  if (decision === undefined || decision.kind === 'no_route') return undefined;
  return decision.route ?? undefined;
}
