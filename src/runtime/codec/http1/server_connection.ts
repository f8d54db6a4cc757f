/**
 * The downstream HTTP/1.1 connection behind the seam (codec/types.ts ServerConnection; Envoy's
 * Http1::ServerConnectionImpl): it owns the socket's HTTP/1 codec (server_codec.ts, llhttp) and
 * the per-connection ResponseEncoder (server_stream.ts), hands each parsed request to a new
 * stream of the connection manager (`newStream` -> RequestDecoder), and makes the checks Envoy's
 * HTTP/1 codec makes once a head is parsed: the codec's own refusals (request_head.ts), HTTP/1.0
 * and 0.9 (426 unless `accept_http_10`, `default_host_for_http_10`), too many headers (431), two
 * Host headers (400). A refused head still becomes a stream (it is counted and logged as one) that
 * answers with a local reply, DPE, and closes the connection; no filter sees it.
 *
 * What has no stream yet is answered here (Envoy has a stream from a request's first byte; this
 * connection starts one at a complete head): a head that does not parse (400/431/501, DPE), a head
 * that does not complete in time (request_headers_timeout or stream_idle_timeout: 408), a head cut
 * off by a close (DC). The connection manager counts and logs each (`onHeadlessRequest`).
 *
 * Close: Envoy keeps no half-closed HTTP/1 connection, so a client FIN or RST while a request is
 * in progress ends the connection: `onClose('remote_close')` first (the connection manager resets
 * its stream with the close's details, DC), then a stream still registered on the encoder hears
 * `onResetStream('connection_termination')`. The parser is freed only on the socket's 'close'.
 */
import type { Socket } from 'node:net';
import type { ConnectionCloseCause, Protocol, RequestDecoder, RequestHeaderMap, ResponseEncoder, ServerConnection, ServerConnectionCallbacks } from '../types.js';
import type { TimeSource } from '../../http/filter.js';
import type { RouteRequest } from '../../../core/route_types.js';
import { Http1ServerCodec, type RequestHead, type ServerCodecCallbacks, type ServerCodecOptions } from './server_codec.js';
import { Http1ServerStream } from './server_stream.js';
import { codecError, type HeadlessReason } from './codec_errors.js';
import { statusText } from '../status.js';
import { Details } from '../../http/local_reply.js';
import { timerPool, type PooledTimer } from '../../http/timer_pool.js';

/** What the HTTP/1 connection asks of a stream beyond the seam's RequestDecoder. */
export interface Http1RequestDecoder extends RequestDecoder {
  /** The response carries `connection: close` and the connection ends after it. */
  closeConnectionAfterResponse(): void;
  /**
   * The codec refuses the request head (an HTTP/1 protocol error: 400, 426, 431, 501...): a
   * local reply with Envoy's response-code `details`, DPE, `downstream_cx_protocol_error`; the
   * connection closes after it. No filter sees the request.
   */
  refuseHeaders(headers: RequestHeaderMap, status: number, details: string): void;
  /** The request body does not parse: 4xx DPE if nothing was sent yet, else a reset; then close. */
  onCodecError(status: number, body: string, details: string): void;
}

/** When a request that never became a stream began (its head's first read). */
export interface HeadStart {
  readonly time: number;
  readonly monotonic: number;
}

/** The connection manager's side (Envoy's ServerConnectionCallbacks, plus HTTP/1's headless requests). */
export interface Http1ConnectionCallbacks extends ServerConnectionCallbacks {
  newStream(encoder: ResponseEncoder): Http1RequestDecoder;
  /**
   * A request that never became a stream was answered (`status`, `bytesSent`, the reply's
   * `headers`) or cut off by a close (status 0): count it and log it like a stream.
   */
  onHeadlessRequest(start: HeadStart | undefined, reason: HeadlessReason, status: number, details: string, bytesSent: number, headers?: Record<string, string>): void;
  /** Whether a stream of this connection is in progress (its response not complete). */
  hasActiveStream(): boolean;
}

/** The HCM settings the HTTP/1 connection applies. */
export interface Http1ConnectionSettings {
  readonly codec: ServerCodecOptions;
  readonly acceptHttp10: boolean;
  readonly defaultHostForHttp10: string | undefined;
  readonly maxHeadersCount: number;
  readonly streamIdleTimeoutMs: number;
  readonly requestHeadersTimeoutMs: number;
  /** The `server` header of replies written here. */
  readonly serverName: string;
  readonly time: TimeSource;
}

const kConn = Symbol('tsproxy.http1ServerConnection');
type SocketWithConn = Socket & { [kConn]?: Http1ServerConnection };

/** The peer sent FIN (before the codec's own 'end' listener): a remote close unless we ended first. */
function onPeerEnd(this: Socket): void {
  const c = (this as SocketWithConn)[kConn];
  if (c !== undefined && !this.writableEnded && !this.destroyed) c.remoteClose = true;
}
/** After the codec handled the FIN: if it dropped the connection, end what was in progress now. */
function afterPeerEnd(this: Socket): void {
  if (this.destroyed) (this as SocketWithConn)[kConn]?.onDropped();
}
/** An I/O error (a reset by the peer...): the socket is gone. */
function onSocketError(this: Socket): void {
  const c = (this as SocketWithConn)[kConn];
  if (c === undefined) return;
  if (!this.writableEnded) c.remoteClose = true;
  c.onDropped();
}
function onSocketClose(this: Socket, hadError: boolean): void {
  (this as SocketWithConn)[kConn]?.onSocketClosed(hadError);
}
function onHeadTimer(c: Http1ServerConnection): void {
  c.onHeadTimeout();
}

export class Http1ServerConnection implements ServerConnection, ServerCodecCallbacks {
  /** `%PROTOCOL%` of the request being handed over (HTTP/1.1, HTTP/1.0...). */
  protocol: Protocol = 'HTTP/1.1';
  readonly codec: Http1ServerCodec;
  /** Answers each request in turn. */
  private readonly encoder: Http1ServerStream;
  /** The peer closed (FIN or reset) rather than the proxy. */
  remoteClose = false;
  private closed = false;
  /** readDisable count; body parsed while it is above 0 waits in heldBody / heldEnd. */
  private readDisableCount = 0;
  private heldBody: Buffer[] | undefined;
  private heldEnd = false;
  /** A request head was being received when the connection closed (the manager counts it active). */
  closedWithHeadInProgress = false;
  /** The last stream handed a request: it receives that request's body even after it answered. */
  private current: Http1RequestDecoder | undefined;
  /** A request head outside any stream was reported incomplete after a read. */
  private headReported = false;
  private headTimer: PooledTimer | undefined;
  private headStartTime = 0;
  private headStartMonotonic = 0;
  /** A reply was written outside any stream: nothing else to time or log on this connection. */
  private answeredHeadless = false;

  constructor(
    readonly socket: Socket,
    private readonly callbacks: Http1ConnectionCallbacks,
    private readonly settings: Http1ConnectionSettings,
  ) {
    (socket as SocketWithConn)[kConn] = this;
    // Around the codec's own 'end' listener, which may drop the connection in response.
    socket.on('error', onSocketError);
    socket.on('end', onPeerEnd);
    this.codec = new Http1ServerCodec(socket, this, settings.codec);
    this.encoder = new Http1ServerStream(this.codec, this);
    socket.on('end', afterPeerEnd);
    socket.on('close', onSocketClose);
  }

  /** 1 while a request is in progress: a stream's, a queued one, or a head being received. */
  get activeStreams(): number {
    return this.callbacks.hasActiveStream() || this.headInProgress || !this.codec.idle ? 1 : 0;
  }

  /** A request head is being received outside any stream (reported by the codec, not answered). */
  get headInProgress(): boolean {
    return this.headReported && !this.callbacks.hasActiveStream() && this.codec.headPending && !this.answeredHeadless;
  }

  // ---- ServerConnection -----------------------------------------------------------------------

  /** Drain: the response in progress carries `connection: close` and ends the connection; an idle one closes now. */
  shutdownNotice(): void {
    this.drain();
  }

  /** HTTP/1 has no GOAWAY: the connection closes after the response in progress (now when idle). */
  goAway(): void {
    this.drain();
  }

  /** Closes at once: a request in progress ends as a local disconnect. */
  close(): void {
    this.onClose(true);
  }

  private drain(): void {
    if (this.closed) return;
    // A request head being received goes on: its response closes the connection.
    this.codec.drainAfterResponse(this.headInProgress);
  }

  // ---- read disabling (the stream's readDisable, counted as Envoy's) ---------------------------

  /**
   * Stops (true) or resumes (false) delivering the request: counted, so every disable needs its
   * enable. While disabled the socket is not read and body already parsed is held.
   */
  readDisable(disable: boolean): void {
    if (disable) {
      if (this.readDisableCount++ === 0) this.codec.readDisable(true);
      return;
    }
    if (this.readDisableCount === 0 || --this.readDisableCount > 0) return;
    const held = this.heldBody;
    const end = this.heldEnd;
    this.heldBody = undefined;
    this.heldEnd = false;
    if (held !== undefined) for (let i = 0; i < held.length && this.readDisableCount === 0; i++) this.current?.decodeData(held[i]!, false);
    if (end) this.onRequestComplete();
    if (this.readDisableCount === 0) this.codec.readDisable(false);
  }

  /** A stream completed: a pipelined head that stopped mid-way is timed from now. */
  onStreamComplete(): void {
    if (this.codec.headPending && this.codec.idle && !this.codec.mustClose) this.onRequestHeadPending();
  }

  // ---- socket events --------------------------------------------------------------------------

  /** The socket closed ('close', libuv's close callback): the only place the parser is freed. */
  onSocketClosed(hadError: boolean): void {
    this.onClose(!(hadError || this.remoteClose));
    this.codec.destroy();
  }

  /** The socket is being dropped ('close' follows): end what was in progress now. */
  onDropped(): void {
    this.onClose(!this.remoteClose);
  }

  private onClose(local: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const headInProgress = this.headInProgress;
    this.closedWithHeadInProgress = headInProgress;
    this.releaseHeadTimer();
    // Nothing more is delivered or written on this connection.
    this.codec.close(true);
    const cause: ConnectionCloseCause = local ? 'local_close' : 'remote_close';
    // The manager counts the close (with its stream in progress) and resets that stream with
    // the close's details (local or remote disconnect); a stream still registered hears it now.
    this.callbacks.onClose?.(cause, '');
    this.encoder.connectionClosed();
    // Envoy's stream exists from a request's first byte: a head cut off is reset and logged too.
    if (headInProgress) this.callbacks.onHeadlessRequest(this.headStart(), 'disconnect', 0, local ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect, 0);
  }

  // ---- request heads --------------------------------------------------------------------------

  /**
   * A request head began and a read ended before it was complete: Envoy's stream exists from the
   * first byte, so its stream_idle_timeout (408 SI) and request_headers_timeout (408) run from
   * here. A head that arrives in one read costs no timer.
   */
  onRequestHeadPending(): void {
    if (this.headReported || this.closed || this.answeredHeadless) return;
    const s = this.settings;
    this.headReported = true;
    this.headStartTime = s.time.now();
    this.headStartMonotonic = s.time.monotonic();
    const ms = headerTimeoutFirst(s) ? s.requestHeadersTimeoutMs : s.streamIdleTimeoutMs;
    if (ms > 0) this.headTimer = timerPool.arm(ms, onHeadTimer, this);
  }

  private releaseHeadTimer(): void {
    if (this.headTimer !== undefined) {
      timerPool.release(this.headTimer);
      this.headTimer = undefined;
    }
  }

  /** The request head did not complete in time: 408 and close. */
  onHeadTimeout(): void {
    this.headTimer = undefined;
    if (this.closed || !this.headInProgress || !this.codec.idle) return;
    if (headerTimeoutFirst(this.settings)) this.writeHeadlessReply('header_timeout', 408, 'request header timeout', Details.RequestHeaderTimeout);
    else this.writeHeadlessReply('idle_timeout', 408, 'stream timeout', Details.StreamIdleTimeout);
  }

  private headStart(): HeadStart | undefined {
    return this.headReported ? { time: this.headStartTime, monotonic: this.headStartMonotonic } : undefined;
  }

  /**
   * A reply to a request that never became a stream, written raw (no filter saw it, nothing
   * reached an upstream); the connection closes after it.
   */
  private writeHeadlessReply(reason: HeadlessReason, status: number, body: string, details: string): void {
    const start = this.headStart();
    this.answeredHeadless = true;
    this.releaseHeadTimer();
    const headers = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), server: this.settings.serverName, connection: 'close' };
    this.codec.endWith(status, headers, body);
    this.callbacks.onHeadlessRequest(start, reason, status, details, Buffer.byteLength(body), headers);
  }

  // ---- the codec's callbacks ------------------------------------------------------------------

  onRequestHeaders(head: RequestHead): void {
    // A request parsed after the connection was dropped (the rest of the read being parsed).
    if (this.closed) return;
    if (this.headReported) {
      this.headReported = false;
      this.releaseHeadTimer();
    }
    this.protocol = http1Protocol(head);
    // A new request starts read-enabled (the previous stream's disables ended with it).
    if (this.readDisableCount > 0) {
      this.readDisableCount = 0;
      this.heldBody = undefined;
      this.heldEnd = false;
    }
    const decoder = this.callbacks.newStream(this.encoder.begin());
    this.current = decoder;
    if (!head.keepAlive || head.upgrade) decoder.closeConnectionAfterResponse();
    const headers = requestHeadersOf(head);
    const refusal = this.admission(head, headers);
    if (refusal !== undefined) {
      decoder.refuseHeaders(headers, refusal.status, refusal.details);
      return;
    }
    decoder.decodeHeaders(headers, !head.hasBody);
  }

  /**
   * Envoy's HTTP/1 codec checks once a head is parsed: its own refusals first (Envoy counts
   * headers while parsing: a refused request also over max_headers_count may get 431 there),
   * then the version, the header count and a repeated Host.
   */
  private admission(head: RequestHead, headers: RequestHeaderMap): { status: number; details: string } | undefined {
    if (head.rejection !== undefined) return head.rejection;
    const major = head.versionMajor;
    const minor = head.versionMinor;
    if (major !== 1 || minor !== 1) {
      if (!((major === 1 && minor === 0) || (major === 0 && minor === 9))) return { status: 400, details: Details.HttpCodecError };
      if (!this.settings.acceptHttp10) return { status: 426, details: Details.LowVersion };
      if (headers.authority === undefined && this.settings.defaultHostForHttp10 !== undefined) headers.authority = this.settings.defaultHostForHttp10;
    }
    if (head.headerCount > this.settings.maxHeadersCount) return { status: 431, details: Details.TooManyHeaders };
    if (head.duplicateHost) return { status: 400, details: Details.HttpCodecError };
    return undefined;
  }

  onRequestBody(chunk: Buffer): void {
    if (this.readDisableCount > 0) (this.heldBody ??= []).push(chunk);
    else this.current?.decodeData(chunk, false);
  }

  onRequestComplete(): void {
    if (this.readDisableCount > 0) this.heldEnd = true;
    else this.current?.decodeData(EMPTY, true);
  }

  onCodecError(code: string, inRequest: boolean): void {
    const mapped = codecError(code);
    const socket = this.socket;
    if (mapped === undefined || socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    if (inRequest && this.current !== undefined && this.callbacks.hasActiveStream()) {
      // A body that does not parse: the stream exists (its headers may be upstream already).
      this.current.onCodecError(mapped.status, statusText(mapped.status), mapped.details);
      this.codec.close(false);
      return;
    }
    if (inRequest) {
      socket.destroy();
      return;
    }
    this.writeHeadlessReply('protocol_error', mapped.status, statusText(mapped.status), mapped.details);
  }
}

const EMPTY = Buffer.alloc(0);

/** `%PROTOCOL%` of an HTTP/1 request. */
function http1Protocol(head: RequestHead): Protocol {
  const minor = head.versionMinor;
  if (head.versionMajor === 1) return minor === 1 ? 'HTTP/1.1' : minor === 0 ? 'HTTP/1.0' : (('HTTP/1.' + minor) as Protocol);
  return `HTTP/${head.versionMajor}.${minor}` as Protocol;
}

/**
 * The header map of an HTTP/1 request head: Host is `:authority` (an absolute-form target's
 * authority wins), the scheme `http` (the connection manager sets https over TLS). The map
 * doubles as the core's RouteRequest: it is built with the address fields present (the
 * connection manager fills them), so it keeps one hidden class.
 */
function requestHeadersOf(head: RequestHead): RequestHeaderMap & RouteRequest {
  return {
    method: head.method,
    path: head.url,
    authority: head.absoluteAuthority ?? head.headers.host,
    scheme: 'http',
    headers: head.headers as Record<string, string | string[] | undefined>,
    remoteAddress: '',
    remotePort: 0,
    localAddress: '',
    localPort: 0,
  };
}

/** Whether request_headers_timeout, not stream_idle_timeout, is the deadline of a request head. */
function headerTimeoutFirst(s: Http1ConnectionSettings): boolean {
  const hdr = s.requestHeadersTimeoutMs;
  const idle = s.streamIdleTimeoutMs;
  return hdr > 0 && (idle <= 0 || hdr <= idle);
}
