/**
 * What a connection pool (conn_pool_base.ts) is built from: the protocol it speaks (how to build
 * the codec, how slots are counted: protocols.ts has the two) and what it shares with its
 * cluster (stats, circuit breakers, connection options, clock).
 */
import type { Socket } from 'node:net';
import type { ClientConnection, ConnectionCallbacks } from '../../codec/types.js';
import type { ClusterStats } from '../cluster_stats.js';
import type { ResourceManager } from '../resource_manager.js';
import type { PoolFailureReason } from '../types.js';
import type { StreamResetReason } from '../../codec/types.js';
import type { UpstreamTransportSocketFactory, UpstreamTransportOptions } from '../../network/upstream_tls.js';
import type { UpstreamTlsInfo } from '../../network/upstream_tls_info.js';

/** What differs between the protocols, for the pool (Envoy's per-protocol pool classes). */
export interface PoolProtocol {
  /** `HTTP/1.1` or `HTTP/2`. */
  readonly name: string;
  /** Streams a connection being opened is counted for before it reports its own capacity. */
  readonly expectedCapacity: number;
  /** HTTP/1: a released connection waits one poll phase before reuse (next_poll.ts). */
  readonly settleAfterResponse: boolean;
  /** HTTP/2: a connection is ready once the peer's first SETTINGS arrived. */
  readonly waitForSettings: boolean;
  /** Refused streams may be replayed on another connection (HTTP/2). */
  readonly replayRefused: boolean;
  /** Builds the codec over a connected socket; `authority` is the host's `address:port`. */
  createCodec(socket: Socket, callbacks: ConnectionCallbacks, authority: string): ClientConnection;
  /** Counts a new connection (`upstream_cx_http1_total` / `upstream_cx_http2_total`). */
  countConnection(stats: ClusterStats): void;
  /** ALPN offered over TLS when the TLS context configures none (Envoy's ALPN fallback). */
  readonly alpn: readonly string[];
  /**
   * Mixed pools (auto_config) only: the protocol of a connection, by the ALPN its TLS handshake
   * negotiated (`false`/undefined: none). Its connections are counted by the protocol chosen.
   */
  selectByAlpn?(alpn: string | false | null | undefined): PoolProtocol;
}

/** What a pool needs from its cluster; resolved once per cluster. */
export interface PoolContext {
  readonly stats: ClusterStats;
  readonly resources: ResourceManager;
  readonly clientOptions: ClientOptions;
  /** Monotonic ms, for connection timing histograms. */
  readonly now: () => number;
}

/** Options every connection of a cluster shares (resolved once per cluster): how it is opened and kept. */
export interface ClientOptions {
  connectTimeoutMs: number;
  /** 0 = unlimited (Envoy's max_requests_per_connection default). */
  maxRequestsPerConnection: number;
  /** Upstream idle timeout: common_http_protocol_options.idle_timeout (default 1 h; 0: none). */
  idleTimeoutMs: number;
  /** Largest response head accepted (Envoy's max_response_headers_kb, default 60 KiB). */
  maxHeaderSize: number;
  /** [TLS] The cluster's transport sockets (network/upstream_tls.ts); undefined: raw TCP. */
  transportSocket?: UpstreamTransportSocketFactory | undefined;
}

/**
 * What a connection (ActiveClient, `C`) reports to its pool (conn_pool_base.ts) and reads from
 * it; `S` is the pool's stream type. An interface so the connection does not import the pool.
 */
export interface ClientPool<C, S> {
  readonly protocol: PoolProtocol;
  readonly host: { readonly hostname?: string | undefined };
  readonly connectOptions: UpstreamTransportOptions;
  /** Monotonic ms. */
  now(): number;
  replay(stream: S): void;
  onClientProtocolSelected(client: C): void;
  onClientConnected(client: C): void;
  onConnectFailure(client: C, reason: PoolFailureReason, transport: string): void;
  onStreamDone(client: C, completed: boolean, reason?: StreamResetReason): void;
  onClientSettled(client: C): void;
  onClientCapacityChanged(client: C): void;
  onClientDraining(client: C): void;
  onClientClosed(client: C, local: boolean, cause: string): void;
  onClientIdleTimeout(client: C): void;
  onConnectingClosed(client: C): void;
}

/** What a pool stream (pool_stream.ts, `S`) needs of the connection it runs on. */
export interface StreamClient<S> {
  /** The connection's TLS facts (undefined over raw TCP). */
  readonly tls: UpstreamTlsInfo | undefined;
  readonly pool: { replay(stream: S): void };
  onStreamComplete(stream: S): void;
  onStreamReset(stream: S, reason: StreamResetReason, local: boolean): void;
}
