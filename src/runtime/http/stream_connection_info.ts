/**
 * What a downstream stream's StreamInfo and request take from its connection
 * (downstream_connection_info.ts) and its request head: the StreamInfo it starts with (protocol,
 * addresses, the restored original destination, TLS) and the request fields it records; the
 * fields that make the request head the core's RouteRequest (addresses, the `https` scheme and
 * the peer certificate facts route `tls_context` matchers read).
 */
import type { RouteRequest } from '../../core/route_types.js';
import { newStreamInfo, setDirectLocalAddress, setDownstreamTransport, type StreamInfo } from '../stream_info.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import type { RequestHeaderMap, TimeSource } from './filter.js';

/** A new stream's StreamInfo: started now, `%PROTOCOL%` `protocol`, the connection's addresses and TLS. */
export function downstreamStreamInfo(conn: DownstreamConnectionInfo, protocol: string, time: TimeSource): StreamInfo {
  const info = newStreamInfo(time.now(), time.monotonic());
  info.protocol = protocol;
  info.downstreamRemoteAddress = conn.remoteAddress;
  info.downstreamRemotePort = conn.remotePort;
  info.downstreamLocalAddress = conn.localAddress;
  info.downstreamLocalPort = conn.localPort;
  if (conn.directLocalAddress !== undefined) setDirectLocalAddress(info, conn.directLocalAddress, conn.directLocalPort ?? 0);
  // [TLS] SNI, version, cipher, peer certificate (stream_info.ts).
  const transport = conn.transport;
  if (transport !== undefined) setDownstreamTransport(info, transport);
  return info;
}

/** Records the request head in the StreamInfo: method, path, authority, headers, `x-request-id`. */
export function recordRequestHead(info: StreamInfo, h: RequestHeaderMap): void {
  info.requestHeaders = h.headers;
  info.method = h.method;
  info.path = h.path;
  info.originalPath = h.path;
  info.authority = h.authority;
  const rid = h.headers['x-request-id'];
  if (typeof rid === 'string') info.requestId = rid;
}

/**
 * Adds the connection's addresses (and, over TLS, the scheme and peer certificate facts) to a
 * request head, in place, so it doubles as the core's RouteRequest (route() takes it as is: no
 * per-lookup object). The HTTP/1 codec builds heads with these fields already present (one hidden
 * class). Returns the same object.
 */
export function asRouteRequest(headers: RequestHeaderMap, conn: DownstreamConnectionInfo): RequestHeaderMap & RouteRequest {
  const rh = headers as RequestHeaderMap & RouteRequest;
  rh.remoteAddress = conn.remoteAddress;
  rh.remotePort = conn.remotePort;
  rh.localAddress = conn.localAddress;
  rh.localPort = conn.localPort;
  // [TLS] The transport's scheme; route tls_context matchers read `tls`.
  const transport = conn.transport;
  if (transport !== undefined) {
    rh.scheme = 'https';
    rh.tls = { presented: transport.peerCertificatePresented, validated: transport.peerCertificateValidated };
  }
  return rh;
}
