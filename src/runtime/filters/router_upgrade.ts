/**
 * The router's upgrade path (Envoy's router with an upgrade filter chain; tcp_proxy-like once
 * upgraded): a WebSocket (or any `upgrade_configs` type) request goes to the chosen host on a
 * connection of its own (never pooled: it becomes the tunnel) through the HTTP/1.1 client codec
 * (codec/http1/client_codec.ts: the request head, the response parsed by llhttp); a 101 hands the
 * upstream socket over and both sides become one byte tunnel. A CONNECT opens a TCP connection to
 * the host and answers 200 once connected, then tunnels.
 *
 * - The connection is the cluster's: raw TCP, or TLS with the cluster's UpstreamTlsContext
 *   (network/upstream_tls.ts connectUpstream, ready after the handshake and verification), under
 *   the cluster's connect_timeout.
 * - The upstream head is the finalized request (route rewrites and header mutations applied)
 *   with `connection: upgrade` and the client's `upgrade` value, no body framing; hop-by-hop
 *   headers are not copied.
 * - Not 101: the response is relayed as an ordinary one (the codec frames its body) and the
 *   upstream connection closes after it (the downstream one too: HTTP/1 cannot carry another
 *   request after an upgrade request).
 * - Once tunnelling: bytes both ways with backpressure, starting with the bytes that followed
 *   each side's head; an end (FIN, or END_STREAM on an HTTP/2 stream) on one side is passed to
 *   the other (half-close), both ended is a clean close (no flag, via_upstream); a reset or error
 *   on one side destroys the other: DC when it was the client's, UC the upstream's. The HCM's
 *   stream_idle_timeout (when set) closes an idle tunnel (SI). The stream then completes with
 *   response code 101 (or 200) and the bytes both ways.
 * - Before a response: connect failure or timeout is 503 UF, an upstream closing is 503 UC, a
 *   response that does not parse 502 UPE, with the pooled path's bodies and details.
 */
import type { Duplex } from 'node:stream';
import type { ConnectionCallbacks, DownstreamTunnel, HeaderList, RequestEncoder, StreamCallbacks, StreamResetReason } from '../codec/types.js';
import type { StreamDecoderFilterCallbacks, RequestHeaderMap } from '../http/filter.js';
import type { UpstreamHostDescription } from '../upstream/types.js';
import { fromUpstreamHeaderList, headerValue, toUpstreamHeaderList } from '../codec/headers.js';
import { Http1ClientConnection, type UpgradeResponseDecoder } from '../codec/http1/client_codec.js';
import { connectUpstream, type UpstreamTransportSocketFactory } from '../network/upstream_tls.js';
import { connectFailure, strerror } from '../upstream/transport_failure.js';
import { fromPoolFailureReason, type EnvoyResetReason } from '../http/local_reply.js';

/** Largest upstream response head read (Envoy's default max_response_headers_kb). */
const MAX_HEAD_BYTES = 60 * 1024;
const EMPTY = Buffer.alloc(0);

/** What the tunnel reports to the router. */
export interface TunnelOwner {
  /**
   * The upstream failed before a response head: not reachable (connect failure or timeout: UF),
   * closed (UC) or answered something that does not parse (UPE). `transportFailureReason` as
   * the pooled path reports it.
   */
  onTunnelFailure(reason: EnvoyResetReason, transportFailureReason: string): void;
}

/** Where the tunnel connects: the host and its cluster's connection settings. */
export interface TunnelTarget {
  readonly host: UpstreamHostDescription;
  readonly connectTimeoutMs: number;
  /** [TLS] The cluster's transport sockets; undefined: raw TCP. */
  readonly transportSocket?: UpstreamTransportSocketFactory | undefined;
}

/** The 101's headers as the client must see them: `connection: upgrade` and `upgrade` kept. */
function tunnelHeaders(list: HeaderList): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of list) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

type Side = 'downstream' | 'upstream';

/** Whether a tunnel side closed by a reset that also ended it: an HTTP/2 stream's RST_STREAM (not NO_ERROR). */
function wasReset(side: Duplex): boolean {
  const code = (side as { rstCode?: number }).rstCode;
  return code !== undefined && code !== 0;
}

/** One upgrade or CONNECT tunnel of one request. */
export class UpgradeTunnel implements UpgradeResponseDecoder, StreamCallbacks, ConnectionCallbacks {
  private socket: Duplex | undefined;
  private codec: Http1ClientConnection | undefined;
  private downstream: DownstreamTunnel['socket'] | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private done = false;
  /** The upstream refused the upgrade: its response is being relayed. */
  private relaying = false;
  private bytesIn = 0;
  private bytesOut = 0;
  /** The side whose connection failed or was closed without an end (a reset), first. */
  private abrupt: Side | undefined;
  private idleTimedOut = false;

  constructor(
    private readonly cb: StreamDecoderFilterCallbacks,
    private readonly owner: TunnelOwner,
    private readonly upgradeType: string,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Connects to the target and sends the upgrade request (CONNECT: nothing is sent). */
  start(target: TunnelTarget, headers: RequestHeaderMap): void {
    const { host } = target;
    let conn: ReturnType<typeof connectUpstream>;
    try {
      conn = connectUpstream(host.address, host.port, target.transportSocket, host.hostname);
    } catch (err) {
      const message = (err as Error).message;
      queueMicrotask(() => this.fail('local_connection_failure', `immediate connect error: ${message}`));
      return;
    }
    const s = conn.socket;
    this.socket = s;
    let connected = false;
    let lastError: string | undefined;
    if (target.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = undefined;
        if (!connected) this.fail('connection_timeout', '');
      }, target.connectTimeoutMs);
    }
    // Kept for the socket's life: an error after the connect shows as 'close' to the codec or
    // the tunnel.
    s.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err.code;
      if (connected) return;
      const f = connectFailure(err);
      this.fail(fromPoolFailureReason(f.reason), f.transport);
    });
    s.once('close', () => {
      if (!connected) this.fail('remote_connection_failure', `delayed connect error: ${strerror(lastError, 'Connection closed')}`);
    });
    s.once(conn.readyEvent, () => {
      connected = true;
      this.clearConnectTimer();
      if (this.done) {
        s.destroy();
        return;
      }
      if (this.upgradeType === 'CONNECT') {
        this.becomeTunnel(200, [], s, EMPTY);
        return;
      }
      const codec = new Http1ClientConnection(s, this, { maxHeaderSize: MAX_HEAD_BYTES });
      this.codec = codec;
      const upgrade = headerValue(headers.headers, 'upgrade') ?? this.upgradeType;
      const enc: RequestEncoder = codec.newUpgradeStream(this, upgrade);
      enc.stream.addCallbacks(this);
      enc.encodeHeaders(headers.method, headers.path, headers.authority ?? '', toUpstreamHeaderList(headers.headers), false);
    });
  }

  // ---- the upgrade request's response (UpgradeResponseDecoder) --------------------------------

  decodeUpgrade(status: number, headers: HeaderList, socket: Duplex, rest: Buffer): void {
    this.codec = undefined;
    if (this.done) {
      socket.destroy();
      return;
    }
    this.becomeTunnel(status, headers, socket, rest);
  }

  /** The upgrade was refused upstream: relay the response; the downstream connection closes after it. */
  decodeHeaders(status: number, headers: HeaderList, endStream: boolean): void {
    if (this.done) return;
    this.relaying = true;
    if (endStream) this.endRelay();
    // An ordinary response: hop-by-hop headers are the downstream codec's, as on the pooled path.
    this.cb.encodeHeaders({ status, headers: fromUpstreamHeaderList(headers) }, endStream);
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done) return;
    if (endStream) this.endRelay();
    this.cb.encodeData(chunk, endStream);
  }

  decodeTrailers(_trailers: HeaderList): void {
    if (this.done) return;
    this.endRelay();
    this.cb.encodeData(EMPTY, true);
  }

  private endRelay(): void {
    this.done = true;
    this.codec?.close();
  }

  // ---- StreamCallbacks (the upgrade request's stream) and ConnectionCallbacks ------------------

  onResetStream(reason: StreamResetReason, transportFailureReason: string): void {
    if (this.done) return;
    if (this.relaying) {
      // The refusal's body was cut: the client sees its connection close.
      this.done = true;
      this.codec?.close();
      this.cb.resetStream();
      return;
    }
    // The HTTP/1 codec resets with these three.
    this.fail(reason === 'protocol_error' || reason === 'local_reset' ? reason : 'connection_termination', transportFailureReason);
  }

  onClose(): void {}

  // ---- the tunnel -------------------------------------------------------------------------------

  /** 101 (or CONNECT's 200): the response head goes downstream and the two sides are joined. */
  private becomeTunnel(status: number, headers: HeaderList, up: Duplex, rest: Buffer): void {
    this.socket = up;
    const t: DownstreamTunnel | undefined = this.cb.upgradeDownstream?.({ status, headers: tunnelHeaders(headers) });
    if (t === undefined) {
      // The client is gone or the head could not be written: the stream was reset.
      this.done = true;
      up.destroy();
      return;
    }
    const down = t.socket;
    this.downstream = down;
    if (rest.length > 0) {
      this.bytesOut += rest.length;
      down.write(rest);
    }
    if (t.head.length > 0) {
      this.bytesIn += t.head.length;
      up.write(t.head);
    }
    down.on('data', (c: Buffer) => {
      this.bytesIn += c.length;
      if (!up.write(c)) down.pause();
    });
    up.on('drain', () => down.resume());
    up.on('data', (c: Buffer) => {
      this.bytesOut += c.length;
      if (!down.write(c)) up.pause();
    });
    down.on('drain', () => up.resume());
    // An end on one side is passed on as an end; both ended is a clean close. A reset or an
    // error on one side destroys the other.
    const endedBy = { downstream: false, upstream: false };
    const killed = { downstream: false, upstream: false };
    const socketOf = (side: Side): Duplex => (side === 'downstream' ? down : up);
    const otherOf = (side: Side): Side => (side === 'downstream' ? 'upstream' : 'downstream');
    const ended = (side: Side): void => {
      endedBy[side] = true;
      const other = socketOf(otherOf(side));
      if (!other.destroyed) other.end();
    };
    down.on('end', () => ended('downstream'));
    up.on('end', () => ended('upstream'));
    down.on('error', () => {
      this.abrupt ??= 'downstream';
    });
    up.on('error', () => {
      this.abrupt ??= 'upstream';
    });
    const closed = (side: Side): void => {
      // An HTTP/2 stream reset by the peer ends its readable side too: its RST code tells.
      if (!killed[side] && (!endedBy[side] || wasReset(socketOf(side)))) this.abrupt ??= side;
      const o = otherOf(side);
      const other = socketOf(o);
      if (!other.destroyed && (this.abrupt !== undefined || !endedBy[side])) {
        killed[o] = true;
        other.destroy();
      }
      if (down.destroyed && up.destroyed) this.finish();
    };
    down.on('close', () => closed('downstream'));
    up.on('close', () => closed('upstream'));
    if (this.idleTimeoutMs > 0) {
      down.setTimeout(this.idleTimeoutMs, () => {
        this.idleTimedOut = true;
        killed.downstream = killed.upstream = true;
        down.destroy();
        up.destroy();
      });
    }
    down.resume();
    up.resume();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const flag = this.idleTimedOut ? 'SI' : this.abrupt === 'upstream' ? 'UC' : this.abrupt === 'downstream' ? 'DC' : undefined;
    const details = this.idleTimedOut
      ? 'stream_idle_timeout'
      : this.abrupt === 'upstream'
        ? 'upstream_reset_after_response_started{connection_termination}'
        : this.abrupt === 'downstream'
          ? 'downstream_remote_disconnect'
          : 'via_upstream';
    this.cb.tunnelClosed?.(this.bytesIn, this.bytesOut, flag, details);
  }

  /** Fails before a response: the connection goes, the router answers (UF, UC, UPE). */
  private fail(reason: EnvoyResetReason, transportFailureReason: string): void {
    if (this.done) return;
    this.closeUpstream();
    this.owner.onTunnelFailure(reason, transportFailureReason);
  }

  /** Ends the upstream side before the tunnel is up: timer, codec and socket. */
  private closeUpstream(): void {
    this.done = true;
    this.clearConnectTimer();
    const codec = this.codec;
    this.codec = undefined;
    if (codec !== undefined) codec.close();
    this.socket?.destroy();
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** The downstream stream went away before the tunnel was up: close the upstream side. */
  abort(): void {
    if (this.downstream !== undefined) return;
    this.closeUpstream();
  }
}
