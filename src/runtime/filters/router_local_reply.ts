/**
 * The router's own answers (the sendLocalReply calls of Envoy's router.cc), each with the stats
 * it charges, its status, body, response flag and response-code details: the route answers
 * itself (404 NR, a redirect, a direct response), the cluster is unknown (NC), in maintenance
 * (503 UO) or without a healthy host (503 UH), the upstream failed (503/502 with the reset's
 * flag), the request timed out (504 UT, or 204 with the alternate response), or a retry could
 * not keep the request body (507). The router marks itself finished before calling one of
 * these: the reply can complete the stream synchronously.
 */
import type { DirectResponseDecision, ForwardDecision, NoRouteDecision, RedirectDecision } from '../../core/route_types.js';
import type { StreamDecoderFilterCallbacks } from '../http/filter.js';
import { Details, resetReasonToResponseFlag, upstreamResetBody, upstreamResetDetails, type EnvoyResetReason } from '../http/local_reply.js';
import type { RouterConfig } from './router_config.js';
import type { ClusterRouterStats, RouterStats } from './router_stats.js';

/** A route decision the router answers without an upstream. */
export type LocalRouteDecision = NoRouteDecision | RedirectDecision | DirectResponseDecision;

/** No route (404 NR, `no_route`), a redirect or a direct response (`rq_direct_response`). */
export function sendRouteReply(decision: LocalRouteDecision, config: RouterConfig, cb: StreamDecoderFilterCallbacks): void {
  const stats = config.stats;
  switch (decision.kind) {
    case 'no_route':
      stats.no_route.inc();
      cb.sendLocalReply(404, '', Details.RouteNotFound, { flag: 'NR' });
      return;
    case 'redirect':
      // A redirect is a direct-response entry in current Envoy (router.cc): only
      // rq_direct_response moves; rq_redirect exists and stays 0.
      stats.rq_direct_response.inc();
      cb.sendLocalReply(decision.status, '', Details.DirectResponse, { headers: [['location', decision.location]] });
      return;
    case 'direct_response':
      stats.rq_direct_response.inc();
      cb.sendLocalReply(decision.status, decision.body ?? config.bodyFromFile(decision.bodyFilename), Details.DirectResponse);
      return;
  }
}

/** The route's cluster does not exist: its cluster_not_found_response_code (503 by default), NC, `no_cluster`. */
export function sendClusterNotFound(decision: ForwardDecision, stats: RouterStats, cb: StreamDecoderFilterCallbacks): void {
  stats.no_cluster.inc();
  cb.sendLocalReply(decision.route.clusterNotFoundResponseCode, '', Details.ClusterNotFound, { flag: 'NC' });
}

/** Runtime `upstream.maintenance_mode.<cluster>` drew this request: 503 UO, `x-envoy-overloaded`. */
export function sendMaintenanceMode(cstats: ClusterRouterStats, suppressEnvoyHeaders: boolean, cb: StreamDecoderFilterCallbacks): void {
  cstats.codes.charge(503);
  cstats.upstream_rq_maintenance_mode.inc();
  cb.sendLocalReply(503, 'maintenance mode', Details.MaintenanceMode, {
    flag: 'UO',
    headers: suppressEnvoyHeaders ? undefined : [['x-envoy-overloaded', 'true']],
  });
}

/** The load balancer found no host (first attempt or retry): 503 UH `no healthy upstream`. */
export function sendNoHealthyUpstream(cstats: ClusterRouterStats, cb: StreamDecoderFilterCallbacks): void {
  cstats.codes.charge(503);
  cb.sendLocalReply(503, 'no healthy upstream', Details.NoHealthyUpstream, { flag: 'UH' });
}

/** The status answering an upstream reset or connect failure: 502 for a protocol error, else 503. */
export function upstreamResetStatus(reason: EnvoyResetReason): number {
  return reason === 'protocol_error' ? 502 : 503;
}

/**
 * The reply to an upstream reset or connect failure (Envoy's onUpstreamReset -> onUpstreamAbort):
 * upstreamResetStatus, the reset's response flag, body (`retried`: after retries) and details
 * (`late`: the response had started, so the stream is reset instead). `overloaded` adds
 * `x-envoy-overloaded: true` (a circuit breaker overflowed; the caller checks
 * suppress_envoy_headers). The caller charged the status.
 */
export function sendUpstreamResetReply(
  cb: StreamDecoderFilterCallbacks,
  reason: EnvoyResetReason,
  transportFailureReason: string,
  retried: boolean,
  late: boolean,
  overloaded: boolean,
): void {
  cb.sendLocalReply(upstreamResetStatus(reason), upstreamResetBody(reason, transportFailureReason, retried), upstreamResetDetails(reason, transportFailureReason, late), {
    flag: resetReasonToResponseFlag(reason),
    headers: overloaded ? [['x-envoy-overloaded', 'true']] : undefined,
  });
}

/**
 * The route or per-try timeout fired (Envoy's onUpstreamTimeoutAbort): `status` 504 with
 * `upstream request timeout`, or the empty alternate response (204), UT, `details`.
 */
export function sendTimeoutReply(cb: StreamDecoderFilterCallbacks, status: number, details: string): void {
  cb.sendLocalReply(status, status === 504 ? 'upstream request timeout' : '', details, { flag: 'UT', headers: undefined });
}

/** The body passed the buffer limit while a retry backoff waited for it (Envoy's 507). */
export function sendRetryBufferExceeded(cb: StreamDecoderFilterCallbacks): void {
  cb.sendLocalReply(507, 'exceeded request buffer limit while retrying upstream', 'request_payload_exceeded_retry_buffer_limit');
}
