/**
 * HTTP stream filter interfaces (Envoy's Http::StreamDecoderFilter / StreamEncoderFilter and
 * their callbacks). The connection manager's filter chain (filter_manager.ts) drives these;
 * filters such as fault, cors and the terminal router implement them.
 *
 * Lifecycle of one filter instance: created per stream by its factory (registry.ts), it sees
 * `decodeHeaders` once, then zero or more `decodeData` calls, then (if the request reached the
 * upstream and a response came back, or a local reply was sent) `encodeHeaders` once and zero or
 * more `encodeData`, then `onDestroy` exactly once. Nothing is called after `onDestroy`.
 *
 * Re-entrancy contract (the same as Envoy's):
 * - A filter returning `'StopIteration'` from `decodeHeaders` pauses the chain; later filters see
 *   nothing until it calls `callbacks.continueDecoding()`. `continueDecoding()` may be called
 *   from a timer or I/O callback after the decode call returned; calling it synchronously from
 *   inside `decodeHeaders`/`decodeData` is not allowed (return `'Continue'` instead). Calling it
 *   when the chain is not stopped, or after `onDestroy`, is a no-op. (All filters of a stream
 *   share one callbacks object, so the call resumes the chain wherever it is stopped.)
 * - The terminal (last) decoder — the router — returning `'StopIteration'` is normal: the
 *   headers phase is complete and request body chunks flow to it as they arrive.
 * - Request body chunks arriving while the chain is stopped at or before a filter are buffered
 *   by the filter manager and replayed, in order, after `continueDecoding()`.
 * - `sendLocalReply()` may be called from any decode callback or later (timer); it ends the
 *   decode chain (no later decoder filter sees the request) and runs the response through the
 *   encoder filters that already saw the request headers. After it, return `'StopIteration'`.
 *   Calling it once a response has started is turned into a stream reset (Envoy does the same).
 * - Encoder filters run in reverse config order; `continueEncoding()` mirrors `continueDecoding()`.
 * - `clearRouteCache()` drops the cached route so the next `route()` call recomputes it (after
 *   a filter changed headers that routing reads). Cheap to call; the route is recomputed lazily.
 */
import type { Any } from '../../config/types.js';
import type { ForwardDecision, RouteDecision } from '../../core/route_types.js';
import type { HeaderList } from '../upstream/types.js';
import type { StatsScope } from '../stats/store.js';
import type { ResponseFlag, StreamInfo } from '../stream_info.js';
import type { DownstreamTunnel, RequestHeaderMap, ResponseHeaderMap } from '../codec/types.js';

/** Result of a headers callback (Envoy's FilterHeadersStatus, the two values tsproxy uses). */
export type FilterHeadersStatus = 'Continue' | 'StopIteration';

/**
 * Result of a data callback: `'StopIteration'` means "buffer this chunk and keep buffering until
 * I continue" (Envoy's StopIterationAndBuffer).
 */
export type FilterDataStatus = 'Continue' | 'StopIteration';

/**
 * The header maps filters see are the codec seam's (codec/types.ts): one shape from the codec to
 * the router. Filters mutate them in place; after changing anything routing reads, call
 * `clearRouteCache()`.
 */
export type { RequestHeaderMap, ResponseHeaderMap };

/** Flags for sendLocalReply. */
export interface LocalReplyOptions {
  /** Response flag to record in StreamInfo (e.g. 'FI' for a fault abort, 'RL' for rate limit). */
  flag?: ResponseFlag;
  /** Extra response headers (e.g. `x-envoy-overloaded: true`). */
  headers?: HeaderList;
  /** Whether the local reply should close the connection (Envoy: codec errors do). */
  closeConnection?: boolean;
  /** The `grpc-status` of the reply to a gRPC request (default: mapped from the HTTP status). */
  grpcStatus?: number;
}

/** Injected sources of randomness and time, so tests are deterministic. */
export interface RandomSource {
  /** A uniformly distributed unsigned 53-bit-safe integer (Envoy's RandomGenerator::random()). */
  random(): number;
  /** A request id (UUID v4 string). */
  uuid(): string;
}

/** Injected clocks (tests pass fake ones). */
export interface TimeSource {
  /** Wall clock, epoch ms (for %START_TIME%). */
  now(): number;
  /** Monotonic ms (for durations and timers). */
  monotonic(): number;
}

/** Callbacks common to decoder and encoder filters (Envoy's StreamFilterCallbacks). */
export interface StreamFilterCallbacks {
  /** This stream's info; filters set flags, details and timings on it. */
  readonly streamInfo: StreamInfo;
  /**
   * The route decision for the current headers, computed by the core's `route()` on first use
   * and cached until `clearRouteCache()`. Never undefined: a miss is `{kind: 'no_route'}`.
   */
  route(): RouteDecision;
  /** Drops the cached route (and cached cluster); the next `route()` recomputes it. */
  clearRouteCache(): void;
  /**
   * The most specific `typed_per_filter_config` for `filterName` on the current route
   * (weighted cluster entry > route > virtual host > route configuration), or undefined.
   * Only forward decisions carry per-filter config (`ForwardDecision.perFilterConfig`).
   */
  perFilterConfig(filterName: string): Any | undefined;
  /** The `http.<stat_prefix>.` scope of the connection manager. */
  readonly stats: StatsScope;
  readonly random: RandomSource;
  readonly time: TimeSource;
  /** Downstream connection identity. */
  readonly connectionId: number;
  /**
   * Whether the downstream peer is trusted (internal per Envoy's rules): `x-envoy-*` control
   * headers from it are honoured. Untrusted peers have had them stripped before any filter ran.
   */
  readonly trustedDownstream: boolean;
  /** Resets the stream: closes the downstream connection without a response. */
  resetStream(): void;
}

/** Callbacks for decoder filters (Envoy's StreamDecoderFilterCallbacks). */
export interface StreamDecoderFilterCallbacks extends StreamFilterCallbacks {
  /** The request headers (mutable). */
  readonly requestHeaders: RequestHeaderMap;
  /** Resumes a chain this filter stopped. See the contract at the top of this file. */
  continueDecoding(): void;
  /**
   * Sends a local reply: `status`, `body` as text/plain (empty body means no content-type),
   * `details` is the response code details (`fault_filter_abort`, `cors_origin_not_allowed`...).
   */
  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void;
  /**
   * Starts encoding a response produced by this filter (the router's upstream response). The
   * headers pass through the encoder filters before being written downstream.
   */
  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): void;
  encodeData(chunk: Buffer, endStream: boolean): void;
  /** Response trailers (they end the response; an HTTP/1 downstream ends the body without them). */
  encodeTrailers(trailers: HeaderList): void;
  /** For the terminal filter: the downstream wants no more data (client gone): abort upstream. */
  onDownstreamAbort(handler: DownstreamAbortHandler): void;
  /** Pauses/resumes reading the downstream request body (backpressure from the upstream). */
  readDisable(disable: boolean): void;
  /**
   * Registers the filter for the downstream's write-buffer watermarks (Envoy's
   * addDownstreamWatermarkCallbacks): told when the client stops keeping up with the response
   * and when it caught up again. One registration per stream (the router's).
   */
  addDownstreamWatermarkCallbacks?(callbacks: DownstreamWatermarkCallbacks): void;
  /** The request's trace span (HCM `tracing`), if any: the router injects its context upstream. */
  readonly activeSpan?: { injectContext(headers: Record<string, string | string[] | undefined>): void } | undefined;
  /**
   * The upgrade this request asks for and the connection manager let through (`upgrade_configs`):
   * `websocket`... or `CONNECT`; undefined for an ordinary request.
   */
  readonly upgradeType?: string | undefined;
  /**
   * The upstream accepted the upgrade (101, or CONNECT connected): writes the response head
   * downstream and returns the downstream connection for the tunnel; undefined when that cannot
   * be done (the stream was reset).
   */
  upgradeDownstream?(headers: ResponseHeaderMap): DownstreamTunnel | undefined;
  /** max_stream_duration: the stream may last `ms` from its start (the router arms it once routed). */
  setMaxStreamDuration?(ms: number): void;
  /** The tunnel ended: the stream completes with the bytes both ways and why it ended. */
  tunnelClosed?(bytesReceived: number, bytesSent: number, flag: ResponseFlag | undefined, details: string): void;
}

/** Envoy's DownstreamWatermarkCallbacks: backpressure from the downstream connection. */
export interface DownstreamWatermarkCallbacks {
  /** The downstream write buffer is over its high watermark: stop producing response data. */
  onAboveWriteBufferHighWatermark(): void;
  /** It drained: produce again. */
  onBelowWriteBufferLowWatermark(): void;
}

/** Told when the downstream went away before the stream completed (DC). */
export interface DownstreamAbortHandler {
  onDownstreamAbort(): void;
}

/** Callbacks for encoder filters (Envoy's StreamEncoderFilterCallbacks). */
export interface StreamEncoderFilterCallbacks extends StreamFilterCallbacks {
  /** Resumes an encode chain this filter stopped. Same contract as continueDecoding(). */
  continueEncoding(): void;
}

/** Envoy's StreamDecoderFilter. */
export interface StreamDecoderFilter {
  setDecoderFilterCallbacks(callbacks: StreamDecoderFilterCallbacks): void;
  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): FilterHeadersStatus;
  decodeData(chunk: Buffer, endStream: boolean): FilterDataStatus;
  /**
   * Request trailers; they end the request (no `decodeData(..., true)` follows). Optional: a
   * filter without it lets them pass; a terminal filter without it gets `decodeData(empty,
   * true)` instead.
   */
  decodeTrailers?(trailers: HeaderList): FilterHeadersStatus;
  /** Called once when the stream ends, whatever the reason. Release timers here. */
  onDestroy(): void;
}

/** Envoy's StreamEncoderFilter. */
export interface StreamEncoderFilter {
  setEncoderFilterCallbacks(callbacks: StreamEncoderFilterCallbacks): void;
  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): FilterHeadersStatus;
  encodeData(chunk: Buffer, endStream: boolean): FilterDataStatus;
  /** Response trailers (they end the response). Optional: without it they pass. */
  encodeTrailers?(trailers: HeaderList): FilterHeadersStatus;
  onDestroy(): void;
}

/** A filter that is both (Envoy's StreamFilter). `onDestroy` is called once, not twice. */
export interface StreamFilter extends StreamDecoderFilter, StreamEncoderFilter {}

/**
 * What a filter factory installs on one stream: a decoder, an encoder, or both. The terminal
 * router filter is a decoder only.
 */
export interface FilterInstance {
  decoder?: StreamDecoderFilter;
  encoder?: StreamEncoderFilter;
}

/** Per-stream factory built once per config (Envoy's FilterFactoryCb). Must be cheap. */
export type FilterFactoryCb = () => FilterInstance;

/** Forward decision helper type re-exported for filters reading the cached route. */
export type { ForwardDecision };
