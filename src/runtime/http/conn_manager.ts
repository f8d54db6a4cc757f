/**
 * The HTTP connection manager (Envoy's ConnectionManagerImpl) over the HTTP/1.1 codec
 * (http1_server_codec.ts, native llhttp): per-connection state, request admission checks,
 * request header mutation, the ActiveStream per request, and codec (parse) errors turned into
 * Envoy's local replies.
 *
 * Phase chart of one request (what runs, in order; cf. Envoy's HCM and router):
 *
 *   accept (listener.ts: TCP_NODELAY, listener + HCM cx stats, filter chain -> this manager)
 *     -> llhttp parses the request head          [parse error -> onCodecError: 400/431 DPE, close]
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
 *   Timers per stream: stream_idle_timeout (408 SI), request_timeout (408); connection:
 *   idle_timeout and request_headers_timeout (listener.ts sweep, nothing per request).
 *   Downstream close mid-stream -> DC, upstream request reset, access log.
 */
import type { Socket } from 'node:net';
import { ActiveStream, addFlag, type DownstreamConnectionInfo } from './active_stream.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import { decodeRequestHeadersOf, plainAddress } from './header_sanitizer.js';
import { CodecErrorCodes, Http1ServerCodec, type RequestHead, type ServerCodecCallbacks } from './http1_server_codec.js';
import { http1CodecStats } from './http1_codec_stats.js';
import { Details, statusText } from './local_reply.js';
import { newStreamInfo, setDirectLocalAddress } from '../stream_info.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';

const kConn = Symbol('tsproxy.downstreamConnection');

type SocketWithConn = Socket & { [kConn]?: DownstreamConnection };

let nextConnectionId = 1;

function ignoreSocketError(): void {}

/**
 * Per-downstream-connection state (Envoy's ConnectionManagerImpl instance per connection): the
 * HTTP/1 codec, the stream in progress, connection stats. Requests arrive one at a time (the
 * codec queues pipelined ones), so at most one stream is active.
 */
export class DownstreamConnection implements DownstreamConnectionInfo, ServerCodecCallbacks {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The socket's own local address when the original destination replaced it (else undefined). */
  readonly directLocalAddress: string | undefined;
  readonly directLocalPort: number | undefined;
  readonly codec: Http1ServerCodec;
  draining = false;
  closed = false;
  private readonly openedAt: number;
  /** Idle sweep state (listener.ts): monotonic ms since when idle, bytes moved at the last look. */
  idleSince = 0;
  lastActivity = -1;
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
  ) {
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
    this.codec = new Http1ServerCodec(socket, this, {
      maxHeaderSize: config.maxRequestHeadersKb * 1024,
      requestHeadersTimeoutMs: config.requestHeadersTimeoutMs,
      headersWithUnderscoresAction: config.headersWithUnderscoresAction,
      // Envoy's Http1Settings.validate_scheme: an edge listener (HCM config.cc).
      validateScheme: config.request.mutation.useRemoteAddress && config.request.mutation.xffNumTrustedHops === 0,
      stats: http1CodecStats(config.stats.scope.store),
    });
    socket.on('error', ignoreSocketError);
    socket.on('close', onSocketClose);
  }

  /** Streams in flight (0 or 1). */
  get activeStreams(): number {
    return this.stream === undefined ? 0 : 1;
  }

  onStreamComplete(stream: ActiveStream): void {
    if (this.stream === stream) this.stream = undefined;
  }

  /** The socket closed: an unfinished stream is a downstream disconnect (DC). */
  onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.destroy();
    const st = this.config.stats;
    st.downstream_cx_active.dec();
    st.downstream_cx_http1_active.dec();
    st.downstream_cx_length_ms.record(this.config.time.monotonic() - this.openedAt);
    const s = this.stream;
    if (s !== undefined) {
      st.downstream_cx_destroy_remote_active_rq.inc();
      s.onDownstreamDisconnect();
    }
    this.onClosed(this);
  }

  // ---- codec callbacks ------------------------------------------------------------------------

  onRequestHeaders(head: RequestHead): void {
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
    writeCodecErrorReply(this, mapped);
  }

  /** Starts a stream for a request head (called by onRequest). */
  newStream(head: RequestHead): ActiveStream {
    const stream = new ActiveStream(this.config, this, head);
    this.stream = stream;
    this.current = stream;
    return stream;
  }
}

function onSocketClose(this: Socket): void {
  (this as SocketWithConn)[kConn]?.onSocketClosed();
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
    // No upgrade_configs support: Envoy answers an upgrade it has no filter chain for with 403.
    stream.closeConnectionAfterResponse();
    stream.start(true, false);
    stream.sendLocalReply(403, '', Details.UpgradeFailed);
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

/** llhttp error codes (and the request-header timeout) -> Envoy's codec error status and details. */
function codecError(code: string | undefined): { status: number; details: string } | undefined {
  switch (code) {
    // Envoy's codec_impl.cc: a transfer-encoding other than chunked is 501; with content-length 400.
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 501, details: 'http1.invalid_transfer_encoding' };
    case CodecErrorCodes.ChunkedContentLength:
      return { status: 400, details: 'http1.content_length_and_chunked_not_allowed' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, details: Details.HeadersTooLarge };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, details: Details.InvalidCharacters };
    case 'HPE_INVALID_URL':
      return { status: 400, details: Details.InvalidUrl };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, details: 'request_header_timeout' };
    default:
      if (code !== undefined && code.startsWith('HPE_')) return { status: 400, details: Details.HttpCodecError };
      return undefined;
  }
}

/**
 * A request the codec could not parse (Envoy's codec protocol error), or a request head that
 * timed out: the local reply is written raw (no stream reached any filter, nothing reaches an
 * upstream), the connection is closed, `downstream_cx_protocol_error` counts it, and the access
 * log gets a DPE entry.
 */
function writeCodecErrorReply(conn: DownstreamConnection, mapped: { status: number; details: string }): void {
  const config = conn.config;
  const st = config.stats;
  const timeout = mapped.status === 408;
  if (!timeout) st.downstream_cx_protocol_error.inc();
  st.downstream_rq_total.inc();
  st.downstream_rq_completed.inc();
  st.downstream_rq_xx[(mapped.status / 100) | 0]!.inc();
  const body = timeout ? 'request header timeout' : statusText(mapped.status);
  const info = newStreamInfo(config.time.now(), config.time.monotonic());
  info.downstreamRemoteAddress = conn.remoteAddress;
  info.downstreamRemotePort = conn.remotePort;
  info.downstreamLocalAddress = conn.localAddress;
  info.downstreamLocalPort = conn.localPort;
  if (conn.directLocalAddress !== undefined) setDirectLocalAddress(info, conn.directLocalAddress, conn.directLocalPort ?? 0);
  info.responseCode = mapped.status;
  info.responseCodeDetails = mapped.details;
  if (!timeout) info.responseFlags.push('DPE');
  info.bytesSent = Buffer.byteLength(body);
  info.responseHeaders = { 'content-type': 'text/plain', 'content-length': String(info.bytesSent), server: config.serverName, connection: 'close' };
  info.lastDownstreamTxByteSent = config.time.monotonic();
  conn.codec.endWith(mapped.status, info.responseHeaders, body);
  st.downstream_rq_time.record(0);
  for (const l of config.accessLoggers) l.log(info);
}
