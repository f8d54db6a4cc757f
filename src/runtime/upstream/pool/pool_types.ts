/**
 * What a connection pool (conn_pool_base.ts) is built from: the protocol it speaks (how to build
 * the codec, how slots are counted: protocols.ts has the two) and what it shares with its
 * cluster (stats, circuit breakers, connection options, clock).
 */
import type { Socket } from 'node:net';
import type { ClientConnection, ConnectionCallbacks } from '../../codec/types.js';
import type { ClusterStats } from '../cluster_stats.js';
import type { ResourceManager } from '../resource_manager.js';
import type { ClientOptions } from './active_client.js';

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
