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
