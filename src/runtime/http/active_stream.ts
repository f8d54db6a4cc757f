/**
 * One downstream request/response (Envoy's ConnectionManagerImpl::ActiveStream plus its
 * FilterManager): owns the StreamInfo, the cached route, the HTTP filter chain and the write of
 * the response to node:http's ServerResponse. See conn_manager.ts for the phase chart.
 *
 * The stream object is itself the callbacks object every filter of the stream receives (no
 * per-filter wrappers, no per-request closures): `continueDecoding()` resumes the chain wherever
 * it is stopped. Timers receive the stream as their argument instead of a bound closure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Any } from '../../config/types.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import type { StatsScope } from '../stats/store.js';
import { newStreamInfo, type ResponseFlag, type StreamInfo } from '../stream_info.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type {
  DownstreamAbortHandler,
  LocalReplyOptions,
  RandomSource,
  RequestHeaderMap,
  ResponseHeaderMap,
  StreamDecoderFilter,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilter,
  StreamEncoderFilterCallbacks,
  TimeSource,
} from './filter.js';
import { Details } from './local_reply.js';

/** What the stream needs from its downstream connection (conn_manager.ts). */
export interface DownstreamConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set when the server is draining: responses carry `connection: close` (Envoy drain). */
  draining: boolean;
  /** Called by the stream when it completes (removes it from the connection's list). */
  onStreamComplete(stream: ActiveStream): void;
}

const EMPTY_BUFFER = Buffer.alloc(0);

function onStreamIdleTimer(s: ActiveStream): void {
  s.onIdleTimeout();
}
function onRequestTimer(s: ActiveStream): void {
  s.onRequestTimeout();
}

export class ActiveStream implements StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks {
  readonly streamInfo: StreamInfo;
  readonly requestHeaders: RequestHeaderMap;
  readonly stats: StatsScope;
  readonly random: RandomSource;
  readonly time: TimeSource;
  readonly connectionId: number;
  trustedDownstream = true;

  private readonly decoders: StreamDecoderFilter[] = [];
  private readonly encoders: StreamEncoderFilter[] = [];
  private cachedRoute: RouteDecision | undefined;
  private decodeStoppedAt = -1;
  private headersDone = false;
  private pendingData: Buffer[] | undefined;
  private pendingEnd = false;
  private remoteComplete = false;
  private headersEndStream = false;
  private encodeStoppedAt = -1;
  private encodeHeadersPending: ResponseHeaderMap | undefined;
  private encodePendingData: Buffer[] | undefined;
  private encodePendingEnd = false;
  private responseStarted = false;
  private closeAfterResponse = false;
  private completed = false;
  private abortHandler: DownstreamAbortHandler | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ConnectionManagerConfig,
    readonly conn: DownstreamConnectionInfo,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.stats = config.stats.scope;
    this.random = config.random;
    this.time = config.time;
    this.connectionId = conn.id;
    const info = newStreamInfo(config.time.now(), config.time.monotonic());
    info.protocol = req.httpVersion === '1.1' ? 'HTTP/1.1' : req.httpVersion === '1.0' ? 'HTTP/1.0' : 'HTTP/' + req.httpVersion;
    info.downstreamRemoteAddress = conn.remoteAddress;
    info.downstreamRemotePort = conn.remotePort;
    info.downstreamLocalAddress = conn.localAddress;
    info.downstreamLocalPort = conn.localPort;
    this.streamInfo = info;
    const headers = req.headers as Record<string, string | string[] | undefined>;
    const host = headers.host;
    this.requestHeaders = { method: req.method ?? 'GET', path: req.url ?? '/', authority: typeof host === 'string' ? host : undefined, scheme: 'http', headers };
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
    if (this.config.streamIdleTimeoutMs > 0) this.idleTimer = setTimeout(onStreamIdleTimer, this.config.streamIdleTimeoutMs, this);
    if (this.config.requestTimeoutMs > 0 && !endStream) this.requestTimer = setTimeout(onRequestTimer, this.config.requestTimeoutMs, this);
    this.remoteComplete = endStream;
    this.headersEndStream = endStream;
    if (endStream) info.lastDownstreamRxByteReceived = this.time.monotonic();
    if (!runFilters) return;
    const factories = this.config.filterFactories;
    for (let i = 0; i < factories.length; i++) {
      const inst = factories[i]!();
      if (inst.decoder) {
        inst.decoder.setDecoderFilterCallbacks(this);
        this.decoders.push(inst.decoder);
      }
      if (inst.encoder) {
        inst.encoder.setEncoderFilterCallbacks(this);
        this.encoders.unshift(inst.encoder);
      }
    }
    this.iterateDecodeHeaders(0, endStream);
  }

  private iterateDecodeHeaders(from: number, endStream: boolean): void {
    const d = this.decoders;
    const last = d.length - 1;
    for (let i = from; i <= last; i++) {
      const status = d[i]!.decodeHeaders(this.requestHeaders, endStream);
      if (this.completed || this.responseStarted) return;
      // The terminal filter stopping is normal (router): headers are done.
      if (status === 'StopIteration' && i < last) {
        this.decodeStoppedAt = i;
        return;
      }
    }
    this.decodeStoppedAt = -1;
    this.headersDone = true;
    this.flushPendingData(0);
  }

  /** node:http delivered a request body chunk. */
  onRequestData(chunk: Buffer): void {
    if (this.completed) return;
    this.streamInfo.bytesReceived += chunk.length;
    if (this.idleTimer) this.idleTimer.refresh();
    if (!this.headersDone || this.decodeStoppedAt >= 0) {
      (this.pendingData ??= []).push(chunk);
      return;
    }
    this.iterateDecodeData(chunk, false, 0);
  }

  /** node:http saw the end of the request. */
  onRequestEnd(): void {
    if (this.completed || this.remoteComplete) return;
    this.remoteComplete = true;
    this.streamInfo.lastDownstreamRxByteReceived = this.time.monotonic();
    if (this.requestTimer) {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
    }
    if (!this.headersDone || this.decodeStoppedAt >= 0) {
      this.pendingEnd = true;
      return;
    }
    this.iterateDecodeData(EMPTY_BUFFER, true, 0);
  }

  private iterateDecodeData(chunk: Buffer, end: boolean, from: number): void {
    const d = this.decoders;
    const last = d.length - 1;
    for (let i = from; i <= last; i++) {
      const status = d[i]!.decodeData(chunk, end);
      if (this.completed) return;
      if (status === 'StopIteration' && i < last) {
        this.decodeStoppedAt = i;
        (this.pendingData ??= []).unshift(chunk);
        if (end) this.pendingEnd = true;
        return;
      }
    }
  }

  private flushPendingData(from: number): void {
    const pending = this.pendingData;
    const end = this.pendingEnd;
    this.pendingData = undefined;
    this.pendingEnd = false;
    if (pending) {
      for (let k = 0; k < pending.length; k++) {
        const isLast = k === pending.length - 1;
        this.iterateDecodeData(pending[k]!, end && isLast, from);
        if (this.completed || this.decodeStoppedAt >= 0) {
          // Re-queue what was not delivered.
          const rest = pending.slice(k + 1);
          if (rest.length) (this.pendingData ??= []).push(...rest);
          if (end) this.pendingEnd = true;
          return;
        }
      }
    } else if (end) {
      this.iterateDecodeData(EMPTY_BUFFER, true, from);
    }
  }

  continueDecoding(): void {
    if (this.completed || this.decodeStoppedAt < 0) return;
    const at = this.decodeStoppedAt;
    this.decodeStoppedAt = -1;
    if (!this.headersDone) {
      this.iterateDecodeHeaders(at + 1, this.headersEndStream);
    } else {
      this.flushPendingData(at + 1);
    }
  }

  // --- routing --------------------------------------------------------------------------------

  route(): RouteDecision {
    let r = this.cachedRoute;
    if (r === undefined) {
      const h = this.requestHeaders;
      const request: RouteRequest = {
        authority: h.authority,
        path: h.path,
        method: h.method,
        scheme: h.scheme,
        headers: h.headers,
        remoteAddress: this.conn.remoteAddress,
        remotePort: this.conn.remotePort,
        localAddress: this.conn.localAddress,
        localPort: this.conn.localPort,
      };
      r = this.config.routeProvider.route(request, this.random.random());
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

  readDisable(disable: boolean): void {
    if (disable) this.req.pause();
    else this.req.resume();
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

  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): void {
    if (this.completed || this.responseStarted) return;
    this.iterateEncodeHeaders(headers, endStream, 0);
  }

  private iterateEncodeHeaders(headers: ResponseHeaderMap, endStream: boolean, from: number): void {
    const e = this.encoders;
    for (let i = from; i < e.length; i++) {
      const status = e[i]!.encodeHeaders(headers, endStream);
      if (this.completed) return;
      if (status === 'StopIteration') {
        this.encodeStoppedAt = i;
        this.encodeHeadersPending = headers;
        this.encodePendingEnd = endStream;
        return;
      }
    }
    this.writeHeaders(headers, endStream);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    if (this.completed) return;
    if (this.encodeStoppedAt >= 0) {
      (this.encodePendingData ??= []).push(chunk);
      if (endStream) this.encodePendingEnd = true;
      return;
    }
    const e = this.encoders;
    for (let i = 0; i < e.length; i++) e[i]!.encodeData(chunk, endStream);
    this.writeData(chunk, endStream);
  }

  continueEncoding(): void {
    if (this.completed || this.encodeStoppedAt < 0) return;
    const at = this.encodeStoppedAt;
    const headers = this.encodeHeadersPending;
    const data = this.encodePendingData;
    const end = this.encodePendingEnd;
    this.encodeStoppedAt = -1;
    this.encodeHeadersPending = undefined;
    this.encodePendingData = undefined;
    this.encodePendingEnd = false;
    if (headers) this.iterateEncodeHeaders(headers, end && !data, at + 1);
    if (data) for (let k = 0; k < data.length; k++) this.encodeData(data[k]!, end && k === data.length - 1);
  }

  private writeHeaders(h: ResponseHeaderMap, endStream: boolean): void {
    const cfg = this.config;
    const info = this.streamInfo;
    const headers = h.headers;
    // server_header_transformation (default OVERWRITE): `server: envoy` unless configured otherwise.
    if (cfg.serverHeaderTransformation === 'OVERWRITE' || (cfg.serverHeaderTransformation === 'APPEND_IF_ABSENT' && headers['server'] === undefined)) {
      headers['server'] = cfg.serverName;
    }
    if (cfg.alwaysSetRequestIdInResponse) {
      const rid = this.requestHeaders.headers['x-request-id'];
      if (rid !== undefined) headers['x-request-id'] = rid;
    }
    if (this.closeAfterResponse || this.conn.draining) headers['connection'] = 'close';
    this.responseStarted = true;
    info.responseCode = h.status;
    info.responseHeaders = headers;
    if (info.responseCodeDetails === undefined) info.responseCodeDetails = Details.ViaUpstream;
    const res = this.res;
    res.writeHead(h.status, headers as Record<string, string | string[] | number>);
    if (endStream) this.finishResponse();
  }

  private writeData(chunk: Buffer, endStream: boolean): void {
    if (this.idleTimer) this.idleTimer.refresh();
    this.streamInfo.bytesSent += chunk.length;
    if (endStream) {
      if (chunk.length > 0) this.res.end(chunk);
      else this.res.end();
      this.onResponseEnded();
    } else if (chunk.length > 0) {
      this.res.write(chunk);
    }
  }

  private finishResponse(): void {
    this.res.end();
    this.onResponseEnded();
  }

  private onResponseEnded(): void {
    if (this.closeAfterResponse) this.res.shouldKeepAlive = false;
    this.complete();
  }

  // --- timeouts and resets --------------------------------------------------------------------

  /** stream_idle_timeout fired: 408 `stream timeout` (SI) before a response, else reset. */
  onIdleTimeout(): void {
    this.idleTimer = undefined;
    if (this.completed) return;
    this.config.stats.downstream_rq_idle_timeout.inc();
    addFlag(this.streamInfo, 'SI');
    this.abortUpstream();
    this.sendLocalReply(408, 'stream timeout', Details.StreamIdleTimeout, { closeConnection: !this.remoteComplete });
  }

  /** request_timeout fired before the request was complete: 408 `request timeout`. */
  onRequestTimeout(): void {
    this.requestTimer = undefined;
    if (this.completed) return;
    this.config.stats.downstream_rq_timeout.inc();
    this.abortUpstream();
    this.sendLocalReply(408, 'request timeout', Details.RequestOverallTimeout, { closeConnection: true });
  }

  private abortUpstream(): void {
    const h = this.abortHandler;
    this.abortHandler = undefined;
    if (h) h.onDownstreamAbort();
  }

  /** The downstream connection closed before the stream completed (DC). */
  onDownstreamDisconnect(): void {
    if (this.completed) return;
    this.config.stats.downstream_rq_rx_reset.inc();
    addFlag(this.streamInfo, 'DC');
    if (!this.responseStarted) this.streamInfo.responseCodeDetails = Details.DownstreamRemoteDisconnect;
    this.abortUpstream();
    this.complete();
  }

  resetStream(): void {
    if (this.completed) return;
    this.abortUpstream();
    this.closeAfterResponse = true;
    this.res.destroy();
    this.complete();
  }

  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
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
    const d = this.decoders;
    for (let i = 0; i < d.length; i++) d[i]!.onDestroy();
    const e = this.encoders;
    for (let i = 0; i < e.length; i++) if (!d.includes(e[i] as unknown as StreamDecoderFilter)) e[i]!.onDestroy();
    this.abortHandler = undefined;
    this.conn.onStreamComplete(this);
    const loggers = this.config.accessLoggers;
    for (let i = 0; i < loggers.length; i++) loggers[i]!.log(info);
  }

  get isComplete(): boolean {
    return this.completed;
  }
}

/** Adds a response flag once. */
export function addFlag(info: StreamInfo, flag: ResponseFlag): void {
  if (!info.responseFlags.includes(flag)) info.responseFlags.push(flag);
}
