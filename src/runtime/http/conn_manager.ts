/**
 * The HTTP connection manager (Envoy's ConnectionManagerImpl) over the HTTP/1.1 codec
 * (codec/http1/server_codec.ts, native llhttp): per-connection state, request admission checks,
 * request header mutation, the ActiveStream per request, and codec (parse) errors turned into
 * Envoy's local replies.
 *
 * Phase chart of one request (what runs, in order; cf. Envoy's HCM and router):
 *
 *   accept (listener.ts: TCP_NODELAY, listener + HCM cx stats, filter chain -> this manager)
 *     -> llhttp parses the request head          [parse error -> onCodecError: 400/431 DPE, close]
 *          a head still incomplete after a read is timed from then: stream_idle_timeout (408 SI)
 *          or request_headers_timeout (408), whichever is shorter [onRequestHeadPending]
 *     -> onRequest: ActiveStream created          (downstream_rq_total/active, StreamInfo)
 *     -> admission: HTTP/1.0|0.9 -> 426 DPE (unless accept_http_10); header count > max -> 431;
        two Host headers -> 400; Upgrade/CONNECT -> 403 upgrade_failed
 *     -> decodeRequestHeaders [core/hcm_request.ts, as match/explain]: Host valid (400 DPE) and present
 *        (400), relative path (404), path normalisation (400 / 307), host normalisation,
 *        mutateRequestHeaders (XFF, x-forwarded-proto, internal vs external, x-envoy-* sanitising)
 *     -> HTTP filters decodeHeaders in config order (Continue | StopIteration + continueDecoding)
 *     -> router (terminal): route() [core] -> direct response / redirect / 404 NR
 *          -> cluster (NC) -> maintenance (UO) -> chooseHost (UH) -> timeouts -> finalizeRequest [core]
 *          -> conn pool newStream -> encodeHeaders/encodeData upstream; route + per-try timers
 *          -> response headers: retry? -> x-envoy-upstream-service-time, finalizeResponse [core]
 *     -> encoder filters in reverse order -> server header -> the codec writes the response
 *     -> stream complete: downstream_rq_<N>xx, downstream_rq_time, filters onDestroy, access log
 *   Timers per stream: stream_idle_timeout (408 SI before the request is complete, 504 SI after,
 *   as Envoy's maybeRequestTimeoutCode), request_timeout (408). Per connection: idle_timeout (no
 *   stream for that long: closed, downstream_cx_idle_timeout), one timer re-armed lazily, so
 *   nothing per request but a timestamp.
 *   Close: Envoy keeps no half-closed HTTP/1 connection, so a client FIN or RST while a request
 *   is in progress (even a partial head) resets it: DC with the status actually sent (0 if
 *   none), `downstream_remote_disconnect`, the upstream request reset, access log. A close by the
 *   proxy (drain deadline) does the same with `downstream_local_disconnect`.
 */
import type { Socket } from 'node:net';
import { ActiveStream, type DownstreamConnectionInfo } from './active_stream.js';
import { addFlag } from '../stream_info.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import { decodeRequestHeadersOf, plainAddress } from './header_sanitizer.js';
import { CodecErrorCodes, Http1ServerCodec, type RequestHead, type ServerCodecCallbacks } from '../codec/http1/server_codec.js';
import { http1CodecStats } from '../codec/http1/codec_stats.js';
import { Details, statusText } from './local_reply.js';
import { newStreamInfo, setDirectLocalAddress } from '../stream_info.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';
import type { DownstreamTransportInfo } from '../network/transport_info.js';
import { timerPool, type PooledTimer } from './timer_pool.js';
import { codecError, logHeadless, writeHeadlessReply } from './headless_request.js';
import { Http1ServerStream } from '../codec/http1/server_stream.js';
import { upgradeRequest } from './upgrade_request.js';
import { nextConnectionId } from './connection_id.js';
import type { RequestHeaderMap } from './filter.js';
import type { RouteRequest } from '../../core/route_types.js';

const kConn = Symbol('tsproxy.downstreamConnection');

type SocketWithConn = Socket & { [kConn]?: DownstreamConnection };


/**
 * The peer sent FIN (runs before the codec's own 'end' listener): a remote close unless the proxy
 * had ended its side first (then the FIN answers the proxy's own close).
 */
function onPeerEnd(this: Socket): void {
  const c = (this as SocketWithConn)[kConn];
  if (c !== undefined && !this.writableEnded && !this.destroyed) c.remoteClose = true;
}
/** After the codec handled the FIN: if it dropped the connection, reset what was in progress now. */
function afterPeerEnd(this: Socket): void {
  if (this.destroyed) (this as SocketWithConn)[kConn]?.onDropped();
}
/** An I/O error (a reset by the peer...): the socket is gone; reset what was in progress now. */
function onSocketError(this: Socket): void {
  const c = (this as SocketWithConn)[kConn];
  if (c === undefined) return;
  if (!this.writableEnded) c.remoteClose = true;
  c.onDropped();
}
function onHeadTimer(c: DownstreamConnection): void {
  c.onHeadTimeout();
}
function onIdleTimer(c: DownstreamConnection): void {
  c.onIdleTimer();
}

/**
 * Per-downstream-connection state (Envoy's ConnectionManagerImpl instance per connection): the
 * HTTP/1 codec, the stream in progress, connection stats. Requests arrive one at a time (the
 * codec queues pipelined ones), so at most one stream is active.
 */
export class DownstreamConnection implements DownstreamConnectionInfo, ServerCodecCallbacks {
  readonly id = nextConnectionId();
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The socket's own local address when the original destination replaced it (else undefined). */
  readonly directLocalAddress: string | undefined;
  readonly directLocalPort: number | undefined;
  /** [TLS] The TLS facts when the listener terminated TLS (listener.ts); undefined for plaintext. */
  readonly transport: DownstreamTransportInfo | undefined;
  readonly codec: Http1ServerCodec;
  /** Answers each request in turn (the ResponseEncoder its ActiveStream writes through). */
  private readonly encoder: Http1ServerStream;
  draining = false;
  closed = false;
  /** The peer closed (FIN or reset) rather than the proxy. */
  remoteClose = false;
  private readonly openedAt: number;
  /** Monotonic ms (config.time) when the connection last had no stream: idle_timeout counts from it. */
  private idleSince: number;
  private idleTimer: NodeJS.Timeout | undefined;
  /** A request head outside any stream was reported incomplete after a read (onRequestHeadPending). */
  private headReported = false;
  /** Times that head (stream_idle_timeout or request_headers_timeout). */
  private headTimer: PooledTimer | undefined;
  /** Wall and monotonic ms when that head was reported (the access log's start of that request). */
  private headStartTime = 0;
  private headStartMonotonic = 0;
  /** A reply was written outside any stream (codec error, head timeout): nothing else to log. */
  private answeredHeadless = false;
  /** Requests seen on this connection (for max_requests_per_connection). */
  requestCount = 0;
  /** The stream in progress (its response is not complete), or undefined. */
  stream: ActiveStream | undefined;
  /** The last stream delivered, which receives request body events even after it completed. */
  private current: ActiveStream | undefined;

  constructor(
    readonly config: ConnectionManagerConfig,
    readonly socket: Socket,
    /** Called once when the socket closes (listener connection tracking). */
    private readonly onClosed: (c: DownstreamConnection) => void,
    /** The original destination (listener original_dst): the connection's local address. */
    restoredLocal?: RestoredLocalAddress,
    /** [TLS] The TLS facts (SNI, version, peer certificate), copied into each stream's StreamInfo. */
    transport?: DownstreamTransportInfo,
  ) {
    this.transport = transport;
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = restoredLocal?.address ?? plainAddress(socket.localAddress);
    this.localPort = restoredLocal?.port ?? socket.localPort ?? 0;
    this.directLocalAddress = restoredLocal === undefined ? undefined : plainAddress(socket.localAddress);
    this.directLocalPort = restoredLocal === undefined ? undefined : (socket.localPort ?? 0);
    (socket as SocketWithConn)[kConn] = this;
    this.openedAt = config.time.monotonic();
    const st = config.stats;
    st.downstream_cx_total.inc();
    st.downstream_cx_active.inc();
    st.downstream_cx_http1_total.inc();
    st.downstream_cx_http1_active.inc();
    // Around the codec's own 'end' listener, which may drop the connection in response.
    socket.on('error', onSocketError);
    socket.on('end', onPeerEnd);
    this.codec = new Http1ServerCodec(socket, this, {
      maxHeaderSize: config.maxRequestHeadersKb * 1024,
      headersWithUnderscoresAction: config.headersWithUnderscoresAction,
      // Envoy's Http1Settings.validate_scheme: an edge listener (HCM config.cc).
      validateScheme: config.request.mutation.useRemoteAddress && config.request.mutation.xffNumTrustedHops === 0,
      stats: http1CodecStats(config.stats.scope.store),
    });
    this.encoder = new Http1ServerStream(this.codec);
    socket.on('end', afterPeerEnd);
    socket.on('close', onSocketClose);
    this.idleSince = this.openedAt;
    if (config.idleTimeoutMs > 0) this.armIdleTimer(config.idleTimeoutMs);
  }

  /** Streams in flight (0 or 1); a request head being received counts (Envoy's stream exists). */
  get activeStreams(): number {
    return this.stream !== undefined || this.headInProgress ? 1 : 0;
  }

  /** A request head is being received outside any stream (reported by the codec, not answered). */
  get headInProgress(): boolean {
    return this.headReported && this.stream === undefined && this.codec.headPending && !this.answeredHeadless;
  }

  onStreamComplete(stream: ActiveStream): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    // The stream's last byte time: the clock was read once already (no read per request here).
    this.idleSince = stream.streamInfo.lastDownstreamTxByteSent ?? this.config.time.monotonic();
    // A pipelined request head that stopped mid-way is timed from now (its stream starts now),
    // unless this response closes the connection.
    if (this.codec.headPending && this.codec.idle && !this.codec.mustClose) this.onRequestHeadPending();
  }

  /**
   * The socket closed ('close', from libuv's close callback): the parser is freed only here,
   * never from an 'error' or 'end' listener, which can run (nextTick) while the parser is still
   * executing a read, as node:http's own server defers it.
   */
  onSocketClosed(hadError: boolean): void {
    this.onClose(!(hadError || this.remoteClose));
    this.codec.destroy();
  }

  /** Listener drain: later responses carry `connection: close`; an idle keep-alive connection closes now. */
  drain(): void {
    this.draining = true;
    if (this.activeStreams === 0 && this.codec.idle) this.codec.close(false);
  }

  /** The socket is being dropped ('close' follows): reset what was in progress now. */
  onDropped(): void {
    this.onClose(!this.remoteClose);
  }

  /**
   * Closes the connection at once (drain deadline, shutdown): a request in progress is reset
   * first, as a local close (DC, `downstream_local_disconnect`), so nothing is logged as sent
   * that was not.
   */
  closeNow(): void {
    this.onClose(true);
  }

  /**
   * Envoy's onEvent(Local/RemoteClose) + doConnectionClose: connection stats, and a request in
   * progress (a stream, or a request head not complete yet) is reset: DC, access log.
   */
  private onClose(local: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseHeadTimer();
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    const st = this.config.stats;
    st.downstream_cx_destroy.inc();
    (local ? st.downstream_cx_destroy_local : st.downstream_cx_destroy_remote).inc();
    st.downstream_cx_active.dec();
    st.downstream_cx_http1_active.dec();
    st.downstream_cx_length_ms.record(this.config.time.monotonic() - this.openedAt);
    const s = this.stream;
    const headInProgress = this.headInProgress;
    if (s !== undefined || headInProgress) {
      st.downstream_cx_destroy_active_rq.inc();
      (local ? st.downstream_cx_destroy_local_active_rq : st.downstream_cx_destroy_remote_active_rq).inc();
    }
    // Nothing more is delivered or written on this connection.
    this.codec.close(true);
    const details = local ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect;
    // A tunnel's stream completes when the tunnel sees both of its sockets closed.
    if (s !== undefined && !s.isTunnel) s.onDownstreamDisconnect(details);
    else if (headInProgress) {
      // Envoy's stream exists from the first byte of a request: it is reset and logged too.
      st.downstream_rq_rx_reset.inc();
      logHeadless(this, this.headStart(), 0, details, 'DC', 0);
    }
    this.onClosed(this);
  }

  // ---- timers ---------------------------------------------------------------------------------

  private armIdleTimer(ms: number): void {
    const t = setTimeout(onIdleTimer, ms, this);
    t.unref();
    this.idleTimer = t;
  }

  /**
   * The idle timer fired (HCM common_http_protocol_options.idle_timeout, Envoy's
   * connection_idle_timer_): a connection without a stream for that long is closed
   * (downstream_cx_idle_timeout). The timer is not touched per request: when it fires early
   * (activity since), it is re-armed for what is left.
   */
  onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.closed) return;
    const timeout = this.config.idleTimeoutMs;
    if (this.stream !== undefined || this.headInProgress || !this.codec.idle) {
      this.armIdleTimer(timeout);
      return;
    }
    const left = this.idleSince + timeout - this.config.time.monotonic();
    if (left > 0) {
      this.armIdleTimer(Math.ceil(left));
      return;
    }
    this.config.stats.downstream_cx_idle_timeout.inc();
    this.codec.close(false);
  }

  /**
   * A request head began and a read ended before it was complete (the codec reports it; a head
   * that arrives in one read costs no timer). Envoy's stream exists from the first byte, so its
   * stream_idle_timeout (408 SI) and request_headers_timeout (408) run from here.
   */
  onRequestHeadPending(): void {
    if (this.headReported || this.closed || this.answeredHeadless) return;
    const cfg = this.config;
    this.headReported = true;
    this.headStartTime = cfg.time.now();
    this.headStartMonotonic = cfg.time.monotonic();
    const ms = headerTimeoutFirst(cfg) ? cfg.requestHeadersTimeoutMs : cfg.streamIdleTimeoutMs;
    if (ms > 0) this.headTimer = timerPool.arm(ms, onHeadTimer, this);
  }

  private releaseHeadTimer(): void {
    if (this.headTimer !== undefined) {
      timerPool.release(this.headTimer);
      this.headTimer = undefined;
    }
  }

  /** The request head did not complete in time: 408 and close (Envoy's onIdleTimeout / onRequestHeaderTimeout). */
  onHeadTimeout(): void {
    this.headTimer = undefined;
    if (this.closed || !this.headInProgress || !this.codec.idle) return;
    const st = this.config.stats;
    if (headerTimeoutFirst(this.config)) {
      st.downstream_rq_header_timeout.inc();
      writeHeadlessReply(this, 408, 'request header timeout', Details.RequestHeaderTimeout, undefined);
    } else {
      st.downstream_rq_idle_timeout.inc();
      writeHeadlessReply(this, 408, 'stream timeout', Details.StreamIdleTimeout, 'SI');
    }
  }

  /** A reply was written outside any stream: the connection is closing, nothing more to time or log. */
  markAnsweredHeadless(): void {
    this.answeredHeadless = true;
    this.releaseHeadTimer();
  }

  /** Start of the request a headless reply or reset is about: the head's first read, or now. */
  headStart(): { time: number; monotonic: number } | undefined {
    return this.headReported ? { time: this.headStartTime, monotonic: this.headStartMonotonic } : undefined;
  }

  // ---- codec callbacks ------------------------------------------------------------------------

  onRequestHeaders(head: RequestHead): void {
    // A request parsed after the connection was dropped (the rest of the read being parsed).
    if (this.closed) return;
    if (this.headReported) {
      this.headReported = false;
      this.releaseHeadTimer();
    }
    onRequest(this, head);
  }

  onRequestBody(chunk: Buffer): void {
    this.current?.onRequestData(chunk);
  }

  onRequestComplete(): void {
    this.current?.onRequestEnd();
  }

  onCodecError(code: string, inRequest: boolean): void {
    const mapped = codecError(code);
    const socket = this.socket;
    if (mapped === undefined || socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    const s = this.current;
    if (inRequest && s !== undefined && !s.isComplete) {
      // A body that does not parse: the stream exists (its headers may be upstream already).
      this.config.stats.downstream_cx_protocol_error.inc();
      s.onCodecError(mapped.status, statusText(mapped.status), mapped.details);
      this.codec.close(false);
      return;
    }
    if (inRequest) {
      socket.destroy();
      return;
    }
    this.config.stats.downstream_cx_protocol_error.inc();
    writeHeadlessReply(this, mapped.status, statusText(mapped.status), mapped.details, 'DPE');
  }

  /** Starts a stream for a request head (called by onRequest). */
  newStream(head: RequestHead): ActiveStream {
    const stream = new ActiveStream(this.config, this, this.encoder.begin(), http1Protocol(head));
    stream.setRequestHeaders(requestHeadersOf(head, this));
    this.config.stats.downstream_rq_http1_total.inc();
    this.stream = stream;
    this.current = stream;
    return stream;
  }
}

/** `%PROTOCOL%` of an HTTP/1 request. */
function http1Protocol(head: RequestHead): string {
  const minor = head.versionMinor;
  return head.versionMajor === 1 ? (minor === 1 ? 'HTTP/1.1' : minor === 0 ? 'HTTP/1.0' : 'HTTP/1.' + minor) : `HTTP/${head.versionMajor}.${minor}`;
}

/**
 * The header map of an HTTP/1 request head: Host is `:authority` (an absolute-form target's
 * authority wins), the scheme is the connection's. Built with the RouteRequest address fields
 * present so ActiveStream.setRequestHeaders does not change its shape.
 */
function requestHeadersOf(head: RequestHead, conn: DownstreamConnection): RequestHeaderMap & RouteRequest {
  return {
    method: head.method,
    path: head.url,
    authority: head.absoluteAuthority ?? head.headers.host,
    scheme: 'http',
    headers: head.headers as Record<string, string | string[] | undefined>,
    remoteAddress: conn.remoteAddress,
    remotePort: conn.remotePort,
    localAddress: conn.localAddress,
    localPort: conn.localPort,
  };
}

function onSocketClose(this: Socket, hadError: boolean): void {
  (this as SocketWithConn)[kConn]?.onSocketClosed(hadError);
}

/** Whether request_headers_timeout, not stream_idle_timeout, is the deadline of a request head. */
function headerTimeoutFirst(cfg: ConnectionManagerConfig): boolean {
  const hdr = cfg.requestHeadersTimeoutMs;
  const idle = cfg.streamIdleTimeoutMs;
  return hdr > 0 && (idle <= 0 || hdr <= idle);
}

/** Handles one request head the codec parsed (Envoy's ConnectionManagerImpl::newStream + decodeHeaders). */
function onRequest(conn: DownstreamConnection, head: RequestHead): void {
  const config = conn.config;
  const stream = conn.newStream(head);
  // max_requests_per_connection: the last allowed request's response closes the connection.
  if (config.maxRequestsPerConnection > 0 && ++conn.requestCount >= config.maxRequestsPerConnection) stream.closeConnectionAfterResponse();
  if (!head.keepAlive) stream.closeConnectionAfterResponse();

  // Admission checks the HTTP/1 codec makes in Envoy.
  // What Envoy's codec refuses once the head is parsed (request_head.ts), before its version check
  // (Envoy counts headers while parsing: a refused request also over max_headers_count may get 431 there).
  if (head.rejection !== undefined) {
    protocolErrorReply(stream, head.rejection.status, head.rejection.details);
    return;
  }
  const major = head.versionMajor;
  const minor = head.versionMinor;
  if (major !== 1 || minor !== 1) {
    if ((major === 1 && minor === 0) || (major === 0 && minor === 9)) {
      if (!config.acceptHttp10) {
        protocolErrorReply(stream, 426, Details.LowVersion);
        return;
      }
      if (stream.requestHeaders.authority === undefined && config.defaultHostForHttp10 !== undefined) {
        stream.requestHeaders.authority = config.defaultHostForHttp10;
      }
    } else {
      protocolErrorReply(stream, 400, Details.HttpCodecError);
      return;
    }
  }
  if (head.headerCount > config.maxHeadersCount) {
    protocolErrorReply(stream, 431, Details.TooManyHeaders);
    return;
  }
  if (head.duplicateHost) {
    protocolErrorReply(stream, 400, Details.HttpCodecError);
    return;
  }
  if (head.upgrade) {
    // The connection never carries another request: it becomes the tunnel, or closes.
    stream.closeConnectionAfterResponse();
    upgradeRequest(stream, conn);
    return;
  }

  // The connection manager's request handling before routing (the core function match/explain
  // call): Host validation, missing Host, #fragment, path and host normalisation, header mutation.
  if (!decodeRequestHeadersOf(stream, conn)) return;

  // Envoy answers `Expect: 100-continue` itself (proxy_100_continue false) and strips it.
  if (head.hasBody && head.headers['expect'] !== undefined && head.versionMinor === 1 && head.headers['expect'].toLowerCase() === '100-continue') {
    conn.codec.encode100Continue();
  }
  try {
    stream.start(!head.hasBody);
  } catch (err) {
    // A filter threw: answer 500 if nothing was sent, else reset. The proxy keeps running.
    stream.onInternalError(err as Error);
  }
}

function protocolErrorReply(stream: ActiveStream, status: number, details: string): void {
  stream.config.stats.downstream_cx_protocol_error.inc();
  addFlag(stream.streamInfo, 'DPE');
  stream.start(true, false);
  stream.sendLocalReply(status, statusText(status), details, { closeConnection: true });
}
