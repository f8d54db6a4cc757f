/**
 * One upstream HTTP/1.1 connection of a pool (Envoy's ActiveClient / CodecClient). We open the
 * TCP connection ourselves (so connect failures and `connect_timeout` are known before any
 * stream is attached, with Envoy's failure reasons), then hand the connected socket to an undici
 * `Client` (llhttp in WebAssembly) with pipelining 1, which frames requests and parses
 * responses. Chosen by measurement (bench/upstream-codec.mjs): undici's raw dispatch costs
 * about 40 % of the CPU of node:http's ClientRequest + Agent per request.
 *
 * Lifecycle: connecting -> ready <-> busy -> closed. The pool owns every transition; this class
 * reports events to it. Never throws from socket events; every socket is destroyed on close.
 */
import net from 'node:net';
import { createRequire } from 'node:module';
import type { Client as UndiciClient } from 'undici';

// Only undici's HTTP/1 Client module is loaded, not its index (fetch, WebSocket, caches, ...):
// about 10 MiB less resident memory for the proxy. undici 7 has no `exports` map, so the path
// is reachable; tests exercise it on every install.
const Client = createRequire(import.meta.url)('undici/lib/dispatcher/client.js') as typeof UndiciClient;
type Client = UndiciClient;
import type { Http1ConnPool } from './http1_conn_pool.js';
import { connectFailure, strerror } from './transport_failure.js';
import type { PoolFailureReason, StreamResetReason } from './types.js';
import type { UpstreamStream } from './upstream_stream.js';

export type ActiveClientState = 'connecting' | 'ready' | 'busy' | 'closed';

/** Options every connection of a cluster shares (resolved once per cluster). */
export interface ClientOptions {
  connectTimeoutMs: number;
  /** 0 = unlimited (Envoy's max_requests_per_connection default). */
  maxRequestsPerConnection: number;
  /** Upstream idle timeout: common_http_protocol_options.idle_timeout (default 1 h). */
  idleTimeoutMs: number;
  /** Largest response head accepted (Envoy's max_response_headers_kb, default 60 KiB). */
  maxHeaderSize: number;
}

type Connector = (opts: unknown, cb: (err: Error | null, socket: net.Socket | null) => void) => void;

export class ActiveClient {
  state: ActiveClientState = 'connecting';
  /** The stream in flight (HTTP/1.1: at most one). */
  stream: UpstreamStream | null = null;
  /** Set when the response said `connection: close` (or the stream was reset): retire after it. */
  closeAfterResponse = false;
  requestsServed = 0;
  /** Monotonic ms when the pool opened it / when it connected (timing histograms). */
  createdAt = 0;
  connectedAt = 0;
  /** We are closing it (local close), as opposed to the upstream closing it. */
  private closingLocally = false;
  private timedOut = false;
  private socket: net.Socket | null = null;
  private undici: Client | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private handedOff = false;
  private lastErrorCode: string | undefined;

  constructor(
    readonly pool: Http1ConnPool,
    address: string,
    port: number,
    private readonly options: ClientOptions,
  ) {
    let socket: net.Socket;
    try {
      socket = net.connect({ host: address, port, noDelay: true });
    } catch (err) {
      // A bad port or address throws synchronously; report it like any connect failure, but
      // asynchronously, since newStream promises not to fail a pending stream inline.
      this.socket = null;
      const message = (err as Error).message;
      queueMicrotask(() => this.failConnect('local_connection_failure', `immediate connect error: ${message}`));
      return;
    }
    this.socket = socket;
    socket.on('error', this.onSocketError);
    socket.once('connect', this.onSocketConnect);
    socket.on('close', this.onSocketClose);
    if (options.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(this.onConnectTimeout, options.connectTimeoutMs);
      this.connectTimer.unref();
    }
  }

  // Arrow properties: bound once per connection, not per request.
  private readonly onSocketError = (err: NodeJS.ErrnoException): void => {
    this.lastErrorCode = err.code;
    if (this.state === 'connecting') {
      const f = connectFailure(err);
      this.failConnect(f.reason, f.transport);
    }
  };

  private readonly onConnectTimeout = (): void => {
    this.connectTimer = null;
    if (this.state !== 'connecting') return;
    this.timedOut = true;
    // Envoy reports a connect timeout with reason Timeout and an empty transport failure reason.
    this.failConnect('timeout', '');
  };

  private readonly onSocketConnect = (): void => {
    if (this.state !== 'connecting') return;
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    const o = this.options;
    const connector: Connector = (_opts, cb) => {
      const s = this.socket;
      if (!s || this.handedOff || s.destroyed) {
        cb(new Error('upstream connection closed'), null);
        return;
      }
      this.handedOff = true;
      // From here undici owns close handling ('disconnect' below, emitted after it has failed
      // any request in flight); our 'error' listener stays so no error is ever unhandled.
      s.removeListener('close', this.onSocketClose);
      // undici expects the connector to call back asynchronously (its own does so on 'connect');
      // a synchronous callback re-enters its resume loop and writes the request twice.
      queueMicrotask(() => {
        if (s.destroyed) {
          cb(new Error('upstream connection closed'), null);
          if (this.state !== 'closed') this.closed();
        } else cb(null, s);
      });
    };
    const addr = this.socket!.remoteAddress ?? '127.0.0.1';
    const origin = `http://${net.isIPv6(addr) ? `[${addr}]` : addr}:${this.socket!.remotePort ?? 80}`;
    const client = new Client(origin, {
      connect: connector as never,
      pipelining: 1,
      // The router owns request timeouts (route timeout, per_try_timeout): undici's are off.
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: o.idleTimeoutMs,
      keepAliveMaxTimeout: o.idleTimeoutMs,
      maxHeaderSize: o.maxHeaderSize,
    });
    client.on('disconnect', this.onDisconnect);
    client.on('connectionError', this.onDisconnect);
    this.undici = client;
    this.state = 'ready';
    this.pool.onClientConnected(this);
  };

  private readonly onSocketClose = (): void => {
    if (this.state === 'connecting') {
      const code = this.lastErrorCode;
      this.failConnect(
        code ? connectFailure({ code } as NodeJS.ErrnoException).reason : 'remote_connection_failure',
        `delayed connect error: ${strerror(code, 'Connection closed')}`,
      );
      return;
    }
    this.closed();
  };

  private readonly onDisconnect = (): void => {
    this.closed();
  };

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

  /** Sends a request (the pool attached `stream` to this client). */
  dispatch(opts: object, stream: UpstreamStream): void {
    const u = this.undici;
    if (!u) {
      stream.onError(Object.assign(new Error('upstream connection closed'), { code: 'UND_ERR_SOCKET' }));
      return;
    }
    u.dispatch(opts as never, stream as never);
  }

  /**
   * The response completed: count it, then release the connection to the pool one microtask
   * later. undici decides right after this callback whether to close the socket (no keep-alive,
   * HTTP/1.0, a response that beat its request body, a too-short keep-alive hint) and destroys
   * it synchronously; waiting a microtask lets us see that and never hand out a dying connection.
   */
  onStreamComplete(stream: UpstreamStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.requestsServed++;
    queueMicrotask(this.releaseAfterResponse);
  }

  private readonly releaseAfterResponse = (): void => {
    if (!this.socket || this.socket.destroyed) this.closeAfterResponse = true;
    this.pool.onStreamDone(this, false);
  };

  /** The router reset the stream before sending anything: release the connection intact. */
  onStreamAbandoned(stream: UpstreamStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.pool.onStreamDone(this, false);
  }

  /** The stream failed or the router reset it; the connection is not reused. */
  onStreamReset(stream: UpstreamStream, local: boolean, reason?: StreamResetReason): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.closeAfterResponse = true;
    this.pool.onStreamDone(this, true, local, reason);
  }

  /** Whether this connection can take another request after the current one. */
  get reusable(): boolean {
    const max = this.options.maxRequestsPerConnection;
    return !this.closeAfterResponse && (max === 0 || this.requestsServed < max) && this.state !== 'closed';
  }

  /** True when the connection reached max_requests_per_connection. */
  get atMaxRequests(): boolean {
    const max = this.options.maxRequestsPerConnection;
    return max > 0 && this.requestsServed >= max;
  }

  /** Closes the connection (local close). Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.closingLocally = true;
    if (this.state === 'connecting') {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.state = 'closed';
      this.socket?.destroy();
      this.socket = null;
      this.pool.onConnectingClosed(this);
      return;
    }
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed' || this.state === 'connecting') return;
    this.state = 'closed';
    const u = this.undici;
    this.undici = null;
    if (u) {
      u.removeListener('disconnect', this.onDisconnect);
      u.removeListener('connectionError', this.onDisconnect);
      u.destroy().catch(() => {});
    }
    this.socket?.destroy();
    this.socket = null;
    this.pool.onClientClosed(this, this.closingLocally);
  }
}
