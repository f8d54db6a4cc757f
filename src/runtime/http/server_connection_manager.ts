/**
 * The connection manager of one downstream connection whose codec is behind the seam
 * (codec/types.ts ServerConnection; today HTTP/2: codec/http2/server_codec.ts). Envoy's
 * ConnectionManagerImpl: it owns the codec, a set of streams (many at once), the connection
 * stats (`downstream_cx_*`, `downstream_cx_http2_*`), the idle timer, max_requests_per_connection
 * and the drain sequence (GOAWAY with the highest stream id, then after `drain_timeout` the final
 * GOAWAY; the connection closes when its last stream is done). Streams are ActiveStreams, the
 * same objects as on HTTP/1 (active_stream.ts); every request runs the same core request
 * handling and filter chain.
 *
 * The HTTP/1 connection (conn_manager.ts DownstreamConnection) predates the seam and keeps its
 * own connection logic (one stream at a time, pipelining, head timeouts); its ActiveStreams write
 * through the same ResponseEncoder interface.
 *
 * Lifecycle: constructed on an accepted socket -> codec callbacks (newStream, onClose) -> the
 * codec's onClose (after every open stream heard its reset) ends it; `closeNow()` (drain deadline)
 * resets open streams as local disconnects first. Not re-entrant across connections.
 */
import type { Socket } from 'node:net';
import type { ResponseEncoder, ServerConnection, ServerConnectionCallbacks, ConnectionCloseCause, RequestDecoder } from '../codec/types.js';
import { Http2ServerConnection } from '../codec/http2/server_codec.js';
import { http2CodecStats } from '../codec/http2/stats.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';
import type { DownstreamTransportInfo } from '../network/transport_info.js';
import { ActiveStream, type DownstreamConnectionInfo } from './active_stream.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import { plainAddress } from './header_sanitizer.js';
import { Details } from './local_reply.js';
import { nextConnectionId } from './connection_id.js';

function onIdleTimer(c: ServerConnectionManager): void {
  c.onIdleTimer();
}
function onDrainTimer(c: ServerConnectionManager): void {
  c.onDrainTimer();
}

export class ServerConnectionManager implements ServerConnectionCallbacks, DownstreamConnectionInfo {
  readonly id = nextConnectionId();
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly directLocalAddress: string | undefined;
  readonly directLocalPort: number | undefined;
  draining = false;
  private closed = false;
  private readonly codec: ServerConnection;
  private readonly streams = new Set<ActiveStream>();
  private readonly openedAt: number;
  private idleSince: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private requestCount = 0;

  constructor(
    readonly config: ConnectionManagerConfig,
    socket: Socket,
    /** Called once when the connection is gone (listener connection tracking). */
    private readonly onClosed: (c: ServerConnectionManager) => void,
    restoredLocal?: RestoredLocalAddress,
    /** The TLS facts when the connection is TLS (ALPN h2): StreamInfo, scheme https, XFCC. */
    readonly transport?: DownstreamTransportInfo,
  ) {
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = restoredLocal?.address ?? plainAddress(socket.localAddress);
    this.localPort = restoredLocal?.port ?? socket.localPort ?? 0;
    this.directLocalAddress = restoredLocal === undefined ? undefined : plainAddress(socket.localAddress);
    this.directLocalPort = restoredLocal === undefined ? undefined : (socket.localPort ?? 0);
    this.openedAt = config.time.monotonic();
    this.idleSince = this.openedAt;
    const st = config.stats;
    st.downstream_cx_total.inc();
    st.downstream_cx_active.inc();
    st.downstream_cx_http2_total.inc();
    st.downstream_cx_http2_active.inc();
    if (transport !== undefined) {
      st.downstream_cx_ssl_total.inc();
      st.downstream_cx_ssl_active.inc();
    }
    this.codec = new Http2ServerConnection(socket, this, {
      http2: config.http2,
      limits: config.headerLimits,
      stats: http2CodecStats(config.store.scope('')),
      now: () => config.time.monotonic(),
    });
    if (config.idleTimeoutMs > 0) this.armIdleTimer(config.idleTimeoutMs);
  }

  /** Streams in flight. */
  get activeStreams(): number {
    return this.streams.size;
  }

  // ---- ServerConnectionCallbacks --------------------------------------------------------------

  newStream(encoder: ResponseEncoder): RequestDecoder {
    const config = this.config;
    const stream = new ActiveStream(config, this, encoder, this.codec.protocol);
    config.stats.downstream_rq_http2_total.inc();
    this.streams.add(stream);
    // max_requests_per_connection: the last allowed stream starts a drain (Envoy: GOAWAY).
    if (config.maxRequestsPerConnection > 0 && ++this.requestCount >= config.maxRequestsPerConnection) this.startDrain();
    return stream;
  }

  onStreamComplete(stream: ActiveStream): void {
    if (!this.streams.delete(stream)) return;
    if (this.streams.size === 0) {
      this.idleSince = stream.streamInfo.lastDownstreamTxByteSent ?? this.config.time.monotonic();
      if (this.draining && this.drainTimer === undefined) this.codec.goAway();
    }
  }

  onClose(cause: ConnectionCloseCause, _details: string): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    const st = this.config.stats;
    const local = cause === 'local_close' || cause === 'keepalive_timeout';
    if (cause === 'protocol_error' || cause === 'flood' || cause === 'too_many_premature_resets') st.downstream_cx_protocol_error.inc();
    st.downstream_cx_destroy.inc();
    (local ? st.downstream_cx_destroy_local : st.downstream_cx_destroy_remote).inc();
    st.downstream_cx_active.dec();
    st.downstream_cx_http2_active.dec();
    if (this.transport !== undefined) st.downstream_cx_ssl_active.dec();
    st.downstream_cx_length_ms.record(this.config.time.monotonic() - this.openedAt);
    // The codec reset every open stream before this call; anything left is reset now.
    if (this.streams.size > 0) {
      st.downstream_cx_destroy_active_rq.inc();
      (local ? st.downstream_cx_destroy_local_active_rq : st.downstream_cx_destroy_remote_active_rq).inc();
      const details = local ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect;
      for (const s of [...this.streams]) s.onDownstreamDisconnect(details);
    }
    this.onClosed(this);
  }

  // ---- drain and close ------------------------------------------------------------------------

  /**
   * Listener drain: GOAWAY with the highest stream id now (the peer stops opening streams),
   * the final GOAWAY after `drain_timeout`; the connection closes once its streams are done.
   */
  drain(): void {
    this.startDrain();
  }

  private startDrain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    this.codec.shutdownNotice();
    const t = setTimeout(onDrainTimer, this.config.drainTimeoutMs, this);
    t.unref();
    this.drainTimer = t;
  }

  onDrainTimer(): void {
    this.drainTimer = undefined;
    if (!this.closed) this.codec.goAway();
  }

  /** Closes at once (drain deadline, shutdown): open streams are reset as local disconnects. */
  closeNow(): void {
    if (this.closed) return;
    for (const s of [...this.streams]) s.onDownstreamDisconnect(Details.DownstreamLocalDisconnect);
    this.codec.close();
  }

  private clearTimers(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.idleTimer = this.drainTimer = undefined;
  }

  private armIdleTimer(ms: number): void {
    const t = setTimeout(onIdleTimer, ms, this);
    t.unref();
    this.idleTimer = t;
  }

  /** idle_timeout: no stream for that long -> GOAWAY and close (downstream_cx_idle_timeout). */
  onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.closed) return;
    const timeout = this.config.idleTimeoutMs;
    if (this.streams.size > 0) {
      this.armIdleTimer(timeout);
      return;
    }
    const left = this.idleSince + timeout - this.config.time.monotonic();
    if (left > 0) {
      this.armIdleTimer(Math.ceil(left));
      return;
    }
    this.config.stats.downstream_cx_idle_timeout.inc();
    this.draining = true;
    this.codec.goAway();
  }
}
