/**
 * The downstream HTTP/2 codec (Envoy's Http2::ServerConnectionImpl) for ONE accepted socket, on
 * node:http2 (nghttp2). The socket is handed over with `http2.performServerHandshake` (Node's
 * public API for "an HTTP/2 session over a socket I accepted"; no http2.Server and no
 * 'connection' event needed): it works on a plain socket whose first bytes a sniffer already
 * read and unshifted (auto.ts), and nghttp2 then reads straight from the socket's libuv stream.
 * Prior-knowledge h2c: the peer must start with the connection preface; anything else is a
 * connection error (GOAWAY, close).
 *
 * Contract (see types.ts for the seam's):
 * - A request stream reaches `callbacks.newStream` once its header block is complete and
 *   nghttp2 found it valid; streams nghttp2 refuses (uppercase names, connection-specific
 *   headers, `te` other than trailers, bad pseudo-headers, missing authority) are reset with
 *   PROTOCOL_ERROR and never reach the callbacks. Our own refusals (header list over the limits:
 *   `http2.header_overflow`; a name with `_` under REJECT_REQUEST:
 *   `http2.requests_rejected_with_underscores_in_headers`) are RST_STREAM INTERNAL_ERROR, as
 *   Envoy's NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; nothing reaches the connection manager.
 * - Floods close the connection (GOAWAY, then close) and are counted: `http2.outbound_control_flood`
 *   (PING/SETTINGS ACKs pile up: nghttp2's check), `http2.inbound_empty_frames_flood` (Node's
 *   invalid-frame limit); CONTINUATION floods and other protocol errors are `protocol_error`.
 *   Rapid reset: Envoy's premature-reset check (premature_reset.ts) closes the connection with
 *   cause `too_many_premature_resets`; nghttp2's RST_STREAM rate limit stays behind it.
 * - Every stream closed by the peer's RST_STREAM counts `http2.rx_reset`; every one we reset,
 *   `http2.tx_reset`.
 * - CONNECT streams go to the decoder's `decodeUpgradeHeaders`: an extended CONNECT (RFC 8441,
 *   with `allow_connect`) as an HTTP/1-style upgrade, a plain CONNECT as it is; their DATA frames
 *   are left unread until the stream becomes a tunnel (server_stream.ts switchToTunnel).
 * Not re-entrant across connections; callbacks may call back into this connection.
 */
import http2, { type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ConnectionCloseCause, Protocol, RequestHeaderMap, ServerConnection, ServerConnectionCallbacks } from '../types.js';
import { PrematureResetTracker } from '../premature_reset.js';
import { decodeRequestHead } from './headers.js';
import { Http2Keepalive } from './keepalive.js';
import { serverSessionOptions, type HeaderLimits, type Http2ProtocolOptions } from './options.js';
import { Http2ServerStream, type ServerStreamOwner } from './server_stream.js';
import type { Http2CodecStats } from './stats.js';
import { H2Error } from './stream_io.js';

export interface Http2ServerCodecOptions {
  readonly http2: Http2ProtocolOptions;
  readonly limits: HeaderLimits;
  /** The `http2.*` stats (http2CodecStats of the server's root scope). */
  readonly stats: Http2CodecStats;
  /** Monotonic clock in ms (default performance.now). */
  readonly now?: () => number;
  /** Uniform [0, 1) (keepalive jitter; default Math.random). */
  readonly random?: () => number;
  /** overload.premature_reset_total_stream_count (500). */
  readonly prematureResetTotalStreamCount?: number;
  /** overload.premature_reset_min_stream_lifetime_seconds (1). */
  readonly prematureResetMinStreamLifetimeSeconds?: number;
}

/** nghttp2_error values node:http2 reports as an error's `errno`. */
const NGHTTP2_ERR_FLOODED = -904;
const MAX_STREAM_ID = 2147483647;
const END_STREAM = 0x1;

const kConn = Symbol('tsproxy.h2ServerConnection');
type Tagged = ServerHttp2Session & { [kConn]?: Http2ServerConnection };

function onSessionStream(this: Tagged, stream: ServerHttp2Stream, _h: unknown, flags: number, raw: string[]): void {
  this[kConn]!.onStream(stream, flags, raw);
}
function onSessionError(this: Tagged, err: Error & { code?: string; errno?: number }): void {
  this[kConn]!.onSessionError(err);
}
function onSessionGoAway(this: Tagged, code: number): void {
  this[kConn]!.callbacks.onGoAway?.(code);
}
function onSessionClose(this: Tagged): void {
  this[kConn]!.onSessionClose();
}
type TaggedSocket = Socket & { [kConn]?: Http2ServerConnection };
function onSocketEnd(this: TaggedSocket): void {
  this[kConn]!.onRemoteHalfClose();
}

/**
 * A CONNECT request head as the connection manager sees it (Envoy's ServerStreamImpl::
 * decodeHeaders with transformUpgradeRequestFromH2toH1): an extended CONNECT (RFC 8441,
 * `:protocol`, only accepted when `allow_connect` advertised SETTINGS_ENABLE_CONNECT_PROTOCOL)
 * becomes an HTTP/1-style upgrade (GET, `upgrade: <protocol>`, `connection: upgrade`); a plain
 * CONNECT stays as it is. Returns the protocol, or 'CONNECT'.
 */
function connectUpgrade(headers: RequestHeaderMap, raw: readonly string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 58 /* : */) break;
    if (name !== ':protocol') continue;
    const protocol = raw[i + 1]!;
    headers.method = 'GET';
    headers.headers['upgrade'] = protocol;
    headers.headers['connection'] = 'upgrade';
    return protocol;
  }
  return 'CONNECT';
}

export class Http2ServerConnection implements ServerConnection, ServerStreamOwner {
  readonly protocol: Protocol = 'HTTP/2';
  readonly session: ServerHttp2Session;
  readonly stats: Http2CodecStats;
  readonly streamErrorOnInvalidHttpMessaging: boolean;
  private readonly streams = new Set<Http2ServerStream>();
  private readonly now: () => number;
  private readonly premature: PrematureResetTracker;
  private readonly keepalive: Http2Keepalive | undefined;
  /** Why the connection is closing, once known (the first reason wins). */
  private cause: ConnectionCloseCause | undefined;
  private details = '';
  private closed = false;

  constructor(
    socket: Socket,
    readonly callbacks: ServerConnectionCallbacks,
    private readonly options: Http2ServerCodecOptions,
  ) {
    this.stats = options.stats;
    this.now = options.now ?? performance.now.bind(performance);
    this.streamErrorOnInvalidHttpMessaging = options.http2.streamErrorOnInvalidHttpMessaging;
    this.premature = new PrematureResetTracker(options.prematureResetTotalStreamCount, options.prematureResetMinStreamLifetimeSeconds);
    const session = http2.performServerHandshake(socket, serverSessionOptions(options.http2, options.limits)) as Tagged;
    session[kConn] = this;
    this.session = session;
    session.on('stream', onSessionStream);
    session.on('error', onSessionError);
    session.on('goaway', onSessionGoAway);
    session.on('close', onSessionClose);
    // The listener accepts half-open sockets (the HTTP/1 codec decides what a FIN means); for
    // HTTP/2 a FIN is the end of the connection, as Envoy's read EOF without half-close.
    (socket as TaggedSocket)[kConn] = this;
    socket.once('end', onSocketEnd);
    // Envoy raises the connection window from the RFC's 65535 with one WINDOW_UPDATE at start.
    const win = options.http2.initialConnectionWindowSize;
    if (win !== 65535) {
      try {
        session.setLocalWindowSize(win);
      } catch {
        // The socket is already gone: 'close' follows.
      }
    }
    const ka = options.http2.connectionKeepalive;
    this.keepalive = ka !== undefined && ka.intervalMs > 0 ? new Http2Keepalive(session, ka, () => this.onKeepaliveTimeout(), options.random) : undefined;
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  /** The session is going away: streams closing now are terminated with it. */
  get terminating(): boolean {
    return this.closed || this.session.destroyed;
  }

  // ---- streams --------------------------------------------------------------------------------

  onStream(h2: ServerHttp2Stream, flags: number, raw: string[]): void {
    const startedAt = this.now();
    const s = new Http2ServerStream(this, h2, startedAt);
    if (this.closed) {
      s.refuse(H2Error.REFUSED_STREAM);
      return;
    }
    const head = decodeRequestHead(raw, this.options.limits);
    if (!head.ok) {
      if (head.rejection === 'underscore') this.stats.requests_rejected_with_underscores_in_headers.inc();
      else this.stats.header_overflow.inc();
      s.refuse(H2Error.INTERNAL_ERROR);
      // Envoy had created the stream already: it counts as a stream closed without response.
      this.countClosed(startedAt, false);
      return;
    }
    if (head.droppedUnderscores > 0) this.stats.dropped_headers_with_underscores.inc(head.droppedUnderscores);
    this.streams.add(s);
    this.stats.streams_active.inc();
    const endStream = (flags & END_STREAM) !== 0;
    s.remoteEnded = endStream;
    const headers = head.headers;
    try {
      s.decoder = this.callbacks.newStream(s);
      if (headers.method === 'CONNECT' && s.decoder.decodeUpgradeHeaders !== undefined) {
        // Upgrades: the stream's DATA frames become the tunnel's; nothing reads them before.
        s.upgrade = connectUpgrade(headers, raw);
        s.decoder.decodeUpgradeHeaders(headers);
        return;
      }
      s.decoder.decodeHeaders(headers, endStream);
    } catch {
      // The connection manager failed on this request: reset it, never crash.
      s.resetStream('local_reset');
      return;
    }
    if (!endStream && !s.io.done) s.readBody();
  }

  onStreamDone(s: Http2ServerStream, responded: boolean): void {
    if (!this.streams.delete(s)) return;
    this.stats.streams_active.dec();
    if (!this.closed) this.countClosed(s.startedAt, responded);
  }

  private countClosed(startedAt: number, responded: boolean): void {
    const p = this.premature;
    if (p.onStreamClosed(p.isPremature(this.now() - startedAt, responded)) && !this.closed) {
      this.closeWith('too_many_premature_resets', `${p.premature} of ${p.closed} streams reset early`, true);
    }
  }

  // ---- connection -----------------------------------------------------------------------------

  goAway(): void {
    if (this.closed || this.session.closed || this.session.destroyed) return;
    this.stats.goaway_sent.inc();
    this.cause ??= 'local_close';
    // GOAWAY NO_ERROR with the last stream id processed; the session closes once the open
    // streams are done.
    this.session.close();
  }

  shutdownNotice(): void {
    if (this.closed || this.session.closed || this.session.destroyed) return;
    this.stats.goaway_graceful_sent.inc();
    this.session.goaway(H2Error.NO_ERROR, MAX_STREAM_ID);
  }

  close(): void {
    this.closeWith('local_close', '', false);
  }

  /** Closes now with `cause`: GOAWAY (`goaway`: NO_ERROR, else INTERNAL_ERROR) then the socket. */
  private closeWith(cause: ConnectionCloseCause, details: string, goaway: boolean): void {
    if (this.cause === undefined || this.cause === 'local_close') {
      this.cause = cause;
      this.details = details;
    }
    if (this.session.destroyed) return;
    if (goaway) {
      this.stats.goaway_sent.inc();
      this.session.destroy(undefined, H2Error.NO_ERROR);
    } else this.session.destroy();
  }

  onSessionError(err: Error & { code?: string; errno?: number }): void {
    if (this.cause !== undefined && this.cause !== 'local_close') return;
    if (err.code === 'ERR_HTTP2_TOO_MANY_INVALID_FRAMES') {
      this.stats.inbound_empty_frames_flood.inc();
      this.cause = 'flood';
    } else if (err.errno === NGHTTP2_ERR_FLOODED) {
      this.stats.outbound_control_flood.inc();
      this.cause = 'flood';
    } else if (err.code === 'ERR_HTTP2_ERROR' || err.code === 'ERR_HTTP2_SESSION_ERROR') {
      this.cause = 'protocol_error';
    } else {
      this.cause = 'remote_close';
    }
    this.details = err.message;
  }

  private onKeepaliveTimeout(): void {
    this.stats.keepalive_timeout.inc();
    this.closeWith('keepalive_timeout', 'h2_ping_timeout', false);
  }

  /** The client closed its side of the socket: the connection is over (remote close). */
  onRemoteHalfClose(): void {
    this.cause ??= 'remote_close';
    if (!this.session.destroyed) this.session.destroy();
  }

  onSessionClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepalive?.stop();
    for (const s of [...this.streams]) s.terminate();
    this.callbacks.onClose?.(this.cause ?? 'remote_close', this.details);
  }
}
