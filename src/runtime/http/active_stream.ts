/**
 * One downstream request/response (Envoy's ConnectionManagerImpl::ActiveStream plus its
 * FilterManager): owns the StreamInfo, the cached route, the HTTP filter chain and the write of
 * the response through its codec's ResponseEncoder (codec/types.ts: HTTP/1 or HTTP/2, the
 * stream does not know which). See server_connection_manager.ts for the phase chart.
 *
 * The stream object is itself the callbacks object every filter of the stream receives (no
 * per-filter wrappers, no per-request closures): `continueDecoding()` resumes the chain wherever
 * it is stopped. Its parts: the timeouts (stream_timeouts.ts, timers that receive their target as
 * argument instead of a bound closure), what it takes from its connection and request head
 * (stream_connection_info.ts), what happens once it completed (stream_completion.ts: stats, span,
 * access log), the request handling before the filters (header_sanitizer.ts), the upgrade
 * admission (upgrade_admission.ts), its cached route (route_cache.ts) and its response side
 * (stream_response.ts: the local reply, what it writes through its codec's ResponseEncoder, the
 * encoder stream's resets and watermarks).
 */
import type { Any } from '../../config/types.js';
import type { RouteDecision } from '../../core/route_types.js';
import type { StatsScope } from '../stats/store.js';
import { addFlag, type ResponseFlag, type StreamInfo } from '../stream_info.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type {
  DownstreamAbortHandler,
  DownstreamWatermarkCallbacks,
  LocalReplyOptions,
  RandomSource,
  RequestHeaderMap,
  ResponseHeaderMap,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilterCallbacks,
  TimeSource,
} from './filter.js';
import { statusText } from './local_reply.js';
import { requestedUpgrade } from '../../core/upgrade.js';
import { admitUpgrade } from './upgrade_admission.js';
import { EMPTY_BUFFER, FilterManager, type FilterManagerCallbacks } from './filter_manager.js';
import type { Http1RequestDecoder } from '../codec/http1/server_connection.js';
import type { DownstreamTunnel, HeaderList, ResponseEncoder } from '../codec/types.js';
import { decodeRequestHeadersOf } from './header_sanitizer.js';
import { routeEntryOf } from '../tracing/route_entry.js';
import type { Span } from '../tracing/span.js';
import { StreamTimeouts, type TimedStream } from './stream_timeouts.js';
import { asRouteRequest, downstreamStreamInfo, recordRequestHead } from './stream_connection_info.js';
import { chargeCompletedStream, logCompletedStream } from './stream_completion.js';
import { StreamResponse, type RespondingStream } from './stream_response.js';
import { RouteCache } from './route_cache.js';

/**
 * One request/response on a downstream connection. Created by the connection manager per
 * request the codec parses; completes exactly once (response written, reset, or client gone),
 * then destroys its filters and writes the access logs. Not re-entrant across streams.
 */
export class ActiveStream implements Http1RequestDecoder, FilterManagerCallbacks, StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks, TimedStream, RespondingStream {
  readonly streamInfo: StreamInfo;
  /** The stream's HTTP filter chain (Envoy's FilterManager); this stream is its callbacks. */
  private readonly filters: FilterManager;
  /** Set by setRequestHeaders (decodeHeaders), before anything reads it. */
  requestHeaders!: RequestHeaderMap;
  readonly stats: StatsScope;
  readonly random: RandomSource;
  readonly time: TimeSource;
  readonly connectionId: number;
  trustedDownstream = true;
  /** The request's trace span (HCM `tracing`), started in start(), finished in complete(). */
  activeSpan: Span | undefined = undefined;
  /** The upgrade the connection manager let through (`websocket`, `CONNECT`...), or undefined. */
  upgradeType: string | undefined;

  /** The route decision, looked up on first use (route_cache.ts). */
  private readonly routes: RouteCache;
  private remoteComplete = false;
  private abortHandler: DownstreamAbortHandler | undefined;
  /** stream_idle_timeout, request_timeout, max_stream_duration (stream_timeouts.ts). */
  private readonly timeouts: StreamTimeouts;
  /** What the stream writes through its codec's ResponseEncoder, and hears from it (stream_response.ts). */
  private readonly response: StreamResponse;

  /**
   * @param encoder answers this stream (its codec's ResponseEncoder): the stream's response side
   *   (stream_response.ts) writes through it and hears its stream's resets and watermarks.
   * @param protocol `%PROTOCOL%`: HTTP/1.1, HTTP/1.0, HTTP/2.
   */
  constructor(
    readonly config: ConnectionManagerConfig,
    readonly conn: DownstreamConnectionInfo<ActiveStream>,
    encoder: ResponseEncoder,
    protocol: string,
  ) {
    this.filters = new FilterManager(this);
    this.timeouts = new StreamTimeouts(this);
    this.response = new StreamResponse(this, this.filters, encoder);
    this.routes = new RouteCache(config.routeProvider, config.random);
    this.stats = config.stats.scope;
    this.random = config.random;
    this.time = config.time;
    this.connectionId = conn.id;
    this.streamInfo = downstreamStreamInfo(conn, protocol, config.time);
    const st = config.stats;
    st.downstream_rq_total.inc();
    st.downstream_rq_active.inc();
  }

  /** The request head as the codec decoded it, made the core's RouteRequest (stream_connection_info.ts). */
  setRequestHeaders(headers: RequestHeaderMap): void {
    this.requestHeaders = asRouteRequest(headers, this.conn);
  }

  // --- RequestDecoder (codec/types.ts): what a codec calls ------------------------------------

  /**
   * A request head the codec admitted (its own checks passed): an upgrade goes to the upgrade
   * check; otherwise the connection manager's request handling (core decodeRequestHeaders, as
   * match/explain), `Expect: 100-continue`, then the filter chain.
   */
  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): void {
    this.setRequestHeaders(headers);
    if (headers.method === 'CONNECT' || headers.headers['upgrade'] !== undefined) {
      const type = requestedUpgrade(headers.method, headers.headers);
      if (type !== undefined) {
        admitUpgrade(this, type);
        return;
      }
    }
    if (!decodeRequestHeadersOf(this, this.conn)) return;
    // Envoy answers `Expect: 100-continue` itself (proxy_100_continue false); not for HTTP/1.0.
    if (!endStream) {
      const expect = headers.headers['expect'];
      if (typeof expect === 'string' && this.streamInfo.protocol !== 'HTTP/1.0' && expect.toLowerCase() === '100-continue') this.response.encode100Continue();
    }
    try {
      this.start(endStream);
    } catch (err) {
      // A filter threw: answer 500 if nothing was sent, else reset. The proxy keeps running.
      this.onInternalError(err as Error);
    }
  }

  /**
   * An upgrade or CONNECT request from a codec that keeps its body for the tunnel (HTTP/2: a
   * plain or an extended CONNECT, already turned into an HTTP/1-style upgrade): the upgrade
   * admission (upgrade_admission.ts), then the filter chain.
   */
  decodeUpgradeHeaders(headers: RequestHeaderMap): void {
    this.setRequestHeaders(headers);
    admitUpgrade(this, requestedUpgrade(headers.method, headers.headers) ?? 'CONNECT');
  }

  /**
   * The codec refused the request head (HTTP/1 admission: 426, 431, two Host headers, its own
   * refusals): a local reply, DPE, `downstream_cx_protocol_error`, and the connection closes.
   */
  refuseHeaders(headers: RequestHeaderMap, status: number, details: string): void {
    this.setRequestHeaders(headers);
    this.config.stats.downstream_cx_protocol_error.inc();
    addFlag(this.streamInfo, 'DPE');
    this.start(true, false);
    this.sendLocalReply(status, statusText(status), details, { closeConnection: true });
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (chunk.length > 0) this.onRequestData(chunk);
    if (endStream) this.onRequestEnd();
  }

  decodeTrailers(trailers: HeaderList): void {
    if (this.filters.isComplete || this.remoteComplete) return;
    this.markRemoteComplete();
    this.filters.decodeTrailers(trailers);
  }

  // --- request path ---------------------------------------------------------------------------

  /**
   * Installs the filter chain and runs decodeHeaders. `endStream` when the request has no body.
   * With `runFilters` false (a request refused by admission checks) no filter is installed.
   */
  start(endStream: boolean, runFilters = true): void {
    const info = this.streamInfo;
    const h = this.requestHeaders;
    recordRequestHead(info, h);
    this.timeouts.start(endStream);
    this.remoteComplete = endStream;
    if (endStream) info.lastDownstreamRxByteReceived = this.time.monotonic();
    if (!runFilters) return;
    // Tracing: the decision (x-request-id) and the span, once the headers are decoded and routed.
    if (this.config.tracer !== undefined) this.activeSpan = this.config.tracer.startSpan(h, info, routeEntryOf(this.route()), this.random.random());
    this.filters.installFilters(this.config.filterFactories, this);
    this.filters.decodeHeaders(endStream);
  }

  /** The codec delivered a request body chunk. */
  onRequestData(chunk: Buffer): void {
    if (this.filters.isComplete) return;
    this.streamInfo.bytesReceived += chunk.length;
    this.timeouts.onActivity();
    this.filters.decodeData(chunk, false);
  }

  /** The codec saw the end of the request. */
  onRequestEnd(): void {
    if (this.filters.isComplete || this.remoteComplete) return;
    this.markRemoteComplete();
    this.filters.decodeData(EMPTY_BUFFER, true);
  }

  private markRemoteComplete(): void {
    this.remoteComplete = true;
    this.streamInfo.lastDownstreamRxByteReceived = this.time.monotonic();
    this.timeouts.onRequestComplete();
  }

  // --- routing --------------------------------------------------------------------------------

  route(): RouteDecision {
    return this.routes.route(this.requestHeaders, this.streamInfo);
  }

  clearRouteCache(): void {
    this.routes.clear();
  }

  perFilterConfig(filterName: string): Any | undefined {
    return this.routes.perFilterConfig(filterName, this.requestHeaders, this.streamInfo);
  }

  onDownstreamAbort(handler: DownstreamAbortHandler): void {
    this.abortHandler = handler;
  }

  addDownstreamWatermarkCallbacks(callbacks: DownstreamWatermarkCallbacks): void {
    this.response.addDownstreamWatermarkCallbacks(callbacks);
  }

  readDisable(disable: boolean): void {
    this.response.readDisable(disable);
  }

  // --- the filter chain (filters call these on their callbacks) -------------------------------

  continueDecoding(): void {
    this.filters.continueDecoding();
  }

  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): void {
    this.filters.encodeHeaders(headers, endStream);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    this.filters.encodeData(chunk, endStream);
  }

  encodeTrailers(trailers: HeaderList): void {
    this.filters.encodeTrailers(trailers);
  }

  continueEncoding(): void {
    this.filters.continueEncoding();
  }

  // --- response path --------------------------------------------------------------------------

  /** A local reply, through the encoder filters (stream_response.ts); a reset once the response started. */
  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void {
    this.response.sendLocalReply(status, body, details, options, this.routes.decision);
  }

  // --- what left the encoder filters (FilterManagerCallbacks), written by stream_response.ts ---

  writeHeaders(h: ResponseHeaderMap, endStream: boolean): void {
    if (this.response.writeHeaders(h, endStream) && endStream) this.complete();
  }

  writeData(chunk: Buffer, endStream: boolean): void {
    if (!this.response.writeData(chunk, endStream)) return;
    if (endStream) this.complete();
    else this.timeouts.onActivity();
  }

  writeTrailers(trailers: HeaderList): void {
    if (this.response.writeTrailers(trailers)) this.complete();
  }

  // --- upgrades (router_upgrade.ts) ------------------------------------------------------------

  upgradeDownstream(h: ResponseHeaderMap): DownstreamTunnel | undefined {
    const t = this.response.switchToTunnel(h);
    if (t === undefined) return undefined;
    this.timeouts.stopIdle();
    this.conn.onTunnel?.(this);
    return t;
  }

  tunnelClosed(bytesReceived: number, bytesSent: number, flag: ResponseFlag | undefined, details: string): void {
    if (this.response.tunnelClosed(bytesReceived, bytesSent, flag, details)) this.complete();
  }

  /** Whether the stream's connection is a tunnel now. */
  get isTunnel(): boolean {
    return this.response.isTunnel;
  }

  // --- timeouts (stream_timeouts.ts) and resets ------------------------------------------------

  /** max_stream_duration (route or HCM), set by the router once the route is known. */
  setMaxStreamDuration(ms: number): void {
    if (!this.filters.isComplete) this.timeouts.setMaxStreamDuration(ms);
  }

  /** A filter threw while handling this stream. */
  onInternalError(err: Error): void {
    if (this.filters.isComplete) return;
    this.abortUpstream();
    this.sendLocalReply(500, 'Internal Server Error', 'filter_exception{' + err.message.replace(/\s/g, '_') + '}', { closeConnection: true });
  }

  /** The codec failed mid-request (bad body framing): 400 DPE if nothing was sent, else reset. */
  onCodecError(status: number, body: string, details: string): void {
    if (this.filters.isComplete) return;
    this.config.stats.downstream_cx_protocol_error.inc();
    addFlag(this.streamInfo, 'DPE');
    this.abortUpstream();
    this.sendLocalReply(status, body, details, { closeConnection: true });
  }

  /** The downstream side ends the stream: its DownstreamAbortHandler (the router) resets the upstream request, once. */
  abortUpstream(): void {
    const h = this.abortHandler;
    this.abortHandler = undefined;
    if (h) h.onDownstreamAbort();
  }

  /**
   * The downstream connection closed before the stream completed (Envoy's resetAllStreams on a
   * connection close): DC, `details` (`downstream_remote_disconnect`, or
   * `downstream_local_disconnect` when the proxy closed it), the status actually sent (0 if
   * none), the upstream request reset.
   */
  onDownstreamDisconnect(details: string): void {
    if (!this.filters.isComplete) this.onDownstreamReset('DC', details);
  }

  /**
   * The client ended the stream (`flag` DR: it reset the stream; DC: its connection went away):
   * `downstream_rq_rx_reset`, `details`, the upstream request reset, the stream completes.
   */
  onDownstreamReset(flag: ResponseFlag, details: string): void {
    this.config.stats.downstream_rq_rx_reset.inc();
    addFlag(this.streamInfo, flag);
    this.streamInfo.responseCodeDetails = details;
    this.abortUpstream();
    this.complete();
  }

  resetStream(): void {
    if (this.filters.isComplete) return;
    this.config.stats.downstream_rq_tx_reset.inc();
    this.abortUpstream();
    this.complete();
    this.response.resetLocally();
  }

  private complete(): void {
    if (this.filters.isComplete) return;
    this.filters.markComplete();
    this.timeouts.stopAll();
    const info = this.streamInfo;
    const now = this.time.monotonic();
    info.lastDownstreamTxByteSent = now;
    chargeCompletedStream(this.config.stats, info, now);
    // Filters are destroyed before logging, as Envoy does (onDestroy then access log).
    this.filters.destroyFilters();
    this.abortHandler = undefined;
    this.response.detach();
    this.conn.onStreamComplete(this);
    // Tracing (the span's tags and end), then the access logs (stream_completion.ts).
    logCompletedStream(this.config, info, this.activeSpan, this.requestHeaders, this.routes.decision, now);
  }

  /** The response will carry `connection: close` and the connection ends after it. */
  closeConnectionAfterResponse(): void {
    this.response.closeConnectionAfter();
  }

  /** Whether the whole request was received. */
  get isRequestComplete(): boolean {
    return this.remoteComplete;
  }

  get isComplete(): boolean {
    return this.filters.isComplete;
  }
}
