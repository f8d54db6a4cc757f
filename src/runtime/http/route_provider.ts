/**
 * The connection manager's view of routing: the core's `route()` over the HCM's compiled route
 * table, plus the core's request/response finalization. Serve routes with the core and nothing
 * else (DESIGN.md); this interface only binds the compiled table so the hot path makes one call.
 */
import type { ForwardDecision, RouteDecision, RouteRequest } from '../../core/route_types.js';
import type { RequestHeaderMap, ResponseHeaderMap } from './filter.js';
import type { StreamInfo } from '../stream_info.js';

/** Routing for one HCM; all methods are synchronous and side-effect free except the in-place header edits. */
export interface RouteProvider {
  /** The core's route() for this request. Pure; called at most once per stream unless the cache is cleared. */
  route(request: RouteRequest, randomValue: number): RouteDecision;
  /**
   * Applies the decision's path/host rewrites and request header mutations to `headers` in
   * place (Envoy's RouteEntry::finalizeRequestHeaders). Sets `x-envoy-original-path` when the
   * path changes.
   */
  finalizeRequest(decision: ForwardDecision, headers: RequestHeaderMap, streamInfo: StreamInfo): void;
  /**
   * Applies response header mutations of the route, virtual host and route configuration
   * (Envoy's finalizeResponseHeaders), for upstream responses and direct responses.
   */
  finalizeResponse(decision: RouteDecision, headers: ResponseHeaderMap, streamInfo: StreamInfo): void;
}
