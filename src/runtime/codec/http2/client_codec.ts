/**
 * The upstream HTTP/2 codec (Envoy's Http2::ClientConnectionImpl): a node:http2
 * ClientHttp2Session over a socket the pool already connected, prior-knowledge h2c. Streams are
 * multiplexed up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS (bounded by our own
 * max_concurrent_streams, which also applies before the peer's SETTINGS arrive, as Envoy lifts
 * nghttp2's initial 100): `streamCapacity()` tells a pool how many more it may open, and
 * `onMaxStreamsChanged` when the peer's first SETTINGS arrives (always) or changes the limit.
 *
 * GOAWAY from the upstream: the connection drains (capacity 0, `onGoAway`); streams above the
 * GOAWAY's last stream id, and streams not started yet, are reset with
 * `remote_refused_stream_reset` (safe to retry elsewhere); the others complete; the session
 * closes when none is left. Closing under open streams resets them with
 * `connection_termination`.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientConnection, ConnectionCallbacks, ConnectionCloseCause, Protocol, RequestEncoder, ResponseDecoder } from '../types.js';
import { Http2ClientStream, type ClientStreamOwner } from './client_stream.js';
import { Http2Keepalive } from './keepalive.js';
import { clientSessionOptions, type HeaderLimits, type Http2ProtocolOptions } from './options.js';
import type { Http2CodecStats } from './stats.js';

export interface Http2ClientCodecOptions {
  readonly http2: Http2ProtocolOptions;
  /** max_response_headers_kb / max_headers_count of the cluster. */
  readonly limits: HeaderLimits;
  /** The `cluster.<name>.http2.*` stats. */
  readonly stats: Http2CodecStats;
  /** `host:port` of the upstream (the session's origin; requests carry their own :authority). */
  readonly authority: string;
  /** `:scheme` of requests: `http` (h2c, the default) or `https`. */
  readonly scheme?: string;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** nghttp2_error values node:http2 reports as an error's `errno`. */
const NGHTTP2_ERR_FLOODED = -904;

const kConn = Symbol('tsproxy.h2ClientConnection');
type Tagged = ClientHttp2Session & { [kConn]?: Http2ClientConnection };

function onRemoteSettings(this: Tagged, settings: http2.Settings): void {
  this[kConn]!.onRemoteSettings(settings);
}
function onGoAway(this: Tagged, code: number, lastStreamId: number): void {
  this[kConn]!.onGoAway(code, lastStreamId);
}
function onSessionError(this: Tagged, err: Error & { code?: string; errno?: number }): void {
  this[kConn]!.onSessionError(err);
}
function onSessionClose(this: Tagged): void {
  this[kConn]!.onSessionClose();
}
function onConnect(this: Tagged): void {
  this[kConn]!.onConnect();
}

export class Http2ClientConnection implements ClientConnection, ClientStreamOwner {
  readonly protocol: Protocol = 'HTTP/2';
  readonly session: ClientHttp2Session;
  readonly stats: Http2CodecStats;
  readonly scheme: string;
  goAwayLastStreamId = -1;
  private readonly streams = new Set<Http2ClientStream>();
  private readonly localMaxStreams: number;
  private peerMaxStreams: number;
  private draining = false;
  private closed = false;
  private settingsReceived = false;
  private cause: ConnectionCloseCause | undefined;
  private details = '';
  private readonly now: () => number;
  private lastActivity: number;
  private readonly keepalive: Http2Keepalive | undefined;

  constructor(
    socket: Socket,
    private readonly callbacks: ConnectionCallbacks,
    private readonly options: Http2ClientCodecOptions,
  ) {
    this.stats = options.stats;
    this.scheme = options.scheme ?? 'http';
    this.now = options.now ?? performance.now.bind(performance);
    this.lastActivity = this.now();
    this.localMaxStreams = this.peerMaxStreams = options.http2.maxConcurrentStreams;
    const session = http2.connect(`${this.scheme}://${options.authority}`, {
      ...clientSessionOptions(options.http2, options.limits),
      createConnection: () => socket,
    }) as Tagged;
    session[kConn] = this;
    this.session = session;
    session.on('remoteSettings', onRemoteSettings);
    session.on('goaway', onGoAway);
    session.on('error', onSessionError);
    session.on('close', onSessionClose);
    session.once('connect', onConnect);
    const ka = options.http2.connectionKeepalive;
    this.keepalive = ka !== undefined ? new Http2Keepalive(session, ka, () => this.onKeepaliveTimeout(), options.random) : undefined;
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  get terminating(): boolean {
    return this.closed || this.session.destroyed;
  }

  newStream(decoder: ResponseDecoder): RequestEncoder {
    const ka = this.keepalive;
    // connection_idle_interval: check an idle connection is alive before using it (Envoy).
    if (ka !== undefined && this.options.http2.connectionKeepalive!.connectionIdleIntervalMs > 0 && this.now() - this.lastActivity > this.options.http2.connectionKeepalive!.connectionIdleIntervalMs) {
      ka.sendPing();
    }
    const s = new Http2ClientStream(this, decoder);
    this.streams.add(s);
    this.stats.streams_active.inc();
    return s;
  }

  streamCapacity(): number {
    if (this.draining || this.closed || this.session.closed || this.session.destroyed) return 0;
    return Math.max(0, Math.min(this.localMaxStreams, this.peerMaxStreams) - this.streams.size);
  }

  onStreamDone(s: Http2ClientStream): void {
    if (this.streams.delete(s)) this.stats.streams_active.dec();
  }

  onActivity(): void {
    this.lastActivity = this.now();
  }

  onConnect(): void {
    const win = this.options.http2.initialConnectionWindowSize;
    if (win === 65535 || this.session.destroyed) return;
    try {
      this.session.setLocalWindowSize(win);
    } catch {
      // Gone already: 'close' follows.
    }
  }

  onRemoteSettings(settings: http2.Settings): void {
    this.onActivity();
    const first = !this.settingsReceived;
    this.settingsReceived = true;
    const m = settings.maxConcurrentStreams;
    const changed = m !== undefined && m !== this.peerMaxStreams;
    if (changed) this.peerMaxStreams = m;
    // The first SETTINGS is always reported: the pool waits for it before using the connection.
    if (first || changed) this.callbacks.onMaxStreamsChanged?.(this.peerMaxStreams);
  }

  onGoAway(code: number, lastStreamId: number): void {
    this.draining = true;
    if (this.goAwayLastStreamId < 0 || lastStreamId < this.goAwayLastStreamId) this.goAwayLastStreamId = lastStreamId;
    // The owner hears it first, so streams refused below are not retried on this connection.
    this.callbacks.onGoAway?.(code);
    // Streams that never went out cannot go out any more: refused, retriable.
    for (const s of [...this.streams]) if (s.id === undefined) s.terminate();
  }

  goAway(): void {
    if (this.closed || this.session.closed || this.session.destroyed) return;
    this.draining = true;
    this.stats.goaway_sent.inc();
    this.cause ??= 'local_close';
    this.session.close();
  }

  /** Client connections have no shutdown notice (it concerns streams the peer opens). */
  shutdownNotice(): void {}

  close(): void {
    this.cause ??= 'local_close';
    if (!this.session.destroyed) this.session.destroy();
  }

  onSessionError(err: Error & { code?: string; errno?: number }): void {
    if (this.cause !== undefined && this.cause !== 'local_close') return;
    if (err.code === 'ERR_HTTP2_TOO_MANY_INVALID_FRAMES') {
      this.stats.inbound_empty_frames_flood.inc();
      this.cause = 'flood';
    } else if (err.errno === NGHTTP2_ERR_FLOODED) {
      this.stats.outbound_control_flood.inc();
      this.cause = 'flood';
    } else if (err.code === 'ERR_HTTP2_ERROR') {
      this.cause = 'protocol_error';
    } else {
      this.cause = 'remote_close';
    }
    this.details = err.message;
  }

  private onKeepaliveTimeout(): void {
    this.stats.keepalive_timeout.inc();
    this.cause = 'keepalive_timeout';
    this.details = 'h2_ping_timeout';
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
