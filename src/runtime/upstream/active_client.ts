/**
 * One upstream HTTP/1.1 connection of a pool (Envoy's ActiveClient / CodecClient): a raw
 * `net.Socket` we connect ourselves (so connect failures and `connect_timeout` are known before
 * any stream is attached, with Envoy's failure reasons) and the native llhttp response codec
 * (http1_client_codec.ts). The stream in flight (at most one: no pipelining) writes its request
 * to `socket` and receives the parsed response.
 *
 * Lifecycle: connecting -> ready -> busy -> settling -> ready ... -> closed (settling: a released
 * connection waits for the next poll phase, see next_poll.ts). The pool owns every transition; this class
 * reports events to it: onClientConnected / onConnectFailure, onStreamDone (after each stream),
 * onClientClosed, onClientIdleTimeout. Never throws from socket events; every socket is
 * destroyed on close.
 *
 * A stream that completes inside a parse run is released to the pool after that run returns,
 * so the rest of the bytes (if any: an unsolicited response) are judged before the connection
 * is handed out again. Upstream idle timeout (common_http_protocol_options.idle_timeout): the
 * connection remembers when it went idle; one timer per connection, re-armed lazily (never per
 * request), closes it once it sat idle that long.
 */
import net from 'node:net';
import { Http1ClientCodec, type CodecOwner, type ParseError } from './http1_client_codec.js';
import type { Http1ConnPool } from './http1_conn_pool.js';
import { connectFailure, protocolErrorDetails, strerror } from './transport_failure.js';
import type { PoolFailureReason, StreamResetReason } from './types.js';
import type { UpstreamStream } from './upstream_stream.js';
import type { AfterNextPoll } from './next_poll.js';
import { connectUpstream, type UpstreamTransportSocketFactory } from '../network/upstream_tls.js';

export type ActiveClientState = 'connecting' | 'ready' | 'busy' | 'settling' | 'closed';

/** Options every connection of a cluster shares (resolved once per cluster). */
export interface ClientOptions {
  connectTimeoutMs: number;
  /** 0 = unlimited (Envoy's max_requests_per_connection default). */
  maxRequestsPerConnection: number;
  /** Upstream idle timeout: common_http_protocol_options.idle_timeout (default 1 h; 0: none). */
  idleTimeoutMs: number;
  /** Largest response head accepted (Envoy's max_response_headers_kb, default 60 KiB). */
  maxHeaderSize: number;
  /** [TLS] The cluster's transport sockets (network/upstream_tls.ts); undefined: raw TCP. */
  transportSocket?: UpstreamTransportSocketFactory | undefined;
}

/** One upstream connection and its codec (see the module comment for lifecycle and events). */
export class ActiveClient implements CodecOwner, AfterNextPoll {
  state: ActiveClientState = 'connecting';
  /** The stream in flight (HTTP/1.1: at most one). */
  stream: UpstreamStream | null = null;
  /** Set when the response said `connection: close` (or the stream was reset): retire after it. */
  closeAfterResponse = false;
  requestsServed = 0;
  /** Pool bookkeeping: counted among the pool's settling connections. */
  settling = false;
  /** Monotonic ms when the pool opened it / when it connected (timing histograms). */
  createdAt = 0;
  connectedAt = 0;
  /** The connected socket the stream in flight writes to; null before connect and once closed. */
  socket: net.Socket | null = null;
  /** We are closing it (local close), as opposed to the upstream closing it. */
  private closingLocally = false;
  /** The socket closed under us (upstream FIN/RST or socket error). */
  private remoteClosed = false;
  private timedOut = false;
  private connectTimer: NodeJS.Timeout | null = null;
  private lastErrorCode: string | undefined;
  private codec: Http1ClientCodec | null = null;
  /** Inside codec.execute/finish: the parser must not be freed, releases wait. */
  private parsing = false;
  /** The stream completed during the parse run in progress; release it after the run. */
  private releasePending = false;
  /** readDisable(true) paused the socket. */
  private readDisabled = false;
  private idleSince = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly pool: Http1ConnPool,
    address: string,
    port: number,
    private readonly options: ClientOptions,
  ) {
    let socket: net.Socket;
    let readyEvent: string;
    try {
      // [TLS] Raw TCP, or TLS per the cluster's transport socket: ready after the handshake.
      ({ socket, readyEvent } = connectUpstream(address, port, options.transportSocket, pool.host.hostname));
    } catch (err) {
      // A bad port or address throws synchronously; report it like any connect failure, but
      // asynchronously, since newStream promises not to fail a pending stream inline.
      const message = (err as Error).message;
      queueMicrotask(() => this.failConnect('local_connection_failure', `immediate connect error: ${message}`));
      return;
    }
    this.socket = socket;
    socket.on('error', this.onSocketError);
    socket.once(readyEvent, this.onSocketConnect);
    socket.on('end', this.onSocketEnd);
    socket.on('close', this.onSocketClose);
    if (options.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(this.onConnectTimeout, options.connectTimeoutMs);
      this.connectTimer.unref();
    }
  }

  // ---- socket events (arrow properties: bound once per connection, not per request) -----------

  private readonly onSocketError = (err: NodeJS.ErrnoException): void => {
    this.lastErrorCode = err.code;
    if (this.state === 'connecting') {
      const f = connectFailure(err);
      this.failConnect(f.reason, f.transport);
    }
    // Once connected, 'close' follows and does the work.
  };

  private readonly onConnectTimeout = (): void => {
    this.connectTimer = null;
    if (this.state !== 'connecting') return;
    this.timedOut = true;
    // Envoy reports a connect timeout with reason Timeout and an empty transport failure reason.
    this.failConnect('timeout', '');
  };

  private readonly onSocketConnect = (): void => {
    if (this.state !== 'connecting' || this.socket === null) return;
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.codec = new Http1ClientCodec(this, this.options.maxHeaderSize);
    this.socket.on('data', this.onSocketData);
    this.state = 'ready';
    this.markIdle();
    this.pool.onClientConnected(this);
  };

  private readonly onSocketData = (chunk: Buffer): void => {
    const codec = this.codec;
    if (codec === null || this.state === 'closed') return;
    let err: ParseError | null = null;
    let thrown: unknown = null;
    this.parsing = true;
    try {
      err = codec.execute(chunk);
    } catch (e) {
      thrown = e ?? new Error('decoder callback threw');
    }
    this.parsing = false;
    this.afterParse(codec, err, thrown);
  };

  /**
   * The upstream sent FIN. Envoy's upstream connections do not keep half-closed connections
   * (half-close disabled): the FIN is a remote close at once, so an idle connection leaves the
   * pool before anything can pick it, and a close-delimited response ends here.
   */
  private readonly onSocketEnd = (): void => {
    if (this.state !== 'connecting') this.onRemoteClose(false);
  };

  private readonly onSocketClose = (hadError: boolean): void => {
    if (this.state === 'connecting') {
      const code = this.lastErrorCode;
      this.failConnect(
        code ? connectFailure({ code } as NodeJS.ErrnoException).reason : 'remote_connection_failure',
        `delayed connect error: ${strerror(code, 'Connection closed')}`,
      );
      return;
    }
    this.onRemoteClose(hadError);
  };

  /** The upstream closed (FIN or reset): finish a close-delimited body, reset the rest, close. */
  private onRemoteClose(hadError: boolean): void {
    if (this.state === 'closed') return;
    this.remoteClosed = true;
    const codec = this.codec;
    if (!hadError && codec !== null && this.stream?.requestSent) {
      // EOF: a close-delimited body ends here (anything else in progress is cut short).
      let thrown: unknown = null;
      this.parsing = true;
      try {
        codec.finish();
      } catch (e) {
        thrown = e ?? new Error('decoder callback threw');
      }
      this.parsing = false;
      this.afterParse(codec, null, thrown);
    }
    // Envoy reports a closed upstream as a connection termination (UC), reset or not.
    const s = this.stream;
    if (s !== null) s.abort('connection_termination', '', false);
    this.closed();
  }

  /** Handles the outcome of a parse run: errors, unsolicited bytes, the deferred release. */
  private afterParse(codec: Http1ClientCodec, err: ParseError | null, thrown: unknown): void {
    if (thrown !== null) {
      // A decoder callback threw: the parser is unusable. Never let it escape a socket event.
      const s = this.stream;
      this.closeAfterResponse = true;
      if (s !== null) {
        try {
          s.abort('local_reset', `upstream response handling failed: ${(thrown as Error).message}`, true);
        } catch {
          // The decoder threw again; the connection goes regardless.
        }
      }
      this.close();
    } else if (err !== null) {
      const s = this.stream;
      this.closeAfterResponse = true;
      if (s !== null) s.abort('protocol_error', protocolErrorDetails(err.reason), false);
      else this.close();
    } else if (codec.unsolicited) {
      // A response nobody asked for: the connection is out of step and cannot be reused.
      const s = this.stream;
      this.closeAfterResponse = true;
      if (s !== null) s.abort('protocol_error', protocolErrorDetails('unsolicited response'), false);
      else if (!this.releasePending) this.close();
    }
    if (this.releasePending) {
      this.releasePending = false;
      this.release();
    }
    if (this.state === 'closed') this.freeCodec();
  }

  private failConnect(reason: PoolFailureReason, transport: string): void {
    if (this.state !== 'connecting') return;
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.state = 'closed';
    this.socket?.destroy();
    this.socket = null;
    this.pool.onConnectFailure(this, this.timedOut ? 'timeout' : reason, transport);
  }

  // ---- events from the stream -----------------------------------------------------------------

  /**
   * The response completed: count it and release the connection to the pool, after the parse
   * run in progress (see the module comment).
   */
  onStreamComplete(stream: UpstreamStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.requestsServed++;
    if (this.parsing) this.releasePending = true;
    else this.release();
  }

  /**
   * The router reset the stream before sending anything: release the connection intact. Nothing
   * was written or read since it left the pool, so it is idle again at once (no settling).
   */
  onStreamAbandoned(stream: UpstreamStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.release(false);
  }

  /** The stream failed or the router reset it; the connection is not reused. */
  onStreamReset(stream: UpstreamStream, local: boolean, reason?: StreamResetReason): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.closeAfterResponse = true;
    this.pool.onStreamDone(this, true, local, reason);
  }

  /** Stops (true) or resumes (false) reading the socket: backpressure from the downstream. */
  readDisable(disable: boolean): void {
    const s = this.socket;
    if (s === null || disable === this.readDisabled) return;
    this.readDisabled = disable;
    if (disable) s.pause();
    else s.resume();
  }

  /** Back to the pool; `settle`: wait for the next poll phase first (see the pool). */
  private release(settle = true): void {
    // The next stream (or the idle pool) must see EOF and stray bytes: read again.
    if (this.readDisabled) this.readDisable(false);
    if (this.state !== 'closed') this.markIdle();
    this.pool.onStreamDone(this, false, false, undefined, settle);
  }

  /** The poll phase after the release is over: a FIN that came with the response was seen. */
  onNextPollDone(): void {
    this.pool.onClientSettled(this);
  }

  // ---- idle timeout ---------------------------------------------------------------------------

  /** Remembers when the connection went idle; arms the idle timer if none is pending. */
  private markIdle(): void {
    const timeout = this.options.idleTimeoutMs;
    if (timeout <= 0) return;
    this.idleSince = this.pool.now();
    if (this.idleTimer === null) {
      this.idleTimer = setTimeout(this.onIdleTimer, timeout);
      this.idleTimer.unref();
    }
  }

  private readonly onIdleTimer = (): void => {
    this.idleTimer = null;
    // Busy: the timer is armed again when the connection next goes idle.
    if (this.state !== 'ready' && this.state !== 'settling') return;
    const left = this.idleSince + this.options.idleTimeoutMs - this.pool.now();
    if (left <= 0) {
      this.pool.onClientIdleTimeout(this);
      return;
    }
    this.idleTimer = setTimeout(this.onIdleTimer, Math.ceil(left));
    this.idleTimer.unref();
  };

  // ---- pool queries and close -----------------------------------------------------------------

  /** Whether this connection can take another request after the current one. */
  get reusable(): boolean {
    const max = this.options.maxRequestsPerConnection;
    return !this.closeAfterResponse && !this.remoteClosed && (max === 0 || this.requestsServed < max) && this.state !== 'closed';
  }

  /** True when the connection reached max_requests_per_connection. */
  get atMaxRequests(): boolean {
    const max = this.options.maxRequestsPerConnection;
    return max > 0 && this.requestsServed >= max;
  }

  /** Closes the connection (local close); a stream in flight is reset. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    if (!this.remoteClosed) this.closingLocally = true;
    if (this.state === 'connecting') {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.state = 'closed';
      this.socket?.destroy();
      this.socket = null;
      this.pool.onConnectingClosed(this);
      return;
    }
    // The stream's reset reaches the pool (onStreamDone), which calls close() again.
    const s = this.stream;
    if (s !== null) s.abort('connection_termination', '', true);
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed' || this.state === 'connecting') return;
    const s = this.stream;
    if (s !== null) {
      // Only reachable if a caller skipped close(); the stream still gets its reset.
      s.abort('connection_termination', '', this.closingLocally);
      if ((this.state as ActiveClientState) === 'closed') return;
    }
    this.state = 'closed';
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.socket?.destroy();
    this.socket = null;
    if (!this.parsing) this.freeCodec();
    this.pool.onClientClosed(this, this.closingLocally);
  }

  private freeCodec(): void {
    const c = this.codec;
    if (c === null) return;
    this.codec = null;
    c.close();
  }
}
