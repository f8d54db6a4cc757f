/**
 * The HTTP connection manager (Envoy's ConnectionManagerImpl) over node:http's HTTP/1.1 codec
 * (llhttp): per-connection state, request admission checks, request header mutation, the
 * ActiveStream per request, and codec (parse) errors turned into Envoy's local replies.
 *
 * Phase chart of one request (what runs, in order; cf. Envoy's HCM and router):
 *
 *   accept (listener.ts: TCP_NODELAY, listener + HCM cx stats, filter chain -> this manager)
 *     -> llhttp parses the request head          [parse error -> clientError: 400/431 DPE, close]
 *     -> onRequest: ActiveStream created          (downstream_rq_total/active, StreamInfo)
 *     -> admission: HTTP/1.0|0.9 -> 426 DPE (unless accept_http_10); header count > max -> 431
 *     -> mutateRequestHeaders: XFF, x-forwarded-proto, x-request-id, edge x-envoy-* stripping
 *     -> HTTP filters decodeHeaders in config order (Continue | StopIteration + continueDecoding)
 *     -> router (terminal): route() [core] -> direct response / redirect / 404 NR
 *          -> cluster (NC) -> maintenance (UO) -> chooseHost (UH) -> timeouts -> finalizeRequest [core]
 *          -> conn pool newStream -> encodeHeaders/encodeData upstream; route + per-try timers
 *          -> response headers: retry? -> x-envoy-upstream-service-time, finalizeResponse [core]
 *     -> encoder filters in reverse order -> server header -> node:http writes the response
 *     -> stream complete: downstream_rq_<N>xx, downstream_rq_time, filters onDestroy, access log
 *   Timers per stream: stream_idle_timeout (408 SI), request_timeout (408); connection:
 *   idle_timeout (node keepAliveTimeout), request_headers_timeout (node headersTimeout).
 *   Downstream close mid-stream -> DC, upstream request reset, access log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ActiveStream, addFlag, type DownstreamConnectionInfo } from './active_stream.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import { mutateRequestHeaders, plainAddress } from './header_sanitizer.js';
import { Details, statusText } from './local_reply.js';
import { newStreamInfo } from '../stream_info.js';
import { normalizeHost } from '../../core/hcm_host.js';

const kConn = Symbol('tsproxy.downstreamConnection');

type SocketWithConn = Socket & { [kConn]?: DownstreamConnection };

let nextConnectionId = 1;

/** Per-downstream-connection state (Envoy's ConnectionManagerImpl instance per connection). */
export class DownstreamConnection implements DownstreamConnectionInfo {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  draining = false;
  closed = false;
  private readonly openedAt: number;
  /** Idle sweep state (listener.ts): monotonic ms since when idle, bytes moved at the last look. */
  idleSince = 0;
  lastActivity = -1;
  /** Requests seen on this connection (for max_requests_per_connection). */
  requestCount = 0;
  /** Streams in flight (more than one only with pipelining). */
  readonly streams: ActiveStream[] = [];

  constructor(
    readonly config: ConnectionManagerConfig,
    readonly socket: Socket,
    /** Called once when the socket closes (listener connection tracking). */
    private readonly onClosed: (c: DownstreamConnection) => void,
  ) {
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = plainAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    (socket as SocketWithConn)[kConn] = this;
    this.openedAt = config.time.monotonic();
    const st = config.stats;
    st.downstream_cx_total.inc();
    st.downstream_cx_active.inc();
    st.downstream_cx_http1_total.inc();
    st.downstream_cx_http1_active.inc();
    socket.on('close', onSocketClose);
  }

  /** A parse error seen behind pipelined requests still being answered. */
  pendingCodecError: (Error & { code?: string }) | undefined;

  onStreamComplete(stream: ActiveStream): void {
    const s = this.streams;
    const i = s.indexOf(stream);
    if (i >= 0) s.splice(i, 1);
    if (s.length === 0 && this.pendingCodecError !== undefined) {
      const err = this.pendingCodecError;
      this.pendingCodecError = undefined;
      // After node:http flushed the earlier response.
      setImmediate(onClientError, err, this.socket);
    }
  }

  /** The socket closed: every unfinished stream is a downstream disconnect (DC). */
  onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const st = this.config.stats;
    st.downstream_cx_active.dec();
    st.downstream_cx_http1_active.dec();
    st.downstream_cx_length_ms.record(this.config.time.monotonic() - this.openedAt);
    if (this.streams.length > 0) st.downstream_cx_destroy_remote_active_rq.inc();
    const pending = this.streams.slice();
    for (const s of pending) s.onDownstreamDisconnect();
    this.onClosed(this);
  }
}

function onSocketClose(this: Socket): void {
  (this as SocketWithConn)[kConn]?.onSocketClosed();
}

function onReqData(this: IncomingMessage & { [kStream]?: ActiveStream }, chunk: Buffer): void {
  this[kStream]!.onRequestData(chunk);
}
function onReqEnd(this: IncomingMessage & { [kStream]?: ActiveStream }): void {
  this[kStream]!.onRequestEnd();
}
const kStream = Symbol('tsproxy.activeStream');

/** The connection of a node:http request, or undefined when the socket was not accepted by us. */
export function connectionOf(socket: Socket): DownstreamConnection | undefined {
  return (socket as SocketWithConn)[kConn];
}

/**
 * Handles one request node:http parsed. Not re-entrant per connection in any way that matters:
 * node:http delivers requests of a connection in order.
 */
export function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const conn = (req.socket as SocketWithConn)[kConn];
  if (conn === undefined) {
    res.destroy();
    return;
  }
  const config = conn.config;
  const stream = new ActiveStream(config, conn, req, res);
  conn.streams.push(stream);
  // max_requests_per_connection: the last allowed request's response closes the connection.
  if (config.maxRequestsPerConnection > 0 && ++conn.requestCount >= config.maxRequestsPerConnection) stream.closeConnectionAfterResponse();

  // Admission checks the HTTP/1 codec makes in Envoy.
  const major = req.httpVersionMajor;
  const minor = req.httpVersionMinor;
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
  if (req.rawHeaders.length > config.maxHeadersCount * 2) {
    protocolErrorReply(stream, 431, Details.TooManyHeaders);
    return;
  }

  // Envoy's HCM requires :authority (HTTP/1 Host): 400 missing_host_header.
  if (stream.requestHeaders.authority === undefined) {
    stream.start(true, false);
    stream.sendLocalReply(400, '', Details.MissingHost);
    return;
  }
  // The :authority the route table sees and the upstream gets (ConnectionManagerUtility::maybeNormalizeHost).
  if (config.hostNormalization !== undefined) {
    stream.requestHeaders.authority = normalizeHost(stream.requestHeaders.authority, config.hostNormalization, conn.localPort);
  }
  stream.trustedDownstream = mutateRequestHeaders(stream.requestHeaders, conn.remoteAddress, false, config);

  // HTTP/1 framing decides whether a body follows (Envoy: deferred end_stream on headers).
  const h = req.headers;
  const cl = h['content-length'];
  const hasBody = h['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
  if (hasBody) {
    (req as IncomingMessage & { [kStream]?: ActiveStream })[kStream] = stream;
    req.on('data', onReqData);
    req.on('end', onReqEnd);
  }
  try {
    stream.start(!hasBody);
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

/** node:http `clientError` codes -> Envoy's codec error status and details. */
function codecError(code: string | undefined): { status: number; details: string } | undefined {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, details: Details.HeadersTooLarge };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, details: Details.InvalidCharacters };
    case 'HPE_INVALID_URL':
      return { status: 400, details: Details.InvalidUrl };
    case 'HPE_INVALID_EOF_STATE':
      // The client closed mid-request: a downstream disconnect (DC), not a protocol error.
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, details: 'request_header_timeout' };
    default:
      if (code !== undefined && code.startsWith('HPE_')) return { status: 400, details: Details.HttpCodecError };
      return undefined;
  }
}

/**
 * A request node:http could not parse (Envoy's codec protocol error): the local reply is written
 * raw (no stream reached any filter, nothing reaches an upstream), the connection is closed,
 * `downstream_cx_protocol_error` counts it, and the access log gets a DPE entry.
 */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  const conn = (socket as SocketWithConn)[kConn];
  const mapped = codecError(err.code);
  if (conn === undefined || mapped === undefined || !socket.writable) {
    socket.destroy();
    return;
  }
  const last = conn.streams[conn.streams.length - 1];
  if (last !== undefined && !last.isRequestComplete) {
    // A body that does not parse: the stream exists (its headers may be upstream already).
    conn.config.stats.downstream_cx_protocol_error.inc();
    last.onCodecError(mapped.status, statusText(mapped.status), mapped.details);
    if (!socket.destroyed) socket.end();
    return;
  }
  if (last !== undefined) {
    // A bad pipelined request behind complete ones: answer it once they are answered (Envoy
    // parses one request at a time, so the earlier responses go out first).
    conn.pendingCodecError = err;
    return;
  }
  writeCodecErrorReply(conn, socket, mapped);
}

function writeCodecErrorReply(conn: DownstreamConnection, socket: Socket, mapped: { status: number; details: string }): void {
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
  info.responseCode = mapped.status;
  info.responseCodeDetails = mapped.details;
  if (!timeout) info.responseFlags.push('DPE');
  info.bytesSent = Buffer.byteLength(body);
  info.responseHeaders = { 'content-type': 'text/plain', 'content-length': String(info.bytesSent), server: config.serverName, connection: 'close' };
  info.lastDownstreamTxByteSent = config.time.monotonic();
  socket.end(
    `HTTP/1.1 ${mapped.status} ${statusText(mapped.status)}\r\ncontent-length: ${info.bytesSent}\r\n` +
      `content-type: text/plain\r\ndate: ${new Date(info.startTime).toUTCString()}\r\nserver: ${config.serverName}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
  st.downstream_rq_time.record(0);
  for (const l of config.accessLoggers) l.log(info);
}
