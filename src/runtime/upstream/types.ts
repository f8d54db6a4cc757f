/**
 * The boundary between the router filter (src/runtime/http) and the upstream side
 * (src/runtime/upstream): cluster manager, load balancer, connection pools, circuit breakers.
 * Modelled on Envoy's Upstream::ThreadLocalCluster, Http::ConnectionPool::Instance,
 * Http::RequestEncoder and Http::ResponseDecoder. No node:http objects cross it: the
 * protocol-neutral pool (pool/conn_pool_base.ts) serves it over HTTP/1.1 and HTTP/2 alike.
 */
import type { StatsScope } from '../stats/store.js';
import type { UpstreamTlsInfo } from '../network/upstream_tls_info.js';
import type { UpstreamTransportSocketFactory } from '../network/upstream_tls.js';

/** Header list as [name, value] pairs, names lowercase, in wire order. */
export type HeaderList = Array<[string, string]>;

/** Why a pool could not give a stream (Envoy's ConnectionPool::PoolFailureReason). */
export type PoolFailureReason =
  | 'overflow' // circuit breaker: max_pending_requests (UO)
  | 'local_connection_failure' // connect refused etc. (UF)
  | 'remote_connection_failure' // (UF)
  | 'timeout'; // connect_timeout (UF)

/** Why an upstream stream ended without a complete response (Envoy's StreamResetReason). */
export type StreamResetReason =
  | 'connection_failure'
  | 'connection_termination' // upstream closed (UC)
  | 'remote_reset' // upstream reset (UR)
  | 'local_reset' // we reset it (timeout, downstream gone)
  | 'overflow'
  | 'protocol_error'; // garbage from upstream (UPE)

/**
 * Receives the upstream response. Called at most once each for headers and end; never after onReset.
 * `onHeaders(..., endStream = true)` for a headers-only response (HEAD, 204, 304,
 * `content-length: 0`); otherwise the end arrives as `onData(empty, true)` or, when the response
 * has trailers and `onTrailers` is defined, as `onTrailers` (which then ends the stream).
 * 1xx interim responses are not delivered.
 */
export interface ResponseDecoder {
  onHeaders(status: number, headers: HeaderList, endStream: boolean): void;
  onData(chunk: Buffer, endStream: boolean): void;
  onTrailers?(trailers: HeaderList): void;
  /**
   * The stream ended without a complete response. An HTTP/2 stream the upstream refused
   * (REFUSED_STREAM, or above a GOAWAY's last stream id) that the pool could not replay on
   * another connection arrives as `remote_reset` (Envoy's UR).
   */
  onReset(reason: StreamResetReason, transportFailureReason?: string): void;
  /**
   * The request body is written faster than the upstream takes it: the connection's write buffer
   * is over its high watermark (Envoy's onAboveWriteBufferHighWatermark). The router stops
   * reading the downstream until `onBelowWriteBufferLowWatermark`.
   */
  onAboveWriteBufferHighWatermark?(): void;
  /** The connection's write buffer drained after `onAboveWriteBufferHighWatermark`. */
  onBelowWriteBufferLowWatermark?(): void;
}

/** Sends the request upstream over the stream a pool gave. */
export interface RequestEncoder {
  /**
   * `headers` exclude hop-by-hop headers; `host` carries the final :authority.
   * May call the decoder's `onReset('local_reset', reason)` synchronously when the request head
   * cannot be encoded (an invalid header name or value).
   */
  encodeHeaders(method: string, path: string, host: string, headers: HeaderList, endStream: boolean): void;
  encodeData(chunk: Buffer, endStream: boolean): void;
  /**
   * Request trailers; they end the request. HTTP/1 writes them only on a chunked body with
   * http_protocol_options.enable_trailers (else they are dropped, as Envoy); HTTP/2 sends them
   * as a HEADERS frame with END_STREAM.
   */
  encodeTrailers?(trailers: HeaderList): void;
  /** Abort the stream (timeout, downstream disconnect). The connection is not reused. */
  resetStream(): void;
  /** [TLS] The TLS facts of the upstream connection (%UPSTREAM_TLS_VERSION% ...); undefined for raw TCP. */
  readonly upstreamTls?: UpstreamTlsInfo | undefined;
  /**
   * Stops (true) or resumes (false) reading the response from the upstream connection (Envoy's
   * readDisable): the router calls it while the downstream client is slower than the upstream,
   * so a large response is not buffered in memory. Optional for encoders without a socket.
   */
  readDisable?(disable: boolean): void;
}

export interface UpstreamHostDescription {
  /** `ip:port`, as %UPSTREAM_HOST% prints it. */
  readonly addressString: string;
  readonly address: string;
  readonly port: number;
  readonly hostname?: string;
  readonly weight: number;
  readonly priority: number;
}

export interface PoolCallbacks {
  onPoolReady(encoder: RequestEncoder, host: UpstreamHostDescription): void;
  onPoolFailure(reason: PoolFailureReason, transportFailureReason: string, host: UpstreamHostDescription): void;
}

/** Cancels a pending newStream. */
export interface Cancellable {
  cancel(): void;
}

/**
 * A connection pool for one upstream host (Envoy's Http::ConnectionPool::Instance).
 * `newStream` either calls `onPoolReady` synchronously and returns null (an idle connection was
 * free), or returns a Cancellable and calls back later (a connection is being opened or the
 * request is pending), or calls `onPoolFailure` synchronously with 'overflow' and returns null.
 * Do not call `cancel()` from inside a callback.
 */
export interface HttpConnPool {
  newStream(decoder: ResponseDecoder, callbacks: PoolCallbacks): Cancellable | null;
}

/** What the load balancer may use to pick a host (Envoy's LoadBalancerContext). */
export interface LoadBalancerContext {
  /** Hash computed from the route's hash_policy, if any. */
  hashKey?: bigint;
  /** Hosts already tried by earlier attempts (retry_host_predicate previous_hosts). */
  previousHosts?: readonly UpstreamHostDescription[];
}

/**
 * The downstream connection as a load balancer sees it (Envoy's LoadBalancerContext
 * downstreamConnection()); the stream's StreamInfo satisfies it. ORIGINAL_DST clusters read it.
 */
export interface DownstreamConnectionContext {
  readonly downstreamLocalAddress?: string;
  readonly downstreamLocalPort?: number;
  /** True when the local address is the original destination (listener original_dst). */
  readonly downstreamLocalAddressRestored?: boolean;
}

/** Request headers as a load balancer sees them (Envoy's downstreamHeaders()). */
export type DownstreamHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Per-cluster stats and settings the router needs (Envoy's ClusterInfo). */
export interface ClusterInfo {
  readonly name: string;
  /** `cluster.<name>.` scope. */
  readonly stats: StatsScope;
  readonly connectTimeoutMs: number;
  /** `max_retries` circuit breaker (default 3). */
  readonly maxRetries: number;
  readonly maxRequestsPerConnection: number;
  /** [TLS] The cluster's transport sockets, for connections outside the pool (upgrade tunnels); undefined: raw TCP. */
  readonly transportSocket?: UpstreamTransportSocketFactory | undefined;
}

/** A cluster as the router uses it (Envoy's ThreadLocalCluster). */
export interface ThreadLocalCluster {
  readonly info: ClusterInfo;
  /**
   * Picks a host, or null when none is healthy (503 UH no_healthy_upstream). `downstream` and
   * `headers` describe the request (clusters that pick by the original destination use them).
   */
  chooseHost(
    context: LoadBalancerContext | undefined,
    downstream?: DownstreamConnectionContext,
    headers?: DownstreamHeaders,
  ): UpstreamHostDescription | null;
  /**
   * The pool of a host chosen by chooseHost, for the cluster's upstream protocol; clusters that
   * follow the downstream protocol (use_downstream_protocol_config) pick the HTTP/2 pool when
   * `downstreamProtocol` is `HTTP/2` (StreamInfo.protocol). `request`: the request headers after
   * the route's rewrites, read only by clusters with auto_sni / auto_san_validation (their pools
   * are per SNI; upstream/auto_sni.ts).
   */
  httpConnPool(host: UpstreamHostDescription, downstreamProtocol?: string, request?: UpstreamPoolRequest): HttpConnPool;
  /** Reserves a retry under the max_retries circuit breaker; false means overflow. */
  tryRetry?(): boolean;
  releaseRetry?(): void;
}

/** The request headers a pool choice may read (the router's request header map). */
export interface UpstreamPoolRequest {
  readonly authority: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Owns clusters for one config snapshot (Envoy's ClusterManager). */
export interface ClusterManager {
  getThreadLocalCluster(name: string): ThreadLocalCluster | undefined;
  /** Stops DNS refresh, health checks and closes idle connections. */
  shutdown(): Promise<void>;
}
