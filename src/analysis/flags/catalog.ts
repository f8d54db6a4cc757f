/**
 * Envoy's response flags (%RESPONSE_FLAGS%), each with what it means, the status the client
 * sees, its %RESPONSE_CODE_DETAILS%, the config knobs that decide it (knobs.ts) and the stats
 * that count it (Envoy's names: REFERENCE.md "Stats"). `explain --flags` reads this table. Pure.
 */
import type { Cluster } from '../../config/types.js';
import {
  circuitBreakers, clusterOwner, connectTimeout, endpoints, filters, hcmTimeouts, healthChecks, outlierDetection, panicThreshold,
  retryPolicy, routeTimeouts, transportSocket, upstreamConnection, type FlagContext, type KnobJson,
} from './knobs.js';

export interface FlagInfo {
  readonly short: string;
  /** %RESPONSE_FLAGS_LONG%. */
  readonly long: string;
  /** What the client gets. */
  readonly status: string;
  readonly meaning: string;
  /** %RESPONSE_CODE_DETAILS% values that go with it. */
  readonly details: readonly string[];
  readonly knobs: (ctx: FlagContext) => KnobJson[];
  readonly stats: (ctx: FlagContext) => string[];
}

const each = <T>(cs: readonly Cluster[], f: (c: Cluster) => T[]): T[] => cs.flatMap(f);
const cstat = (ctx: FlagContext, names: string[]) => each(ctx.clusters, (c) => names.map((n) => `cluster.${c.alt_stat_name ?? c.name}.${n}`));
const hstat = (ctx: FlagContext, names: string[]) => names.map((n) => `http.${ctx.statPrefix}.${n}`);
const routeRetry = (ctx: FlagContext): KnobJson[] =>
  ctx.route ? retryPolicy(ctx.routeLabel, ctx.route.retryPolicy, ctx.route.action?.retry_policy === undefined && ctx.route.retryPolicy !== undefined) : [];

const TABLE: readonly FlagInfo[] = [
  {
    short: 'UF', long: 'UpstreamConnectionFailure', status: '503 (or the retried attempt\'s answer)',
    meaning: 'a connection to the chosen upstream host could not be made: refused, reset, TLS handshake failed, or connect_timeout elapsed',
    details: ['upstream_reset_before_response_started{connection_failure}', 'upstream_reset_before_response_started{connection_failure,<transport failure reason>}'],
    knobs: (ctx) => [...each(ctx.clusters, (c) => [connectTimeout(c), transportSocket(c), endpoints(c)]), ...routeRetry(ctx), ...each(ctx.clusters, outlierDetection)],
    stats: (ctx) => cstat(ctx, ['upstream_cx_connect_fail', 'upstream_cx_connect_timeout', 'upstream_cx_total', 'upstream_rq_retry', 'outlier_detection.ejections_enforced_total']),
  },
  {
    short: 'URX', long: 'UpstreamRetryLimitExceeded', status: 'the last attempt\'s status (503 after UF, 504 after UT, the upstream\'s 5xx)',
    meaning: 'the request was retried as the retry policy allows and every attempt failed: num_retries used up (or the retry circuit breaker refused a retry)',
    details: ['the last attempt\'s details'],
    knobs: (ctx) => [...routeRetry(ctx), ...each(ctx.clusters, (c) => circuitBreakers(c, ['max_retries']))],
    stats: (ctx) => cstat(ctx, ['upstream_rq_retry', 'upstream_rq_retry_limit_exceeded', 'upstream_rq_retry_success', 'upstream_rq_retry_overflow', 'circuit_breakers.default.rq_retry_open']),
  },
  {
    short: 'UO', long: 'UpstreamOverflow', status: '503 with x-envoy-overloaded: true',
    meaning: 'a circuit breaker of the cluster was open (too many pending or active requests), or the cluster is in maintenance mode',
    details: ['upstream_reset_before_response_started{overflow}', 'maintenance_mode'],
    knobs: (ctx) => each(ctx.clusters, (c) => [
      ...circuitBreakers(c, ['max_connections', 'max_pending_requests', 'max_requests']),
      { owner: clusterOwner(c), field: `runtime upstream.maintenance_mode.${c.name}`, value: 'see layered_runtime', default: true, position: null, note: 'a percentage of requests answered 503 UO at once (maintenance_mode)' },
    ]),
    stats: (ctx) => cstat(ctx, ['upstream_rq_pending_overflow', 'upstream_cx_overflow', 'circuit_breakers.default.cx_open', 'circuit_breakers.default.rq_pending_open', 'circuit_breakers.default.rq_open', 'upstream_rq_maintenance_mode', 'upstream_rq_pending_active', 'upstream_rq_active']),
  },
  {
    short: 'UH', long: 'NoHealthyUpstream', status: '503',
    meaning: 'the cluster had no healthy host to send to (no endpoints, all failing health checks or ejected by outlier detection, panic routing off)',
    details: ['no_healthy_upstream'],
    knobs: (ctx) => each(ctx.clusters, (c) => [endpoints(c), healthChecks(c), ...outlierDetection(c), panicThreshold(c)]),
    stats: (ctx) => cstat(ctx, ['upstream_cx_none_healthy', 'membership_healthy', 'membership_total', 'lb_healthy_panic', 'outlier_detection.ejections_active']),
  },
  {
    short: 'UT', long: 'UpstreamRequestTimeout', status: '504',
    meaning: 'the route timeout (or, retried, the per-try timeout on the last attempt) elapsed before the upstream answered',
    details: ['response_timeout', 'upstream_per_try_timeout'],
    knobs: (ctx) => [...(ctx.route ? routeTimeouts(ctx.routeLabel, ctx.route) : []), ...routeRetry(ctx)],
    stats: (ctx) => [...cstat(ctx, ['upstream_rq_timeout', 'upstream_rq_per_try_timeout', 'upstream_rq_time']), ...hstat(ctx, ['downstream_rq_5xx'])],
  },
  {
    short: 'UC', long: 'UpstreamConnectionTermination', status: '503',
    meaning: 'the upstream closed the connection before the response was complete (often: it closes idle keep-alive connections sooner than Envoy reuses them)',
    details: ['upstream_reset_before_response_started{connection_termination}', 'upstream_reset_after_response_started{connection_termination}'],
    knobs: (ctx) => [...each(ctx.clusters, upstreamConnection), ...routeRetry(ctx)],
    stats: (ctx) => cstat(ctx, ['upstream_cx_destroy_remote_with_active_rq', 'upstream_cx_destroy_remote', 'upstream_rq_retry']),
  },
  {
    short: 'UR', long: 'UpstreamRemoteReset', status: '503',
    meaning: 'the upstream reset the stream (HTTP/2 RST_STREAM, or the connection reset mid-request)',
    details: ['upstream_reset_before_response_started{remote_reset}'],
    knobs: (ctx) => routeRetry(ctx),
    stats: (ctx) => cstat(ctx, ['upstream_rq_rx_reset', 'upstream_rq_retry']),
  },
  {
    short: 'LR', long: 'LocalReset', status: '503',
    meaning: 'Envoy itself reset the upstream stream (for example a per-try timeout with hedging, or the downstream went away)',
    details: ['upstream_reset_before_response_started{local_reset}'],
    knobs: (ctx) => routeRetry(ctx),
    stats: (ctx) => cstat(ctx, ['upstream_rq_tx_reset']),
  },
  {
    short: 'NR', long: 'NoRouteFound', status: '404',
    meaning: 'no virtual host matched the Host, or no route of the virtual host matched (explain a request to see which and why)',
    details: ['route_not_found'],
    knobs: () => [],
    stats: (ctx) => hstat(ctx, ['no_route']),
  },
  {
    short: 'NC', long: 'NoClusterFound', status: '503 (cluster_not_found_response_code)',
    meaning: 'the route names a cluster the config does not define (or cluster_header is missing)',
    details: ['cluster_not_found'],
    knobs: (ctx) => ctx.missingClusters.map((name) => ({ owner: ctx.routeLabel, field: 'cluster', value: name, default: false, position: null, note: 'not defined in this config' })),
    stats: (ctx) => hstat(ctx, ['no_cluster']),
  },
  {
    short: 'SI', long: 'StreamIdleTimeout', status: '408 (or a reset once the response started)',
    meaning: 'no data moved on the stream for the idle timeout',
    details: ['stream_idle_timeout'],
    knobs: (ctx) => [...(ctx.route ? routeTimeouts(ctx.routeLabel, ctx.route).slice(1) : []), ...hcmTimeouts(ctx.hcm, ctx.statPrefix).slice(0, 1)],
    stats: (ctx) => hstat(ctx, ['downstream_rq_idle_timeout']),
  },
  {
    short: 'DT', long: 'DurationTimeout', status: '408 or a reset',
    meaning: 'a stream or connection reached its maximum duration',
    details: ['max_duration_timeout'],
    knobs: (ctx) => hcmTimeouts(ctx.hcm, ctx.statPrefix).slice(2),
    stats: (ctx) => hstat(ctx, ['downstream_rq_max_duration_reached', 'downstream_cx_max_duration_reached']),
  },
  {
    short: 'UMSDR', long: 'UpstreamMaxStreamDurationReached', status: '408 or a reset',
    meaning: 'the upstream stream reached the cluster\'s max_stream_duration',
    details: ['upstream_max_stream_duration_reached'],
    knobs: () => [],
    stats: (ctx) => cstat(ctx, ['upstream_rq_max_duration_reached']),
  },
  {
    short: 'DC', long: 'DownstreamConnectionTermination', status: 'usually 0 (nothing was sent)',
    meaning: 'the client closed its connection before the response was complete',
    details: ['downstream_remote_disconnect'],
    knobs: () => [],
    stats: (ctx) => hstat(ctx, ['downstream_cx_destroy_remote_active_rq', 'downstream_rq_rx_reset']),
  },
  {
    short: 'DPE', long: 'DownstreamProtocolError', status: '400',
    meaning: 'the client sent bytes that are not valid HTTP (or over the connection manager\'s limits)',
    details: ['http1.codec_error', 'http2.violation.of.messaging.rule'],
    knobs: () => [],
    stats: (ctx) => hstat(ctx, ['downstream_cx_protocol_error']),
  },
  {
    short: 'UPE', long: 'UpstreamProtocolError', status: '502 or 503',
    meaning: 'the upstream answered with bytes that are not valid HTTP',
    details: ['upstream_reset_before_response_started{protocol_error}'],
    knobs: () => [],
    stats: (ctx) => cstat(ctx, ['upstream_cx_protocol_error']),
  },
  {
    short: 'DI', long: 'DelayInjected', status: 'as the upstream answers, later',
    meaning: 'the fault filter delayed the request',
    details: [],
    knobs: (ctx) => filters(ctx.hcm, ctx.statPrefix, /fault/, 'delay.fixed_delay and its percentage (per-route typed_per_filter_config can override)'),
    stats: (ctx) => [`http.${ctx.statPrefix}.fault.delays_injected`],
  },
  {
    short: 'FI', long: 'FaultInjected', status: 'the abort status configured',
    meaning: 'the fault filter aborted the request',
    details: ['fault_filter_abort'],
    knobs: (ctx) => filters(ctx.hcm, ctx.statPrefix, /fault/, 'abort.http_status and its percentage (per-route typed_per_filter_config can override)'),
    stats: (ctx) => [`http.${ctx.statPrefix}.fault.aborts_injected`],
  },
  {
    short: 'RL', long: 'RateLimited', status: '429',
    meaning: 'a rate limit filter refused the request',
    details: ['local_rate_limited', 'request_rate_limited'],
    knobs: (ctx) => filters(ctx.hcm, ctx.statPrefix, /rate_?limit/, 'its token bucket / descriptors decide'),
    stats: (ctx) => [`http.${ctx.statPrefix}.rate_limited`],
  },
  {
    short: 'UAEX', long: 'UnauthorizedExternalService', status: '403 (or the authorization service\'s status)',
    meaning: 'the external authorization service denied the request',
    details: ['ext_authz_denied', 'ext_authz_error'],
    knobs: (ctx) => filters(ctx.hcm, ctx.statPrefix, /ext_authz/, 'the authorization service decides; failure_mode_allow lets requests through when it fails'),
    stats: (ctx) => [`http.${ctx.statPrefix}.ext_authz.denied`, `http.${ctx.statPrefix}.ext_authz.error`],
  },
  {
    short: 'RLSE', long: 'RateLimitServiceError', status: '500 (unless failure_mode_deny is false)',
    meaning: 'the rate limit service could not be reached',
    details: ['rate_limiter_error'],
    knobs: (ctx) => filters(ctx.hcm, ctx.statPrefix, /ratelimit/, 'failure_mode_deny decides whether an unreachable service fails requests'),
    stats: () => [],
  },
  {
    short: 'IH', long: 'InvalidEnvoyRequestHeaders', status: '400',
    meaning: 'the request carried an invalid x-envoy-* header the router checks (strict_check_headers)',
    details: ['request_headers_failed_strict_check'],
    knobs: () => [],
    stats: () => [],
  },
  { short: 'LH', long: 'FailedLocalHealthCheck', status: '503', meaning: 'the local health check failed (the health check filter answered)', details: [], knobs: () => [], stats: () => [] },
  { short: 'RFCF', long: 'ResponseFromCacheFilter', status: 'the cached response', meaning: 'the cache filter answered', details: [], knobs: () => [], stats: () => [] },
  { short: 'NFCF', long: 'NoFilterConfigFound', status: '500', meaning: 'a filter\'s config (ECDS) was not received', details: [], knobs: () => [], stats: () => [] },
  { short: 'OM', long: 'OverloadManager', status: '503', meaning: 'the overload manager shed the request', details: ['overload'], knobs: () => [], stats: () => [] },
  { short: 'DF', long: 'DnsResolutionFailed', status: '503', meaning: 'the dynamic forward proxy could not resolve the host', details: [], knobs: () => [], stats: () => [] },
  { short: 'DO', long: 'DropOverload', status: '503', meaning: 'the cluster\'s drop_overload dropped the request', details: ['drop_overload'], knobs: () => [], stats: (ctx) => cstat(ctx, ['upstream_rq_drop_overload']) },
  { short: 'DR', long: 'DownstreamRemoteReset', status: '-', meaning: 'the client reset the stream', details: [], knobs: () => [], stats: (ctx) => hstat(ctx, ['downstream_rq_rx_reset']) },
  { short: 'UDO', long: 'UnconditionalDropOverload', status: '503', meaning: 'drop_overload at 100%', details: ['drop_overload'], knobs: () => [], stats: () => [] },
];

const BY_SHORT = new Map(TABLE.map((f) => [f.short, f]));
const BY_LONG = new Map(TABLE.map((f) => [f.long, f]));

/** Every flag this table knows, short names in Envoy's order. */
export const FLAG_NAMES: readonly string[] = TABLE.map((f) => f.short);

/** A flag by its short (`UF`) or long (`UpstreamConnectionFailure`) name. */
export function flagInfo(name: string): FlagInfo | undefined {
  return BY_SHORT.get(name.toUpperCase()) ?? BY_LONG.get(name);
}

/** What a combination of flags says together, where the combination has a story of its own. */
export function together(flags: readonly string[]): string | undefined {
  const has = (f: string) => flags.includes(f);
  if (has('UF') && has('URX')) return 'every attempt failed to connect: the retry policy retried connect failures until num_retries was used up; the client got the last attempt\'s 503';
  if (has('UT') && has('URX')) return 'attempts timed out (per_try_timeout) and were retried until num_retries was used up; the last one timed out too';
  if (has('UO') && has('URX')) return 'a retry was refused by the circuit breaker (max_retries) or an attempt overflowed; the last attempt\'s 503 was returned';
  if (has('UC') && has('URX')) return 'the upstream kept closing connections mid-request and the retries ran out';
  if (has('UH') && has('URX')) return 'retries found no healthy host (hosts ejected or failing health checks)';
  return undefined;
}
