/**
 * The router's timeouts for one request (Envoy's FilterUtility::finalTimeout): the route timeout
 * (`RouteAction.timeout`, default 15 s, 0 disables; none at all when the route has
 * `max_stream_duration`, Envoy's usingNewTimeouts), for a gRPC request on a route with the
 * deprecated `max_grpc_timeout` its `grpc-timeout` (less `grpc_timeout_offset`, capped, and
 * written back as the `grpc-timeout` the upstream sees), and `per_try_timeout`, overridden by
 * `x-envoy-upstream-rq-timeout-ms` / `x-envoy-upstream-rq-per-try-timeout-ms` (which only
 * trusted callers still have: the connection manager strips them from edge requests), then
 * `x-envoy-expected-rq-timeout-ms` set for the upstream, and
 * `x-envoy-upstream-rq-timeout-alt-response` turning the timeout's 504 into 204. Mutates the
 * header object; no other side effects.
 */
import type { RouteEntry } from '../../core/route_types.js';
import { deprecatedGrpcGlobalTimeoutMs, hasGrpcContentType, toGrpcTimeout } from '../../core/grpc.js';

/** The timeouts the router arms for one request. */
export interface FinalTimeout {
  /** Global (route) timeout in ms; 0 = none. */
  readonly globalMs: number;
  /** Per-try timeout in ms; 0 = none. */
  readonly perTryMs: number;
  /** 504, or 204 with x-envoy-upstream-rq-timeout-alt-response. */
  readonly timeoutStatus: number;
}

/** Where computeTimeouts writes the timeouts (the router itself: no result object per request). */
export interface TimeoutTarget {
  globalTimeoutMs: number;
  perTryTimeoutMs: number;
  timeoutStatus: number;
}

/** Computes the request's timeouts and edits the timeout headers in place (see the file comment). */
export function finalTimeout(
  h: Record<string, string | string[] | undefined>,
  route: RouteEntry,
  suppressEnvoyHeaders: boolean,
): FinalTimeout {
  const t: TimeoutTarget = { globalTimeoutMs: 0, perTryTimeoutMs: 0, timeoutStatus: 504 };
  computeTimeouts(h, route, suppressEnvoyHeaders, t);
  return { globalMs: t.globalTimeoutMs, perTryMs: t.perTryTimeoutMs, timeoutStatus: t.timeoutStatus };
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return v === undefined || typeof v === 'string' ? v : v[0];
}

function parseMs(v: string | string[] | undefined): number | undefined {
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** finalTimeout writing into `out` (the router's hot path). */
export function computeTimeouts(
  h: Record<string, string | string[] | undefined>,
  route: RouteEntry,
  suppressEnvoyHeaders: boolean,
  out: TimeoutTarget,
): void {
  // Envoy's usingNewTimeouts: a route with max_stream_duration has no route timeout; the
  // deprecated max_grpc_timeout makes a gRPC request's timeout its grpc-timeout (capped).
  const st = route.streamTimeouts;
  let global = st.usingNewTimeouts ? 0 : route.timeoutMs;
  let grpcTimeoutOverride = false;
  if (st.maxGrpcTimeoutMs !== undefined && hasGrpcContentType(firstValue(h['content-type']))) {
    grpcTimeoutOverride = true;
    global = deprecatedGrpcGlobalTimeoutMs(st, firstValue(h['grpc-timeout']));
  }
  let perTry = route.retryPolicy?.per_try_timeout ?? 0;
  const hGlobal = h['x-envoy-upstream-rq-timeout-ms'];
  if (hGlobal !== undefined) {
    const v = parseMs(hGlobal);
    if (v !== undefined) global = v;
    delete h['x-envoy-upstream-rq-timeout-ms'];
  }
  const hPerTry = h['x-envoy-upstream-rq-per-try-timeout-ms'];
  if (hPerTry !== undefined) {
    const v = parseMs(hPerTry);
    if (v !== undefined) perTry = v;
    delete h['x-envoy-upstream-rq-per-try-timeout-ms'];
  }
  // A per-try timeout at or above the global one is pointless (Envoy drops it).
  if (perTry >= global && global > 0) perTry = 0;
  const expected = perTry > 0 ? perTry : global;
  if (expected > 0) {
    if (!suppressEnvoyHeaders) h['x-envoy-expected-rq-timeout-ms'] = String(expected);
    // max_grpc_timeout: the upstream learns the timeout actually applied (per try included).
    if (grpcTimeoutOverride) h['grpc-timeout'] = toGrpcTimeout(expected);
  }
  let timeoutStatus = 504;
  if (h['x-envoy-upstream-rq-timeout-alt-response'] !== undefined) {
    timeoutStatus = 204;
    delete h['x-envoy-upstream-rq-timeout-alt-response'];
  }
  out.globalTimeoutMs = global;
  out.perTryTimeoutMs = perTry;
  out.timeoutStatus = timeoutStatus;
}
