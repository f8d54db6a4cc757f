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
 * access log), the request handling before the filters (header_sanitizer.ts) and the upgrade
 * admission (upgrade_admission.ts).
 */
import type { Any } from '../../config/types.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
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
import { Details, statusText } from './local_reply.js';
import { requestedUpgrade } from '../../core/upgrade.js';
import { admitUpgrade } from './upgrade_admission.js';
import { mutateResponseHeaders } from '../../core/request_mutation.js';
import { EMPTY_BUFFER, FilterManager, type FilterManagerCallbacks } from './filter_manager.js';
import type { Http1RequestDecoder } from '../codec/http1/server_connection.js';
import type { DownstreamTunnel, HeaderList, ResponseEncoder, StreamCallbacks, StreamResetReason } from '../codec/types.js';
import { decodeRequestHeadersOf } from './header_sanitizer.js';
import { localReplyResponse } from './local_reply_response.js';
import { routeEntryOf } from '../tracing/route_entry.js';
import type { Span } from '../tracing/span.js';
import { StreamTimeouts, type TimedStream } from './stream_timeouts.js';
import { asRouteRequest, downstreamStreamInfo, recordRequestHead } from './stream_connection_info.js';
import { chargeCompletedStream, logCompletedStream } from './stream_completion.js';

/** The interim response to `Expect: 100-continue`. */
const CONTINUE_HEADERS: ResponseHeaderMap = { status: 100, headers: {} };

/**
 * One request/response on a downstream connection. Created by the connection manager per
 * request the codec parses; completes exactly once (response written, reset, or client gone),
 * then destroys its filters and writes the access logs. Not re-entrant across streams.
 */
export class ActiveStream implements Http1RequestDecoder, FilterManagerCallbacks, StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks, StreamCallbacks, TimedStream {
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
  /** The stream's connection is a tunnel: its socket belongs to the tunnel until the stream completes. */
  private tunnelling = false;

  private cachedRoute: RouteDecision | undefined;
  private remoteComplete = false;
  private closeAfterResponse = false;
  private abortHandler: DownstreamAbortHandler | undefined;
  /** stream_idle_timeout, request_timeout, max_stream_duration (stream_timeouts.ts). */
  private readonly timeouts: StreamTimeouts;
  private watermarkCallbacks: DownstreamWatermarkCallbacks | undefined;

  /**
   * @param encoder answers this stream (its codec's ResponseEncoder); the stream registers
   *   itself for the encoder stream's resets and watermarks.
   * @param protocol `%PROTOCOL%`: HTTP/1.1, HTTP/1.0, HTTP/2.
   */
  constructor(
    readonly config: ConnectionManagerConfig,
    readonly conn: DownstreamConnectionInfo<ActiveStream>,
    private readonly encoder: ResponseEncoder,
    protocol: string,
  ) {
    this.filters = new FilterManager(this);
    this.timeouts = new StreamTimeouts(this);
    this.stats = config.stats.scope;
    this.random = config.random;
    this.time = config.time;
    this.connectionId = conn.id;
    encoder.stream.addCallbacks(this);
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
      if (typeof expect === 'string' && this.streamInfo.protocol !== 'HTTP/1.0' && expect.toLowerCase() === '100-continue') this.encoder.encode1xxHeaders(CONTINUE_HEADERS);
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
    let r = this.cachedRoute;
    if (r === undefined) {
      r = this.config.routeProvider.route(this.requestHeaders as RequestHeaderMap & RouteRequest, this.random.random());
      this.cachedRoute = r;
      if (r.kind !== 'no_route') {
        this.streamInfo.virtualHostName = r.virtualHost.name;
        this.streamInfo.routeName = r.route?.name;
      }
    }
    return r;
  }

  clearRouteCache(): void {
    this.cachedRoute = undefined;
  }

  perFilterConfig(filterName: string): Any | undefined {
    const r = this.route();
    if (r.kind === 'forward') return r.perFilterConfig[filterName];
    if (r.kind === 'no_route') return undefined;
    return r.route?.perFilterConfig[filterName];
  }

  onDownstreamAbort(handler: DownstreamAbortHandler): void {
    this.abortHandler = handler;
  }

  addDownstreamWatermarkCallbacks(callbacks: DownstreamWatermarkCallbacks): void {
    this.watermarkCallbacks = callbacks;
  }

  readDisable(disable: boolean): void {
    if (!this.filters.isComplete) this.encoder.stream.readDisable(disable);
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

  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void {
    if (this.filters.isComplete) return;
    const info = this.streamInfo;
    if (options?.flag) addFlag(info, options.flag);
    if (this.filters.isResponseStarted) {
      // Too late for a reply: Envoy resets the stream.
      info.responseCodeDetails = details;
      this.resetStream();
      return;
    }
    info.responseCodeDetails = details;
    if (options?.closeConnection) this.closeAfterResponse = true;
    const { response, body: out, endStream } = localReplyResponse(status, body, this.requestHeaders, options);
    // Direct responses and redirects get the route's response header mutations.
    const r = this.cachedRoute;
    if (r !== undefined && (r.kind === 'direct_response' || r.kind === 'redirect') && details === Details.DirectResponse) {
      this.config.routeProvider.finalizeResponse(r, response, info);
    }
    // The decode chain is over: later decoder filters never see the request.
    this.filters.endDecoding();
    this.encodeHeaders(response, endStream);
    if (!endStream) this.encodeData(Buffer.from(out), true);
  }

  writeHeaders(h: ResponseHeaderMap, endStream: boolean): void {
    const headers = h.headers;
    this.startResponse(h);
    if (this.closeAfterResponse || this.conn.draining) headers['connection'] = 'close';
    if (this.activeSpan !== undefined) this.config.tracer!.onResponseHeaders(this.activeSpan, headers); // x-envoy-decorator-operation
    if (this.responseHeadWritten(h, this.encoder.encodeHeaders(h, endStream)) && endStream) this.complete();
  }

  /** The response head leaves the filter chain: the response has started. */
  private startResponse(h: ResponseHeaderMap): void {
    // server (server_header_transformation), x-request-id, via: the core's response mutation.
    mutateResponseHeaders(h.headers, this.requestHeaders.headers, this.config.request.response);
    this.filters.markResponseStarted();
    this.streamInfo.responseCodeDetails ??= Details.ViaUpstream;
  }

  /**
   * The encoder took the response head (`ok`), or refused a header that cannot be written:
   * whether the stream goes on, with the response recorded in its StreamInfo.
   */
  private responseHeadWritten(h: ResponseHeaderMap, ok: boolean): boolean {
    // The client was gone: the encoder reset the stream from inside (DC, nothing sent: status 0).
    if (this.filters.isComplete) return false;
    const info = this.streamInfo;
    if (!ok) {
      // A header that cannot be written (invalid characters from a filter or an upstream):
      // reset, never crash.
      info.responseCodeDetails = 'invalid_response_header';
      this.resetStream();
      return false;
    }
    info.responseCode = h.status;
    info.responseHeaders = h.headers;
    return true;
  }

  writeData(chunk: Buffer, endStream: boolean): void {
    this.encoder.encodeData(chunk, endStream);
    if (this.filters.isComplete) return;
    this.streamInfo.bytesSent += chunk.length;
    if (endStream) this.complete();
    else this.timeouts.onActivity();
  }

  writeTrailers(trailers: HeaderList): void {
    this.encoder.encodeTrailers(trailers);
    if (this.filters.isComplete) return;
    const t: Record<string, string> = {};
    for (let i = 0; i < trailers.length; i++) t[trailers[i]![0]] = trailers[i]![1];
    this.streamInfo.responseTrailers = t;
    this.complete();
  }

  // --- upgrades (router_upgrade.ts) ------------------------------------------------------------

  upgradeDownstream(h: ResponseHeaderMap): DownstreamTunnel | undefined {
    if (this.filters.isComplete || this.filters.isResponseStarted || this.encoder.switchToTunnel === undefined) return undefined;
    this.startResponse(h);
    const t = this.encoder.switchToTunnel(h);
    if (!this.responseHeadWritten(h, t !== undefined)) return undefined;
    this.tunnelling = true;
    this.timeouts.stopIdle();
    this.conn.onTunnel?.(this);
    return t;
  }

  tunnelClosed(bytesReceived: number, bytesSent: number, flag: ResponseFlag | undefined, details: string): void {
    if (this.filters.isComplete) return;
    const info = this.streamInfo;
    info.bytesReceived += bytesReceived;
    info.bytesSent += bytesSent;
    if (flag !== undefined) addFlag(info, flag);
    info.responseCodeDetails = details;
    if (flag === 'SI') this.config.stats.downstream_rq_idle_timeout.inc();
    this.complete();
  }

  /** Whether the stream's connection is a tunnel now. */
  get isTunnel(): boolean {
    return this.tunnelling;
  }

  // --- the encoder stream's callbacks (codec/types.ts StreamCallbacks) ------------------------

  /** The client is slower than the upstream: the producer pauses until the write buffer drains. */
  onAboveWriteBufferHighWatermark(): void {
    if (!this.filters.isComplete) this.watermarkCallbacks?.onAboveWriteBufferHighWatermark();
  }

  onBelowWriteBufferLowWatermark(): void {
    if (!this.filters.isComplete) this.watermarkCallbacks?.onBelowWriteBufferLowWatermark();
  }

  /**
   * The codec reset the stream: the connection went away under it (DC), or the client reset it
   * (HTTP/2 RST_STREAM: DR, Envoy's DownstreamRemoteReset). Ignored once the stream completed
   * (a reset this stream asked for itself).
   */
  onResetStream(reason: StreamResetReason, _transportFailureReason: string): void {
    if (this.filters.isComplete) return;
    if (reason === 'remote_reset' || reason === 'remote_refused_stream_reset') this.endOnDownstreamReset('DR', Details.Http2RemoteReset);
    else this.onDownstreamDisconnect(reason === 'local_reset' ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect);
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
    if (!this.filters.isComplete) this.endOnDownstreamReset('DC', details);
  }

  /** The client ended the stream (`downstream_rq_rx_reset`, `flag`, `details`): the upstream request is reset. */
  private endOnDownstreamReset(flag: ResponseFlag, details: string): void {
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
    this.closeAfterResponse = true;
    this.complete();
    this.encoder.stream.resetStream('local_reset');
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
    this.encoder.stream.removeCallbacks(this);
    this.conn.onStreamComplete(this);
    // Tracing (the span's tags and end), then the access logs (stream_completion.ts).
    logCompletedStream(this.config, info, this.activeSpan, this.requestHeaders, this.cachedRoute, now);
  }

  /** The response will carry `connection: close` and the connection ends after it. */
  closeConnectionAfterResponse(): void {
    this.closeAfterResponse = true;
  }

  /** Whether the whole request was received. */
  get isRequestComplete(): boolean {
    return this.remoteComplete;
  }

  get isComplete(): boolean {
    return this.filters.isComplete;
  }
}
