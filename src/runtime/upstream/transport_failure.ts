/**
 * Envoy's words for connection failures, as %UPSTREAM_TRANSPORT_FAILURE_REASON% and the local
 * reply body print them: a failed connect reads `delayed connect error: Connection refused`
 * (strerror of the socket error), and maps to a remote or local PoolFailureReason. (A response
 * that does not parse: codec/http1/client_codec.ts protocolErrorDetails.)
 */
import type { PoolFailureReason } from './types.js';

/** strerror(3) text of the errno names Node reports. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  ENETUNREACH: 'Network is unreachable',
  ENETDOWN: 'Network is down',
  ETIMEDOUT: 'Connection timed out',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOBUFS: 'No buffer space available',
  EINVAL: 'Invalid argument',
};

/** Errors that Envoy would see as a local failure rather than the remote refusing. */
const LOCAL = new Set(['EADDRNOTAVAIL', 'EADDRINUSE', 'EMFILE', 'ENFILE', 'ENOBUFS', 'EACCES', 'EPERM', 'EINVAL']);

/** `strerror` of a Node system error code, or the code itself. */
export function strerror(code: string | undefined, fallback = 'unknown error'): string {
  if (!code) return fallback;
  return STRERROR[code] ?? code;
}

/** Failure reason and transport failure reason of a connect error. */
export function connectFailure(err: NodeJS.ErrnoException): { reason: PoolFailureReason; transport: string } {
  // [TLS] A failed handshake or peer verification carries Envoy's own text (network/upstream_tls.ts).
  const tls = (err as { transportFailureReason?: string }).transportFailureReason;
  if (tls !== undefined) return { reason: 'remote_connection_failure', transport: tls };
  const code = err.code;
  return {
    reason: code && LOCAL.has(code) ? 'local_connection_failure' : 'remote_connection_failure',
    transport: `delayed connect error: ${strerror(code, err.message)}`,
  };
}

