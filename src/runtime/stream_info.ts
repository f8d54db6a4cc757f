/**
 * Everything known about one downstream request, filled in by the connection manager, filters
 * and router as the request progresses; read by access logs (and later tracing and admin).
 * Envoy's StreamInfo. Times are `performance.now()`-style milliseconds (monotonic) except
 * `startTime`, which is wall-clock epoch milliseconds for %START_TIME%.
 */
import type { UpstreamHostDescription } from './upstream/types.js';
import type { DownstreamTransportInfo } from './network/transport_info.js';
import type { UpstreamTlsInfo } from './network/upstream_tls_info.js';

/** Envoy's short response flags, in Envoy's print order. */
export type ResponseFlag =
  | 'DC' | 'DI' | 'DPE' | 'DT' | 'FI' | 'IH' | 'LH' | 'LR' | 'NC' | 'NR' | 'RL' | 'SI'
  | 'UAEX' | 'UC' | 'UF' | 'UH' | 'UMSDR' | 'UO' | 'UPE' | 'UR' | 'URX' | 'UT' | 'DF' | 'OM' | 'RLSE' | 'DR';

export interface StreamInfo {
  /** Epoch ms when the first request byte was seen (%START_TIME%). */
  startTime: number;
  /** Monotonic ms at start; durations are measured from here. */
  startMonotonic: number;
  /** Monotonic ms of the last downstream request byte, the first upstream response byte, the last downstream response byte. */
  lastDownstreamRxByteReceived?: number;
  firstUpstreamRxByteReceived?: number;
  lastDownstreamTxByteSent?: number;
  protocol: string; // 'HTTP/1.1'
  /** Request headers as received (lowercase names), for %REQ(...)%. */
  requestHeaders?: Readonly<Record<string, string | string[] | undefined>>;
  method?: string;
  path?: string;
  /** Path before any rewrite, for %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%. */
  originalPath?: string;
  authority?: string;
  /** Response status sent downstream; 0 when none was sent. */
  responseCode: number;
  /** Response headers sent downstream, for %RESP(...)%. */
  responseHeaders?: Readonly<Record<string, string | string[] | number | undefined>>;
  responseFlags: ResponseFlag[];
  /** `route_not_found`, `via_upstream`, `response_timeout`, ... */
  responseCodeDetails?: string;
  routeName?: string;
  virtualHostName?: string;
  upstreamCluster?: string;
  upstreamHost?: UpstreamHostDescription;
  upstreamTransportFailureReason?: string;
  /** The upstream connection's TLS facts (%UPSTREAM_TLS_VERSION%, %UPSTREAM_PEER_SUBJECT% ...); unset for raw TCP. */
  upstreamTls?: UpstreamTlsInfo;
  attemptCount: number;
  bytesReceived: number;
  bytesSent: number;
  downstreamRemoteAddress?: string;
  downstreamRemotePort?: number;
  downstreamLocalAddress?: string;
  downstreamLocalPort?: number;
  requestId?: string;
  // --- Added for the access log (additive; filled by whoever knows them, `-` when unset) ---
  /** Virtual cluster matched (%VIRTUAL_CLUSTER_NAME%). */
  virtualClusterName?: string;
  /** Downstream connection id (%CONNECTION_ID%). */
  connectionId?: number;
  /** Body of a local reply (%LOCAL_REPLY_BODY%). */
  localReplyBody?: string;
  /** Upstream connection's local `ip:port` (%UPSTREAM_LOCAL_ADDRESS%). */
  upstreamLocalAddress?: string;
  upstreamLocalPort?: number;
  /** Monotonic ms of the first and last upstream request byte sent (%REQUEST_TX_DURATION%). */
  firstUpstreamTxByteSent?: number;
  lastUpstreamTxByteSent?: number;
  /** Monotonic ms of the last upstream response byte received. */
  lastUpstreamRxByteReceived?: number;
  /** Monotonic ms of the first downstream response byte sent. */
  firstDownstreamTxByteSent?: number;
  /** Response trailers, for %TRAILER(...)%. */
  responseTrailers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Why the connection was closed, if the proxy closed it (%CONNECTION_TERMINATION_DETAILS%). */
  connectionTerminationDetails?: string;
  /** TLS SNI (%REQUESTED_SERVER_NAME%). */
  requestedServerName?: string;
  /** True for requests the HCM identified as health checks (access log `not_health_check_filter`). */
  healthCheck?: boolean;
  /**
   * The original destination (listener original_dst) replaced the local address: true, and the
   * socket's own local address (%DOWNSTREAM_DIRECT_LOCAL_ADDRESS%). ORIGINAL_DST clusters connect
   * to the local address only when it was restored (Envoy's localAddressRestored()).
   */
  downstreamLocalAddressRestored?: boolean;
  downstreamDirectLocalAddress?: string;
  downstreamDirectLocalPort?: number;
  /**
   * The downstream connection's TLS facts (SNI, version, cipher, peer certificate), undefined for
   * plaintext: %DOWNSTREAM_TLS_VERSION%, %DOWNSTREAM_PEER_SUBJECT%, %DOWNSTREAM_PEER_URI_SAN%, ...
   */
  downstreamTransport?: DownstreamTransportInfo;
  /** The negotiated ALPN of the downstream connection (`h2`, `http/1.1`), when TLS negotiated one. */
  downstreamAlpn?: string;
}

/** Records the downstream connection's TLS facts (one object per connection, shared by its streams). */
export function setDownstreamTransport(info: StreamInfo, transport: DownstreamTransportInfo): void {
  info.downstreamTransport = transport;
  info.requestedServerName = transport.sni;
  if (transport.alpn !== undefined) info.downstreamAlpn = transport.alpn;
}

/** Records that the local address is a restored original destination; `address:port` is the socket's own. */
export function setDirectLocalAddress(info: StreamInfo, address: string, port: number): void {
  info.downstreamLocalAddressRestored = true;
  info.downstreamDirectLocalAddress = address;
  info.downstreamDirectLocalPort = port;
}

/** A fresh StreamInfo. */
export function newStreamInfo(startTime: number, startMonotonic: number): StreamInfo {
  return {
    startTime,
    startMonotonic,
    protocol: 'HTTP/1.1',
    responseCode: 0,
    responseFlags: [],
    attemptCount: 0,
    bytesReceived: 0,
    bytesSent: 0,
  };
}

/** Adds a response flag once. */
export function addFlag(info: StreamInfo, flag: ResponseFlag): void {
  if (!info.responseFlags.includes(flag)) info.responseFlags.push(flag);
}
