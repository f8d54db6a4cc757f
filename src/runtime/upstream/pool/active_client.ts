/**
 * One upstream connection of a pool (Envoy's ActiveClient / CodecClient), whatever its protocol:
 * a raw `net.Socket` we connect ourselves (so connect failures and `connect_timeout` are known
 * with Envoy's failure reasons before any stream is attached), then the protocol's client codec
 * over it (HTTP/1.1: codec/http1/client_codec.ts, HTTP/2: codec/http2/client_codec.ts) through
 * the seam's ClientConnection. It counts the streams the pool attached and the requests it may
 * still take (max_requests_per_connection), and reports to its pool.
 *
 * Lifecycle: connecting -> ready (free stream slots) / busy (none) / settling (HTTP/1: released,
 * waiting one poll phase, see next_poll.ts) -> draining (GOAWAY, or no more requests allowed:
 * open streams finish) -> closed. The pool owns the transitions; this class reports
 * onClientConnected / onConnectFailure / onStreamDone / onClientClosed / onClientIdleTimeout /
 * onClientCapacityChanged. Never throws from socket events; every socket is destroyed on close.
 *
 * HTTP/2: the connection counts as connected once the peer's first SETTINGS arrived (its
 * max_concurrent_streams is then known); `connect_timeout` covers that wait too.
 * Mixed pools (auto_config): the TLS handshake's ALPN picks the protocol when the socket is
 * ready (`protocol` then changes from the pool's to HTTP/2 or HTTP/1.1).
 * Idle timeout (common_http_protocol_options.idle_timeout): the connection remembers when its
 * last stream ended; one timer per connection, re-armed lazily, closes it once idle that long.
 */
import { connectUpstream, type UpstreamTransportSocketFactory } from '../../network/upstream_tls.js';
import { upstreamTlsInfoOf, type UpstreamTlsInfo } from '../../network/upstream_tls_info.js';
import net from 'node:net';
import type { ClientConnection, ConnectionCallbacks, ConnectionCloseCause, StreamResetReason } from '../../codec/types.js';
import { connectFailure, strerror } from '../transport_failure.js';
import type { PoolFailureReason } from '../types.js';
import type { AfterNextPoll } from '../next_poll.js';
import type { ClientOptions, ClientPool, PoolProtocol } from './pool_types.js';
import type { TLSSocket } from 'node:tls';
import type { PoolStream } from './pool_stream.js';

export type ActiveClientState = 'connecting' | 'ready' | 'busy' | 'settling' | 'draining' | 'closed';

export class ActiveClient implements ConnectionCallbacks, AfterNextPoll {
  state: ActiveClientState = 'connecting';
  codec: ClientConnection | null = null;
  /** The protocol it speaks: its pool's, or (mixed pool, auto_config) the one its ALPN chose. */
  protocol: PoolProtocol;
  /** Streams the pool attached and not yet ended. */
  streams = 0;
  /** Requests this connection may still start (max_requests_per_connection; Infinity: no limit). */
  remainingRequests: number;
  /** Pool bookkeeping: the capacity the pool counted for it while connecting. */
  expectedCapacity = 0;
  /** Pool bookkeeping: in the pool's ready list. */
  inReady = false;
  /** Monotonic ms when the pool opened it / when it connected (timing histograms). */
  createdAt = 0;
  connectedAt = 0;
  /** A reset that takes the connection down happened with a stream open: local or remote. */
  closedWithActive: 'local' | 'remote' | undefined;
  /** [TLS] The connection's TLS facts (access log); undefined for raw TCP. */
  tls: UpstreamTlsInfo | undefined;
  private socket: net.Socket | null = null;
  private closingLocally = false;
  private timedOut = false;
  private connectTimer: NodeJS.Timeout | null = null;
  private lastErrorCode: string | undefined;
  private idleSince = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly pool: ClientPool<ActiveClient, PoolStream>,
    private readonly address: string,
    private readonly port: number,
    private readonly options: ClientOptions,
  ) {
    this.protocol = pool.protocol;
    const max = options.maxRequestsPerConnection;
    this.remainingRequests = max > 0 ? max : Infinity;
    let socket: net.Socket;
    let readyEvent: string;
    try {
      // [TLS] Raw TCP, or TLS per the cluster's transport socket: ready after the handshake.
      ({ socket, readyEvent } = connectUpstream(address, port, options.transportSocket, pool.host.hostname, pool.connectOptions));
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
    socket.on('close', this.onConnectingClose);
    if (options.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(this.onConnectTimeout, options.connectTimeoutMs);
      this.connectTimer.unref();
    }
  }

  // ---- connecting -----------------------------------------------------------------------------

  private readonly onSocketError = (err: NodeJS.ErrnoException): void => {
    this.lastErrorCode = err.code;
    if (this.state === 'connecting' && this.codec === null) {
      const f = connectFailure(err);
      this.failConnect(f.reason, f.transport);
    }
    // Once connected, the codec sees the close and does the work.
  };

  private readonly onConnectTimeout = (): void => {
    this.connectTimer = null;
    if (this.state !== 'connecting') return;
    this.timedOut = true;
    // Envoy reports a connect timeout with reason Timeout and an empty transport failure reason.
    this.failConnect('timeout', '');
  };

  private readonly onConnectingClose = (): void => {
    if (this.state !== 'connecting' || this.codec !== null) return;
    const code = this.lastErrorCode;
    this.failConnect(
      code ? connectFailure({ code } as NodeJS.ErrnoException).reason : 'remote_connection_failure',
      `delayed connect error: ${strerror(code, 'Connection closed')}`,
    );
  };

  private readonly onSocketConnect = (): void => {
    const socket = this.socket;
    if (this.state !== 'connecting' || socket === null) return;
    socket.removeListener('close', this.onConnectingClose);
    this.tls = upstreamTlsInfoOf(socket);
    let protocol = this.protocol;
    if (protocol.selectByAlpn !== undefined) {
      // Mixed pool (auto_config): the negotiated ALPN decides this connection's protocol.
      protocol = protocol.selectByAlpn((socket as TLSSocket).alpnProtocol);
      this.protocol = protocol;
      this.pool.onClientProtocolSelected(this);
    }
    this.codec = protocol.createCodec(socket, this, `${this.address}:${this.port}`);
    if (!protocol.waitForSettings) this.connected();
  };

  private connected(): void {
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.state = 'ready';
    this.markIdle();
    this.pool.onClientConnected(this);
  }

  private failConnect(reason: PoolFailureReason, transport: string): void {
    if (this.state !== 'connecting') return;
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.state = 'closed';
    const codec = this.codec;
    this.codec = null;
    if (codec !== null) codec.close();
    this.socket?.destroy();
    this.socket = null;
    this.pool.onConnectFailure(this, this.timedOut ? 'timeout' : reason, transport);
  }

  // ---- ConnectionCallbacks (the codec) ---------------------------------------------------------

  onGoAway(_errorCode: number): void {
    if (this.state === 'closed') return;
    if (this.state === 'connecting') {
      this.failConnect('remote_connection_failure', 'goaway before settings');
      return;
    }
    this.pool.onClientDraining(this);
  }

  onMaxStreamsChanged(_max: number): void {
    if (this.state === 'connecting') {
      if (this.codec !== null) this.connected();
      return;
    }
    this.pool.onClientCapacityChanged(this);
  }

  onClose(cause: ConnectionCloseCause, details: string): void {
    if (this.state === 'connecting') {
      this.failConnect('remote_connection_failure', details || `delayed connect error: ${strerror(this.lastErrorCode, 'Connection closed')}`);
      return;
    }
    if (this.state === 'closed') return;
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.socket = null;
    this.pool.onClientClosed(this, cause === 'remote_close' && !this.closingLocally ? false : true, cause);
  }

  // ---- streams ---------------------------------------------------------------------------------

  /** Free stream slots now: the codec's, bounded by the requests this connection may still take. */
  capacity(): number {
    if (this.state !== 'ready' && this.state !== 'busy') return 0;
    const c = this.codec!.streamCapacity();
    return c < this.remainingRequests ? c : this.remainingRequests;
  }

  /** The response completed. */
  onStreamComplete(_stream: PoolStream): void {
    this.streams--;
    if (this.streams === 0) this.markIdle();
    this.pool.onStreamDone(this, true);
  }

  /** The stream ended without completing (`local`: the router reset it). */
  onStreamReset(_stream: PoolStream, reason: StreamResetReason, local: boolean): void {
    this.streams--;
    // Does the connection go down with it? HTTP/2: when the connection terminated; HTTP/1: any
    // reset of a request on the wire (the codec then has no capacity left).
    const codec = this.codec;
    if (reason === 'connection_termination' || (codec !== null && codec.protocol !== 'HTTP/2' && codec.streamCapacity() === 0)) {
      this.closedWithActive ??= local || reason === 'local_reset' || this.closingLocally ? 'local' : 'remote';
    }
    if (this.streams === 0) this.markIdle();
    this.pool.onStreamDone(this, false, reason);
  }

  /** The poll phase after a release is over: a FIN that came with the response was seen. */
  onNextPollDone(): void {
    this.pool.onClientSettled(this);
  }

  // ---- idle timeout ---------------------------------------------------------------------------

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
    if (this.state === 'closed' || this.state === 'connecting') return;
    // Busy: the timer is armed again when the connection next goes idle.
    if (this.streams > 0) return;
    const left = this.idleSince + this.options.idleTimeoutMs - this.pool.now();
    if (left <= 0) {
      this.pool.onClientIdleTimeout(this);
      return;
    }
    this.idleTimer = setTimeout(this.onIdleTimer, Math.ceil(left));
    this.idleTimer.unref();
  };

  /** close() was called: the connection is going (HTTP/2 sessions close asynchronously). */
  get closing(): boolean {
    return this.closingLocally;
  }

  /** Closes the connection (local close); open streams are reset. Idempotent. */
  close(): void {
    if (this.state === 'closed' || this.closingLocally) return;
    this.closingLocally = true;
    if (this.state === 'connecting') {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.state = 'closed';
      const codec = this.codec;
      this.codec = null;
      codec?.close();
      this.socket?.destroy();
      this.socket = null;
      this.pool.onConnectingClosed(this);
      return;
    }
    // (A settling HTTP/1 connection keeps its state: the pool counts it until it is forgotten.)
    if (this.state !== 'settling') this.state = 'draining';
    this.codec!.close();
    // The codec reports onClose (synchronously for HTTP/1; on the session's 'close' for HTTP/2).
  }
}
