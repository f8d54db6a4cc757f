/**
 * The two upstream protocols as the pool sees them (pool/conn_pool_base.ts PoolProtocol): how to
 * build the codec over a connected socket and what differs in slot counting. HTTP/1.1: one
 * stream per connection, released connections settle one poll phase, never replays. HTTP/2
 * (h2c prior knowledge): a connection is counted for our max_concurrent_streams while it
 * connects, is usable once the peer's SETTINGS arrived, and refused streams are replayed.
 * Mixed (auto_config, Envoy's HttpConnPoolImplMixed): a connection offers `h2,http/1.1`; the
 * ALPN its handshake negotiated picks the HTTP/2 or the HTTP/1.1 protocol for it (no ALPN or
 * anything else: HTTP/1.1, as Envoy). While it connects it is counted for HTTP/2's streams (as
 * Envoy's initial streams limit), until a connection of the pool negotiated HTTP/1.1: the pool
 * then counts one stream per connection being opened (conn_pool_base.ts).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionCallbacks } from '../../codec/types.js';
import { Http1ClientConnection } from '../../codec/http1/client_codec.js';
import { Http2ClientConnection } from '../../codec/http2/client_codec.js';
import type { HeaderLimits, Http2ProtocolOptions } from '../../codec/http2/options.js';
import type { Http2CodecStats } from '../../codec/http2/stats.js';
import type { ClusterStats } from '../cluster_stats.js';
import type { PoolProtocol } from './pool_types.js';

/** HTTP/1.1 upstream connections. */
export function http1PoolProtocol(options: { maxHeaderSize: number; enableTrailers: boolean }): PoolProtocol {
  return {
    name: 'HTTP/1.1',
    expectedCapacity: 1,
    settleAfterResponse: true,
    waitForSettings: false,
    replayRefused: false,
    createCodec: (socket: Socket, callbacks: ConnectionCallbacks) => new Http1ClientConnection(socket, callbacks, options),
    countConnection: (stats: ClusterStats) => stats.upstream_cx_http1_total.inc(),
    alpn: HTTP1_ALPN,
  };
}

/** HTTP/2 upstream connections (h2c prior knowledge). */
export function http2PoolProtocol(http2: Http2ProtocolOptions, limits: HeaderLimits, stats: Http2CodecStats): PoolProtocol {
  return {
    name: 'HTTP/2',
    expectedCapacity: http2.maxConcurrentStreams,
    settleAfterResponse: false,
    waitForSettings: true,
    replayRefused: true,
    // Over TLS the requests' :scheme is https.
    createCodec: (socket: Socket, callbacks: ConnectionCallbacks, authority: string) =>
      new Http2ClientConnection(socket, callbacks, { http2, limits, stats, authority, scheme: (socket as TLSSocket).encrypted === true ? 'https' : 'http' }),
    countConnection: (s: ClusterStats) => s.upstream_cx_http2_total.inc(),
    alpn: HTTP2_ALPN,
  };
}

const HTTP1_ALPN: readonly string[] = Object.freeze(['http/1.1']);
const HTTP2_ALPN: readonly string[] = Object.freeze(['h2']);
const MIXED_ALPN: readonly string[] = Object.freeze(['h2', 'http/1.1']);

/** Connections whose protocol the TLS ALPN decides (auto_config); see the module comment. */
export function mixedPoolProtocol(http1: PoolProtocol, http2: PoolProtocol): PoolProtocol {
  return {
    name: 'ALPN',
    expectedCapacity: http2.expectedCapacity,
    settleAfterResponse: http1.settleAfterResponse,
    waitForSettings: false,
    replayRefused: false,
    createCodec: (socket: Socket, callbacks: ConnectionCallbacks, authority: string) => http1.createCodec(socket, callbacks, authority),
    // Counted once the protocol is known (selectByAlpn).
    countConnection: () => undefined,
    alpn: MIXED_ALPN,
    selectByAlpn: (alpn) => (alpn === 'h2' ? http2 : http1),
  };
}
