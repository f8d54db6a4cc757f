/**
 * The two upstream protocols as the pool sees them (pool/conn_pool_base.ts PoolProtocol): how to
 * build the codec over a connected socket and what differs in slot counting. HTTP/1.1: one
 * stream per connection, released connections settle one poll phase, never replays. HTTP/2
 * (h2c prior knowledge): a connection is counted for our max_concurrent_streams while it
 * connects, is usable once the peer's SETTINGS arrived, and refused streams are replayed.
 */
import type { Socket } from 'node:net';
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
    createCodec: (socket: Socket, callbacks: ConnectionCallbacks, authority: string) =>
      new Http2ClientConnection(socket, callbacks, { http2, limits, stats, authority }),
    countConnection: (s: ClusterStats) => s.upstream_cx_http2_total.inc(),
  };
}
