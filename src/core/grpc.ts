/**
 * gRPC facts the connection manager and the router need (Envoy's Grpc::Common and
 * Grpc::Utility). Pure.
 */

/**
 * Grpc::Common::hasGrpcContentType: `application/grpc` exactly or `application/grpc+<codec>`
 * (`application/grpc+proto`, `+json`...). `application/grpc-web` is not gRPC.
 */
export function hasGrpcContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || !contentType.startsWith('application/grpc')) return false;
  return contentType.length === 16 || contentType.charCodeAt(16) === 43; /* + */
}

/** gRPC status codes (grpc/status.h), by name, as `grpc-status` carries them. */
export const GrpcStatus = {
  Ok: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

/**
 * Grpc::Utility::httpToGrpcStatus (grpc's http-grpc-status-mapping.md): the `grpc-status` of a
 * local reply to a gRPC request. 404 (NR) -> UNIMPLEMENTED; 429/502/503/504 (UH, UO, UF, UC, UT...)
 * -> UNAVAILABLE; 400 -> INTERNAL; 401 -> UNAUTHENTICATED; 403 -> PERMISSION_DENIED; else UNKNOWN.
 */
export function httpToGrpcStatus(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.Internal;
    case 401:
      return GrpcStatus.Unauthenticated;
    case 403:
      return GrpcStatus.PermissionDenied;
    case 404:
      return GrpcStatus.Unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.Unavailable;
    default:
      return GrpcStatus.Unknown;
  }
}

/**
 * grpc-message encoding (Envoy's PercentEncoding::encode for grpc-message, gRPC's
 * PROTOCOL-HTTP2): bytes outside printable ASCII, and `%`, as %XX of their UTF-8 bytes.
 */
export function percentEncodeGrpcMessage(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const b of new TextEncoder().encode(text)) out += b < 0x20 || b > 0x7e || b === 0x25 ? '%' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b);
  return out;
}

/**
 * Grpc::Common::getGrpcTimeout: the `grpc-timeout` header (1 to 8 digits and a unit: H, M, S,
 * m, u, n) in milliseconds, sub-millisecond values rounded up (as Envoy does), or undefined when
 * absent or malformed.
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'H': return n * 3_600_000;
    case 'M': return n * 60_000;
    case 'S': return n * 1000;
    case 'm': return n;
    case 'u': return Math.ceil(n / 1000);
    default: return Math.ceil(n / 1_000_000);
  }
}

/** The largest value a `grpc-timeout` carries (8 digits). */
const MAX_GRPC_TIMEOUT_VALUE = 99_999_999;

/**
 * Grpc::Common::toGrpcTimeout: `ms` as a `grpc-timeout` value: milliseconds while they fit in 8
 * digits, else whole seconds, minutes, hours (truncated; clipped to 99999999H).
 */
export function toGrpcTimeout(ms: number): string {
  let time = Math.floor(ms);
  if (time <= MAX_GRPC_TIMEOUT_VALUE) return time + 'm';
  const units = 'SMH';
  let unit = 0;
  time = Math.floor(time / 1000);
  while (time > MAX_GRPC_TIMEOUT_VALUE) {
    if (unit === 2) time = MAX_GRPC_TIMEOUT_VALUE;
    else {
      time = Math.floor(time / 60);
      unit++;
    }
  }
  return time + units[unit]!;
}

/** Request headers as far as the gRPC timeout functions read them. */
export type GrpcTimeoutHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function firstValue(v: string | readonly string[] | undefined): string | undefined {
  return v === undefined || typeof v === 'string' ? v : v[0];
}

/** `RouteAction` timeout fields as decoded (ms). */
export interface RouteTimeoutFields {
  readonly max_stream_duration?: {
    readonly max_stream_duration?: number;
    readonly grpc_timeout_header_max?: number;
    readonly grpc_timeout_header_offset?: number;
  };
  /** Deprecated. */
  readonly max_grpc_timeout?: number;
  /** Deprecated. */
  readonly grpc_timeout_offset?: number;
}

/**
 * A route's stream duration and gRPC timeout settings, compiled once per route
 * (RouteEntry.streamTimeouts; Envoy's RouteEntryImplBase optional timeouts).
 */
export interface RouteStreamTimeouts {
  /**
   * Envoy's usingNewTimeouts(): the route has `max_stream_duration`. Then the router's global
   * timeout is not the route `timeout` (none unless x-envoy-upstream-rq-timeout-ms sets one) and
   * the deprecated `max_grpc_timeout` / `grpc_timeout_offset` are ignored.
   */
  readonly usingNewTimeouts: boolean;
  /** `max_stream_duration.max_stream_duration` (0: none), or undefined. */
  readonly maxStreamDurationMs: number | undefined;
  /** `max_stream_duration.grpc_timeout_header_max` (0: no cap), or undefined. */
  readonly grpcTimeoutHeaderMaxMs: number | undefined;
  readonly grpcTimeoutHeaderOffsetMs: number | undefined;
  /** Deprecated `max_grpc_timeout` (0: no cap); undefined when absent or usingNewTimeouts. */
  readonly maxGrpcTimeoutMs: number | undefined;
  /** Deprecated `grpc_timeout_offset`; undefined when absent or usingNewTimeouts. */
  readonly grpcTimeoutOffsetMs: number | undefined;
}

/** The settings of a route with none of the fields (shared: most routes). */
export const NO_STREAM_TIMEOUTS: RouteStreamTimeouts = Object.freeze({
  usingNewTimeouts: false,
  maxStreamDurationMs: undefined,
  grpcTimeoutHeaderMaxMs: undefined,
  grpcTimeoutHeaderOffsetMs: undefined,
  maxGrpcTimeoutMs: undefined,
  grpcTimeoutOffsetMs: undefined,
});

/** Compiles a RouteAction's timeout fields (see RouteStreamTimeouts). */
export function compileRouteStreamTimeouts(action: RouteTimeoutFields | undefined): RouteStreamTimeouts {
  if (action === undefined) return NO_STREAM_TIMEOUTS;
  const msd = action.max_stream_duration;
  if (msd === undefined && action.max_grpc_timeout === undefined && action.grpc_timeout_offset === undefined) return NO_STREAM_TIMEOUTS;
  const usingNewTimeouts = msd !== undefined;
  return {
    usingNewTimeouts,
    maxStreamDurationMs: msd?.max_stream_duration,
    grpcTimeoutHeaderMaxMs: msd?.grpc_timeout_header_max,
    grpcTimeoutHeaderOffsetMs: msd?.grpc_timeout_header_offset,
    maxGrpcTimeoutMs: usingNewTimeouts ? undefined : action.max_grpc_timeout,
    grpcTimeoutOffsetMs: usingNewTimeouts ? undefined : action.grpc_timeout_offset,
  };
}

/**
 * Envoy's ActiveStream::refreshDurationTimeout: the stream's maximum duration in ms, or undefined
 * for none. With the route's `grpc_timeout_header_max` set and a `grpc-timeout` header (only
 * then read from `headers`), the header's value capped by it (0: no cap) minus
 * `grpc_timeout_header_offset` (0 when the offset is not below it); otherwise the route's
 * `max_stream_duration.max_stream_duration` (0: none), else the connection manager's
 * `common_http_protocol_options.max_stream_duration` (0: none).
 */
export function streamMaxDurationMs(route: RouteStreamTimeouts, headers: GrpcTimeoutHeaders, hcmMaxMs: number): number | undefined {
  const cap = route.grpcTimeoutHeaderMaxMs;
  const grpc = cap === undefined ? undefined : parseGrpcTimeout(firstValue(headers['grpc-timeout']));
  if (grpc === undefined || cap === undefined) {
    const own = route.maxStreamDurationMs;
    if (own !== undefined) return own === 0 ? undefined : own;
    return hcmMaxMs > 0 ? hcmMaxMs : undefined;
  }
  let t = grpc;
  if (cap !== 0 && t > cap) t = cap;
  const offset = route.grpcTimeoutHeaderOffsetMs;
  if (t !== 0 && offset !== undefined) t = offset < t ? t - offset : 0;
  return t;
}

/**
 * The router's global timeout of a gRPC request on a route with the deprecated
 * `max_grpc_timeout` (Envoy's FilterUtility::finalTimeout, only when `maxGrpcTimeoutMs` is set):
 * the `grpc-timeout` header (absent: 0, infinity) minus `grpc_timeout_offset` when the offset is
 * below it, then capped by `max_grpc_timeout` unless that is 0 (a 0 result is capped too).
 * 0 means no timeout.
 */
export function deprecatedGrpcGlobalTimeoutMs(route: RouteStreamTimeouts, grpcTimeoutHeader: string | undefined): number {
  const max = route.maxGrpcTimeoutMs ?? 0;
  let t = parseGrpcTimeout(grpcTimeoutHeader) ?? 0;
  const offset = route.grpcTimeoutOffsetMs;
  if (offset !== undefined && offset < t) t -= offset;
  if (max !== 0 && (t === 0 || t > max)) t = max;
  return t;
}
