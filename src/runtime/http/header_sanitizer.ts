/**
 * Request header mutation on the way in (Envoy's ConnectionManagerUtility::mutateRequestHeaders):
 * x-forwarded-for, x-forwarded-proto, x-envoy-internal, x-request-id, and stripping the
 * `x-envoy-*` control headers an edge (untrusted) client may not set. Runs once per stream before
 * any filter. Synchronous, no re-entrancy.
 */
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type { RequestHeaderMap } from './filter.js';
import { ENVOY_INTERNAL_REQUEST_HEADERS } from './headers.js';

/**
 * Envoy's classic internal address set (Network::Utility::isInternalAddress): RFC 1918, loopback,
 * IPv6 unique-local and loopback. Used when `use_remote_address` is true to decide whether the
 * request comes from inside the trusted network.
 */
export function isInternalAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  let a = addr;
  if (a.startsWith('::ffff:')) a = a.slice(7);
  if (a.includes(':')) {
    const l = a.toLowerCase();
    return l === '::1' || l.startsWith('fd') || l.startsWith('fc');
  }
  if (a.startsWith('10.') || a.startsWith('127.') || a.startsWith('192.168.')) return true;
  if (a.startsWith('172.')) {
    const second = Number(a.split('.')[1]);
    return second >= 16 && second <= 31;
  }
  return false;
}

/** Strips `::ffff:` from IPv4-mapped addresses, as Envoy prints them. */
export function plainAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * Mutates the request headers. Returns whether the request is internal (trusted): Envoy honours
 * `x-envoy-*` control headers only from internal requests; with `use_remote_address: false`
 * (the default) the previous hop is trusted, as in Envoy.
 */
export function mutateRequestHeaders(
  h: RequestHeaderMap,
  remoteAddress: string,
  tls: boolean,
  config: ConnectionManagerConfig,
): boolean {
  const headers = h.headers;
  let internal = true;
  if (config.useRemoteAddress) {
    // The connection's peer is the client (Envoy: final remote address). Append it to XFF.
    if (!config.skipXffAppend && remoteAddress) {
      const prev = headers['x-forwarded-for'];
      const p = Array.isArray(prev) ? prev.join(',') : prev;
      headers['x-forwarded-for'] = p ? `${p},${remoteAddress}` : remoteAddress;
    }
    // With no trusted hops, the prior hop's x-forwarded-proto is not trusted: overwrite it.
    if (config.xffNumTrustedHops === 0 || headers['x-forwarded-proto'] === undefined) {
      headers['x-forwarded-proto'] = tls ? 'https' : 'http';
    }
    internal = isInternalAddress(xffTrustedAddress(headers['x-forwarded-for'], config.xffNumTrustedHops) ?? remoteAddress);
    if (internal) {
      headers['x-envoy-internal'] = 'true';
    } else {
      // An edge request: remove control headers the client may not set, and route-config
      // internal_only_headers (cleanInternalHeaders).
      for (const name of ENVOY_INTERNAL_REQUEST_HEADERS) if (headers[name] !== undefined) delete headers[name];
      for (const name of config.internalOnlyHeaders) if (headers[name] !== undefined) delete headers[name];
      headers['x-envoy-external-address'] = remoteAddress;
    }
  } else if (headers['x-forwarded-proto'] === undefined) {
    headers['x-forwarded-proto'] = tls ? 'https' : 'http';
  }
  // x-request-id: generate when absent (generate_request_id, default true); an edge request's own
  // id is replaced unless preserve_external_request_id.
  const rid = headers['x-request-id'];
  if (config.generateRequestId && (rid === undefined || (!internal && !config.preserveExternalRequestId))) {
    headers['x-request-id'] = config.random.uuid();
  }
  return internal;
}

/** The address `xff_num_trusted_hops` from the right of XFF (after our append), if present. */
function xffTrustedAddress(xff: string | string[] | undefined, trustedHops: number): string | undefined {
  if (xff === undefined || trustedHops === 0) return undefined;
  const parts = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
  const i = parts.length - 1 - trustedHops;
  return i >= 0 ? parts[i]!.trim() : undefined;
}
