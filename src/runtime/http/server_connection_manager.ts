/**
 * The HTTP connection manager of one downstream connection (Envoy's ConnectionManagerImpl), for
 * every codec behind the seam (codec/types.ts ServerConnection): HTTP/1.1
 * (codec/http1/server_connection.ts, llhttp) or HTTP/2 (codec/http2/server_codec.ts, nghttp2).
 * It owns the codec, the set of streams (one at a time on HTTP/1, many on HTTP/2), the connection
 * stats (`downstream_cx_*`, `downstream_cx_http1_*`/`http2_*`, `downstream_cx_ssl_*`), the idle
 * timer, max_requests_per_connection and the drain sequence. Streams are ActiveStreams
 * (active_stream.ts): every request runs the same core request handling and filter chain, whatever
 * the codec.
 *
 * Phase chart of one request (what runs, in order; cf. Envoy's HCM and router):
 *
 *   accept (listener.ts: TCP_NODELAY, listener + HCM cx stats, filter chain -> downstream_codec.ts
 *           picks the codec: codec_type, ALPN, the h2c preface)
 *     -> the codec parses a request head     [HTTP/1 parse error: 400/431/501 DPE and close, logged
 *          here as a headless request; HTTP/2: RST_STREAM or GOAWAY, codec/http2]
 *          an HTTP/1 head still incomplete after a read is timed from then: stream_idle_timeout
 *          (408 SI) or request_headers_timeout (408)
 *     -> newStream: ActiveStream created          (downstream_rq_total/active, StreamInfo)
 *     -> HTTP/1 admission (the codec): HTTP/1.0|0.9 -> 426 DPE (unless accept_http_10); header
 *        count > max -> 431; two Host headers -> 400: ActiveStream.refuseHeaders
 *     -> ActiveStream.decodeHeaders: Upgrade/CONNECT -> upgrade_configs (core/upgrade.ts) or 403
 *        upgrade_failed; decodeRequestHeaders [core/hcm_request.ts, as match/explain]: Host valid
 *        (400 DPE) and present (400), relative path (404), path normalisation (400 / 307), host
 *        normalisation, mutateRequestHeaders (XFF, x-forwarded-proto, internal vs external,
 *        x-envoy-* sanitising); `Expect: 100-continue` answered here (proxy_100_continue false)
 *     -> HTTP filters decodeHeaders in config order (Continue | StopIteration + continueDecoding)
 *     -> router (terminal): route() [core] -> direct response / redirect / 404 NR
 *          -> cluster (NC) -> maintenance (UO) -> chooseHost (UH) -> timeouts -> finalizeRequest [core]
 *          -> conn pool newStream -> encodeHeaders/encodeData upstream; route + per-try timers
 *          -> response headers: retry? -> x-envoy-upstream-service-time, finalizeResponse [core]
 *     -> encoder filters in reverse order -> server header -> the codec writes the response
 *     -> stream complete: downstream_rq_<N>xx, downstream_rq_time, filters onDestroy, access log
 *   Timers per stream: stream_idle_timeout (408 SI before the request is complete, 504 SI after,
 *   as Envoy's maybeRequestTimeoutCode), request_timeout (408), max_stream_duration. Per
 *   connection: idle_timeout (no stream for that long: closed, downstream_cx_idle_timeout), one
 *   timer re-armed lazily, so nothing per request but a timestamp.
 *   Close: Envoy keeps no half-closed connection, so a client FIN or RST while a request is in
 *   progress resets it: DC with the status actually sent (0 if none), `downstream_remote_disconnect`,
 *   the upstream request reset, access log. A close by the proxy (drain deadline) does the same
 *   with `downstream_local_disconnect`.
 *   Drain: HTTP/1 responses carry `connection: close` and an idle connection closes; HTTP/2 gets
 *   GOAWAY with the highest stream id, then after `drain_timeout` the final GOAWAY; either closes
 *   once its last stream is done.
 *
 * Not re-entrant across connections.
 */
import type { Socket } from 'node:net';
import type { ResponseEncoder, ServerConnection, ConnectionCloseCause } from '../codec/types.js';
import { Http2ServerConnection } from '../codec/http2/server_codec.js';
import { http2CodecStats } from '../codec/http2/stats.js';
import { Http1ServerConnection, type Http1ConnectionCallbacks, type HeadStart } from '../codec/http1/server_connection.js';
import type { HeadlessReason } from '../codec/http1/codec_errors.js';
import { http1CodecStats } from '../codec/http1/codec_stats.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';
import type { DownstreamTransportInfo } from '../network/transport_info.js';
import { ActiveStream } from './active_stream.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import { plainAddress } from './header_sanitizer.js';
import { Details } from './local_reply.js';
import { nextConnectionId } from './connection_id.js';
import { logHeadless } from './headless_request.js';

/** The codec of a downstream connection. */
export type DownstreamCodec = 'http1' | 'http2';

function onIdleTimer(c: ServerConnectionManager): void {
  c.onIdleTimer();
}
function onDrainTimer(c: ServerConnectionManager): void {
  c.onDrainTimer();
}

export class ServerConnectionManager implements Http1ConnectionCallbacks, DownstreamConnectionInfo<ActiveStream> {
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
  /** The HTTP/1 connection (one stream at a time), else undefined (HTTP/2). */
  private readonly http1: Http1ServerConnection | undefined;
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
    /** The codec downstream_codec.ts chose (codec_type, ALPN, the h2c preface). */
    codecKind: DownstreamCodec,
    /** The original destination (listener original_dst): the connection's local address. */
    restoredLocal?: RestoredLocalAddress,
    /** [TLS] The TLS facts (SNI, version, peer certificate), copied into each stream's StreamInfo. */
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
    if (codecKind === 'http1') {
      st.downstream_cx_http1_total.inc();
      st.downstream_cx_http1_active.inc();
    } else {
      st.downstream_cx_http2_total.inc();
      st.downstream_cx_http2_active.inc();
    }
    if (transport !== undefined) {
      st.downstream_cx_ssl_total.inc();
      st.downstream_cx_ssl_active.inc();
    }
    if (codecKind === 'http1') {
      const h1 = new Http1ServerConnection(socket, this, {
        codec: {
          maxHeaderSize: config.maxRequestHeadersKb * 1024,
          headersWithUnderscoresAction: config.headersWithUnderscoresAction,
          // Envoy's Http1Settings.validate_scheme: an edge listener (HCM config.cc).
          validateScheme: config.request.mutation.useRemoteAddress && config.request.mutation.xffNumTrustedHops === 0,
          stats: http1CodecStats(config.stats.scope.store),
        },
        acceptHttp10: config.acceptHttp10,
        defaultHostForHttp10: config.defaultHostForHttp10,
        maxHeadersCount: config.maxHeadersCount,
        streamIdleTimeoutMs: config.streamIdleTimeoutMs,
        requestHeadersTimeoutMs: config.requestHeadersTimeoutMs,
        serverName: config.serverName,
        time: config.time,
      });
      this.http1 = h1;
      this.codec = h1;
    } else {
      this.http1 = undefined;
      this.codec = new Http2ServerConnection(socket, this, {
        http2: config.http2,
        limits: config.headerLimits,
        stats: http2CodecStats(config.store.scope('')),
        now: () => config.time.monotonic(),
      });
    }
    if (config.idleTimeoutMs > 0) this.armIdleTimer(config.idleTimeoutMs);
  }

  /** Streams in flight (an HTTP/1 request head being received or queued counts). */
  get activeStreams(): number {
    return this.streams.size > 0 ? this.streams.size : this.codec.activeStreams;
  }

  // ---- ServerConnectionCallbacks --------------------------------------------------------------

  newStream(encoder: ResponseEncoder): ActiveStream {
    const config = this.config;
    const stream = new ActiveStream(config, this, encoder, this.codec.protocol);
    this.streams.add(stream);
    if (this.http1 !== undefined) {
      config.stats.downstream_rq_http1_total.inc();
      // max_requests_per_connection: the last allowed request's response closes the connection.
      if (config.maxRequestsPerConnection > 0 && ++this.requestCount >= config.maxRequestsPerConnection) stream.closeConnectionAfterResponse();
    } else {
      config.stats.downstream_rq_http2_total.inc();
      // The last allowed stream starts a drain (Envoy: GOAWAY).
      if (config.maxRequestsPerConnection > 0 && ++this.requestCount >= config.maxRequestsPerConnection) this.startDrain();
    }
    return stream;
  }

  hasActiveStream(): boolean {
    return this.streams.size > 0;
  }

  onStreamComplete(stream: ActiveStream): void {
    if (!this.streams.delete(stream)) return;
    if (this.streams.size > 0) return;
    // The stream's last byte time: the clock was read once already (no read per request here).
    this.idleSince = stream.streamInfo.lastDownstreamTxByteSent ?? this.config.time.monotonic();
    const h1 = this.http1;
    if (h1 !== undefined) h1.onStreamComplete();
    else if (this.draining && this.drainTimer === undefined) this.codec.goAway();
  }

  /** A request that never became a stream (HTTP/1): counted and logged like one. */
  onHeadlessRequest(start: HeadStart | undefined, reason: HeadlessReason, status: number, details: string, bytesSent: number, headers?: Record<string, string>): void {
    logHeadless(this.config, this, start, reason, status, details, bytesSent, headers);
  }

  /**
   * Envoy's onEvent(Local/RemoteClose) + doConnectionClose: connection stats, and the streams in
   * progress are reset (DC, access log); a tunnel's stream completes when its tunnel closes.
   */
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
    (this.http1 !== undefined ? st.downstream_cx_http1_active : st.downstream_cx_http2_active).dec();
    if (this.transport !== undefined) st.downstream_cx_ssl_active.dec();
    st.downstream_cx_length_ms.record(this.config.time.monotonic() - this.openedAt);
    // HTTP/2 reset every open stream before this call; anything left is reset now.
    if (this.streams.size > 0 || this.http1?.closedWithHeadInProgress === true) {
      st.downstream_cx_destroy_active_rq.inc();
      (local ? st.downstream_cx_destroy_local_active_rq : st.downstream_cx_destroy_remote_active_rq).inc();
      const details = local ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect;
      for (const s of [...this.streams]) if (!s.isTunnel) s.onDownstreamDisconnect(details);
    }
    this.onClosed(this);
  }

  // ---- drain and close ------------------------------------------------------------------------

  /**
   * Listener drain: HTTP/1 responses carry `connection: close` and an idle connection closes now;
   * HTTP/2 gets GOAWAY with the highest stream id now (the peer stops opening streams), the final
   * GOAWAY after `drain_timeout`; the connection closes once its streams are done.
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
    // HTTP/1 reports its close (onClose), which resets its stream; HTTP/2 streams are reset first.
    if (this.http1 === undefined) for (const s of [...this.streams]) s.onDownstreamDisconnect(Details.DownstreamLocalDisconnect);
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

  /**
   * idle_timeout (Envoy's connection_idle_timer_): no stream for that long -> close (HTTP/2:
   * GOAWAY first), downstream_cx_idle_timeout. The timer is not touched per request: when it
   * fires early (activity since), it is re-armed for what is left.
   */
  onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.closed) return;
    const timeout = this.config.idleTimeoutMs;
    if (this.streams.size > 0 || this.codec.activeStreams > 0) {
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
