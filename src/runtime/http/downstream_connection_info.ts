/**
 * The contract between an ActiveStream and the connection that carries it: the connection's
 * addresses and TLS facts (copied into each stream's StreamInfo and RouteRequest), whether it
 * drains, and the stream's completion and tunnel events.
 */
import type { DownstreamTransportInfo } from '../network/transport_info.js';

/**
 * What a stream (active_stream.ts) needs from its downstream connection
 * (server_connection_manager.ts). `S` is the stream type the connection hears back.
 */
export interface DownstreamConnectionInfo<S = unknown> {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set when the local address is the restored original destination: the socket's own address. */
  readonly directLocalAddress?: string;
  readonly directLocalPort?: number;
  /** [TLS] Set when the connection is TLS (listener.ts): StreamInfo, scheme https, XFCC. */
  readonly transport?: DownstreamTransportInfo | undefined;
  /** Set when the server is draining: responses carry `connection: close` (Envoy drain). */
  draining: boolean;
  /** Called by the stream when it completes. */
  onStreamComplete(stream: S): void;
  /** The stream's connection became a tunnel (its socket is the tunnel's until the stream completes). */
  onTunnel?(stream: S): void;
}
