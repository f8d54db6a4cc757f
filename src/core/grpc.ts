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
 * m, u, n) in whole milliseconds (sub-millisecond parts truncated), or undefined when absent or
 * malformed.
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
    case 'u': return Math.floor(n / 1000);
    default: return Math.floor(n / 1_000_000);
  }
}

/** `RouteAction.max_stream_duration` as decoded (ms). */
export interface MaxStreamDurationConfig {
  readonly max_stream_duration?: number;
  readonly grpc_timeout_header_max?: number;
  readonly grpc_timeout_header_offset?: number;
}

/**
 * Envoy's ActiveStream::refreshDurationTimeout: the stream's maximum duration in ms, or undefined
 * for none. With a `grpc-timeout` header and the route's `grpc_timeout_header_max` set, the
 * header's value capped by it (0: no cap) minus `grpc_timeout_header_offset` (0 when the offset
 * is not below it); otherwise the route's `max_stream_duration.max_stream_duration` (0: none),
 * else the connection manager's `common_http_protocol_options.max_stream_duration` (0: none).
 */
export function streamMaxDurationMs(route: MaxStreamDurationConfig | undefined, grpcTimeoutHeader: string | undefined, hcmMaxMs: number): number | undefined {
  const grpc = parseGrpcTimeout(grpcTimeoutHeader);
  const cap = route?.grpc_timeout_header_max;
  if (grpc === undefined || cap === undefined) {
    const own = route?.max_stream_duration;
    if (own !== undefined) return own === 0 ? undefined : own;
    return hcmMaxMs > 0 ? hcmMaxMs : undefined;
  }
  let t = grpc;
  if (cap !== 0 && t > cap) t = cap;
  const offset = route?.grpc_timeout_header_offset;
  if (t !== 0 && offset !== undefined) t = offset < t ? t - offset : 0;
  return t;
}
