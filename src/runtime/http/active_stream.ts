/**
 * One downstream request/response (Envoy's ConnectionManagerImpl::ActiveStream plus its
 * FilterManager): owns the StreamInfo, the cached route, the HTTP filter chain and the write of
 * the response through the HTTP/1 codec. See conn_manager.ts for the phase chart.
 *
 * The stream object is itself the callbacks object every filter of the stream receives (no
 * per-filter wrappers, no per-request closures): `continueDecoding()` resumes the chain wherever
 * it is stopped. Timers receive the stream as their argument instead of a bound closure.
 */
import type { Any } from '../../config/types.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import type { StatsScope } from '../stats/store.js';
import { newStreamInfo, setDirectLocalAddress, type ResponseFlag, type StreamInfo } from '../stream_info.js';
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
import { Details } from './local_reply.js';
import { mutateResponseHeaders } from '../../core/request_mutation.js';
import { EMPTY_BUFFER, FilterManager } from './filter_manager.js';
import { timerPool, type PooledTimer } from './timer_pool.js';
import type { Http1ServerCodec, RequestHead } from './http1_server_codec.js';
import { routeEntryOf } from '../tracing/route_entry.js';
import type { Span } from '../tracing/span.js';

/** What the stream needs from its downstream connection (conn_manager.ts). */
export interface DownstreamConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set when the local address is the restored original destination: the socket's own address. */
  readonly directLocalAddress?: string;
  readonly directLocalPort?: number;
  /** Set when the server is draining: responses carry `connection: close` (Envoy drain). */
  draining: boolean;
  /** The connection's HTTP/1 codec (writes the response). */
  readonly codec: Http1ServerCodec;
  /** Called by the stream when it completes. */
  onStreamComplete(stream: ActiveStream): void;
}

function onStreamIdleTimer(s: ActiveStream): void {
  s.onIdleTimeout();
}
function onRequestTimer(s: ActiveStream): void {
  s.onRequestTimeout();
}

/**
 * One request/response on a downstream connection. Created by the connection manager per
 * request the codec parses; completes exactly once (response written, reset, or client gone),
 * then destroys its filters and writes the access logs. Not re-entrant across streams.
 */
export class ActiveStream extends FilterManager implements StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks {
  readonly streamInfo: StreamInfo;
  readonly requestHeaders: RequestHeaderMap;
  readonly stats: StatsScope;
  readonly random: RandomSource;
  readonly time: TimeSource;
  readonly connectionId: number;
  trustedDownstream = true;
  /** The request's trace span (HCM `tracing`), started in start(), finished in complete(). */
  activeSpan: Span | undefined = undefined;

  private cachedRoute: RouteDecision | undefined;
  private remoteComplete = false;
  private closeAfterResponse = false;
  private abortHandler: DownstreamAbortHandler | undefined;
  private idleTimer: PooledTimer | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private watermarkCallbacks: DownstreamWatermarkCallbacks | undefined;
  /** The socket's write buffer is over its high watermark; waiting for 'drain'. */
  private aboveHighWatermark = false;
  private readonly codec: Http1ServerCodec;

  constructor(
    readonly config: ConnectionManagerConfig,
    readonly conn: DownstreamConnectionInfo,
    head: RequestHead,
  ) {
    super();
    this.stats = config.stats.scope;
    this.random = config.random;
    this.time = config.time;
    this.connectionId = conn.id;
    this.codec = conn.codec;
    const info = newStreamInfo(config.time.now(), config.time.monotonic());
    const minor = head.versionMinor;
    info.protocol = head.versionMajor === 1 ? (minor === 1 ? 'HTTP/1.1' : minor === 0 ? 'HTTP/1.0' : 'HTTP/1.' + minor) : `HTTP/${head.versionMajor}.${minor}`;
    info.downstreamRemoteAddress = conn.remoteAddress;
    info.downstreamRemotePort = conn.remotePort;
    info.downstreamLocalAddress = conn.localAddress;
    info.downstreamLocalPort = conn.localPort;
    if (conn.directLocalAddress !== undefined) setDirectLocalAddress(info, conn.directLocalAddress, conn.directLocalPort ?? 0);
    this.streamInfo = info;
    const headers = head.headers as Record<string, string | string[] | undefined>;
    const host = head.absoluteAuthority ?? head.headers.host;
    // The header map doubles as the core's RouteRequest (route() passes it as is: no per-lookup object).
    const rh: RequestHeaderMap & RouteRequest = {
      method: head.method,
      path: head.url,
      authority: host,
      scheme: 'http',
      headers,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      localAddress: conn.localAddress,
      localPort: conn.localPort,
    };
    this.requestHeaders = rh;
    const st = config.stats;
    st.downstream_rq_total.inc();
    st.downstream_rq_http1_total.inc();
    st.downstream_rq_active.inc();
  }

  // --- request path ---------------------------------------------------------------------------

  /**
   * Installs the filter chain and runs decodeHeaders. `endStream` when the request has no body.
   * With `runFilters` false (a request refused by admission checks) no filter is installed.
   */
  start(endStream: boolean, runFilters = true): void {
    const info = this.streamInfo;
    const h = this.requestHeaders;
    info.requestHeaders = h.headers;
    info.method = h.method;
    info.path = h.path;
    info.originalPath = h.path;
    info.authority = h.authority;
    const rid = h.headers['x-request-id'];
    if (typeof rid === 'string') info.requestId = rid;
    if (this.config.streamIdleTimeoutMs > 0) this.idleTimer = timerPool.arm(this.config.streamIdleTimeoutMs, onStreamIdleTimer, this);
    if (this.config.requestTimeoutMs > 0 && !endStream) this.requestTimer = setTimeout(onRequestTimer, this.config.requestTimeoutMs, this);
    this.remoteComplete = endStream;
    this.headersEndStream = endStream;
    if (endStream) info.lastDownstreamRxByteReceived = this.time.monotonic();
    if (!runFilters) return;
    // Tracing: the decision (x-request-id) and the span, once the headers are decoded and routed.
    if (this.config.tracer !== undefined) this.activeSpan = this.config.tracer.startSpan(h, info, routeEntryOf(this.route()), this.random.random());
    this.installFilters(this.config.filterFactories, this);
    this.iterateDecodeHeaders(0, endStream);
  }

  /** The codec delivered a request body chunk. */
  onRequestData(chunk: Buffer): void {
    if (this.completed) return;
    this.streamInfo.bytesReceived += chunk.length;
    if (this.idleTimer) this.idleTimer.refresh();
    this.decodeBody(chunk, false);
  }

  /** The codec saw the end of the request. */
  onRequestEnd(): void {
    if (this.completed || this.remoteComplete) return;
    this.remoteComplete = true;
    this.streamInfo.lastDownstreamRxByteReceived = this.time.monotonic();
    if (this.requestTimer) {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
    }
    this.decodeBody(EMPTY_BUFFER, true);
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
    if (!this.completed) this.codec.readDisable(disable);
  }

  // --- response path --------------------------------------------------------------------------

  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void {
    if (this.completed) return;
    const info = this.streamInfo;
    if (options?.flag) addFlag(info, options.flag);
    if (this.responseStarted) {
      // Too late for a reply: Envoy resets the stream.
      info.responseCodeDetails = details;
      this.resetStream();
      return;
    }
    info.responseCodeDetails = details;
    if (options?.closeConnection) this.closeAfterResponse = true;
    const headers: Record<string, string | string[] | number | undefined> = {};
    if (body.length > 0) {
      headers['content-length'] = Buffer.byteLength(body);
      headers['content-type'] = 'text/plain';
    } else {
      headers['content-length'] = 0;
    }
    const extra = options?.headers;
    if (extra) for (const [k, v] of extra) headers[k] = v;
    const response: ResponseHeaderMap = { status, headers };
    // Direct responses and redirects get the route's response header mutations.
    const r = this.cachedRoute;
    if (r !== undefined && (r.kind === 'direct_response' || r.kind === 'redirect') && details === Details.DirectResponse) {
      this.config.routeProvider.finalizeResponse(r, response, info);
    }
    // The decode chain is over: later decoder filters never see the request.
    this.decodeStoppedAt = -1;
    this.headersDone = true;
    this.pendingData = undefined;
    const isHead = this.requestHeaders.method === 'HEAD';
    this.encodeHeaders(response, body.length === 0 || isHead);
    if (body.length > 0 && !isHead) this.encodeData(Buffer.from(body), true);
  }

  protected writeHeaders(h: ResponseHeaderMap, endStream: boolean): void {
    const cfg = this.config;
    const info = this.streamInfo;
    const headers = h.headers;
    // server (server_header_transformation), x-request-id, via: the core's response mutation.
    mutateResponseHeaders(headers, this.requestHeaders.headers, cfg.request.response);
    if (this.closeAfterResponse || this.conn.draining) headers['connection'] = 'close';
    if (this.activeSpan !== undefined) this.config.tracer!.onResponseHeaders(this.activeSpan, headers); // x-envoy-decorator-operation
    this.responseStarted = true;
    if (this.codec.socket.destroyed) {
      // The client is gone: nothing is sent (the close resets the stream: DC, status 0).
      this.onDownstreamDisconnect(Details.DownstreamRemoteDisconnect);
      return;
    }
    info.responseCode = h.status;
    info.responseHeaders = headers;
    if (info.responseCodeDetails === undefined) info.responseCodeDetails = Details.ViaUpstream;
    if (!this.codec.encodeHeaders(h.status, headers, endStream)) {
      // A header that cannot be written (invalid characters from a filter or an upstream):
      // reset, never crash.
      this.streamInfo.responseCodeDetails = 'invalid_response_header';
      this.resetStream();
      return;
    }
    if (endStream) this.complete();
  }

  protected writeData(chunk: Buffer, endStream: boolean): void {
    const codec = this.codec;
    if (codec.socket.destroyed) {
      this.onDownstreamDisconnect(Details.DownstreamRemoteDisconnect);
      return;
    }
    this.streamInfo.bytesSent += chunk.length;
    if (!endStream && this.idleTimer) this.idleTimer.refresh();
    const ok = codec.encodeData(chunk, endStream);
    if (endStream) this.complete();
    else if (!ok && !this.aboveHighWatermark) this.onAboveHighWatermark();
  }

  /** The client is slower than the upstream: pause the producer until the socket drains. */
  private onAboveHighWatermark(): void {
    const cb = this.watermarkCallbacks;
    if (cb === undefined) return;
    this.aboveHighWatermark = true;
    this.codec.socket.once('drain', () => {
      this.aboveHighWatermark = false;
      if (!this.completed) cb.onBelowWriteBufferLowWatermark();
    });
    cb.onAboveWriteBufferHighWatermark();
  }

  // --- timeouts and resets --------------------------------------------------------------------

  /**
   * stream_idle_timeout fired: `stream timeout` (SI), 408 while the request is incomplete and
   * 504 once it is complete (Envoy's Utility::maybeRequestTimeoutCode), or a reset once a
   * response started.
   */
  onIdleTimeout(): void {
    this.idleTimer = undefined;
    if (this.completed) return;
    this.config.stats.downstream_rq_idle_timeout.inc();
    addFlag(this.streamInfo, 'SI');
    this.abortUpstream();
    const complete = this.remoteComplete;
    this.sendLocalReply(complete ? 504 : 408, 'stream timeout', Details.StreamIdleTimeout, { closeConnection: !complete });
  }

  /** request_timeout fired before the request was complete: 408 `request timeout`. */
  onRequestTimeout(): void {
    this.requestTimer = undefined;
    if (this.completed) return;
    this.config.stats.downstream_rq_timeout.inc();
    this.abortUpstream();
    this.sendLocalReply(408, 'request timeout', Details.RequestOverallTimeout, { closeConnection: true });
  }

  /** A filter threw while handling this stream. */
  onInternalError(err: Error): void {
    if (this.completed) return;
    this.abortUpstream();
    this.sendLocalReply(500, 'Internal Server Error', 'filter_exception{' + err.message.replace(/\s/g, '_') + '}', { closeConnection: true });
  }

  /** The codec failed mid-request (bad body framing): 400 DPE if nothing was sent, else reset. */
  onCodecError(status: number, body: string, details: string): void {
    if (this.completed) return;
    addFlag(this.streamInfo, 'DPE');
    this.abortUpstream();
    this.sendLocalReply(status, body, details, { closeConnection: true });
  }

  private abortUpstream(): void {
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
    if (this.completed) return;
    this.config.stats.downstream_rq_rx_reset.inc();
    addFlag(this.streamInfo, 'DC');
    this.streamInfo.responseCodeDetails = details;
    this.abortUpstream();
    this.complete();
  }

  resetStream(): void {
    if (this.completed) return;
    this.config.stats.downstream_rq_tx_reset.inc();
    this.abortUpstream();
    this.closeAfterResponse = true;
    this.complete();
    this.codec.close(true);
  }

  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    if (this.idleTimer) {
      timerPool.release(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (this.requestTimer) clearTimeout(this.requestTimer);
    const info = this.streamInfo;
    const now = this.time.monotonic();
    info.lastDownstreamTxByteSent = now;
    const st = this.config.stats;
    st.downstream_rq_active.dec();
    st.downstream_rq_completed.inc();
    const code = info.responseCode;
    if (code >= 100 && code < 600) st.downstream_rq_xx[(code / 100) | 0]!.inc();
    st.downstream_rq_time.record(now - info.startMonotonic);
    // Filters are destroyed before logging, as Envoy does (onDestroy then access log).
    this.destroyFilters();
    this.abortHandler = undefined;
    this.conn.onStreamComplete(this);
    // Tracing: Envoy's span tags, then the span ends (exported when sampled).
    if (this.activeSpan !== undefined) this.config.tracer!.finishSpan(this.activeSpan, this.requestHeaders, info, routeEntryOf(this.cachedRoute), now);
    const loggers = this.config.accessLoggers;
    for (let i = 0; i < loggers.length; i++) loggers[i]!.log(info);
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
    return this.completed;
  }
}

/** Adds a response flag once. */
export function addFlag(info: StreamInfo, flag: ResponseFlag): void {
  if (!info.responseFlags.includes(flag)) info.responseFlags.push(flag);
}
