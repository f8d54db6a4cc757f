/**
 * The router's upgrade path (Envoy's router with an upgrade filter chain; tcp_proxy-like once
 * upgraded): a WebSocket (or any `upgrade_configs` type) request goes to the chosen host on a
 * connection of its own (never pooled: it becomes the tunnel), its response head is read; a 101
 * is relayed and both connections become one byte tunnel. A CONNECT opens a TCP connection to the
 * host and answers 200 once connected, then tunnels.
 *
 * - The upstream head is the finalized request (route rewrites and header mutations applied) with
 *   `connection: upgrade` and the client's `upgrade` header; hop-by-hop headers are not copied.
 * - Not 101: the response is relayed as an ordinary one (content-length, or to the upstream's
 *   close) and the downstream connection closes after it.
 * - Once tunnelling: bytes both ways with backpressure; an end (FIN) on one side is passed to the
 *   other (half-close), both ended is a clean close (no flag, via_upstream); a reset or error on
 *   one side destroys the other: DC when it was the client's, UC the upstream's. The HCM's
 *   stream_idle_timeout (when set) closes an idle tunnel (SI). The stream then completes with
 *   response code 101 (or 200) and the bytes both ways.
 * - Connect failure or timeout: 503 UF as the pooled path says it; an upstream head that does not
 *   parse: 502 UPE.
 */
import { connect, type Socket } from 'node:net';
import type { DownstreamTunnel, HeaderList } from '../codec/types.js';
import type { StreamDecoderFilterCallbacks, RequestHeaderMap } from '../http/filter.js';
import type { UpstreamHostDescription } from '../upstream/types.js';
import { fromUpstreamHeaderList, isHopByHopRequestHeader } from '../codec/headers.js';

/** Largest upstream response head read before giving up (Envoy's default max headers size). */
const MAX_HEAD_BYTES = 60 * 1024;

/** What the tunnel reports to the router. */
export interface TunnelOwner {
  /** The upstream could not be reached (connect refused or timed out). */
  onTunnelConnectFailure(reason: 'connection_failure' | 'timeout', transportFailureReason: string): void;
  /** The upstream answered with something that is not an HTTP/1 response head. */
  onTunnelProtocolError(): void;
}

interface ParsedHead {
  status: number;
  headers: HeaderList;
  rest: Buffer;
}

/** Parses an HTTP/1 response head from `buf` (complete: ends with an empty line), or null if malformed. */
function parseHead(buf: Buffer, end: number): ParsedHead | null {
  const text = buf.subarray(0, end).toString('latin1');
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const headers: HeaderList = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const c = l.indexOf(':');
    if (c <= 0) return null;
    headers.push([l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()]);
  }
  return { status: Number(m[1]), headers, rest: buf.subarray(end + 4) };
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

/** One upgrade or CONNECT tunnel of one request. */
export class UpgradeTunnel {
  private upstream: Socket | undefined;
  private downstream: Socket | undefined;
  private headBuf: Buffer | undefined;
  private done = false;
  private bytesIn = 0;
  private bytesOut = 0;
  /** The side whose connection failed or was closed without an end (a reset), first. */
  private abrupt: 'downstream' | 'upstream' | undefined;
  private idleTimedOut = false;

  constructor(
    private readonly cb: StreamDecoderFilterCallbacks,
    private readonly owner: TunnelOwner,
    private readonly upgradeType: string,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Connects to `host` and sends the upgrade request (CONNECT: nothing is sent). */
  start(host: UpstreamHostDescription, headers: RequestHeaderMap, connectTimeoutMs: number): void {
    const s = connect({ host: host.address, port: host.port, noDelay: true });
    this.upstream = s;
    let connected = false;
    const timer = connectTimeoutMs > 0 ? setTimeout(() => {
      if (connected || this.done) return;
      s.destroy();
      this.fail(() => this.owner.onTunnelConnectFailure('timeout', ''));
    }, connectTimeoutMs) : undefined;
    s.once('connect', () => {
      connected = true;
      if (timer !== undefined) clearTimeout(timer);
      if (this.done) {
        s.destroy();
        return;
      }
      if (this.upgradeType === 'CONNECT') this.becomeTunnel(200, [], undefined);
      else {
        s.write(this.requestHead(headers), 'latin1');
        s.on('data', (d: Buffer) => this.onHeadData(d));
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (connected || this.done) return;
      if (timer !== undefined) clearTimeout(timer);
      this.fail(() => this.owner.onTunnelConnectFailure('connection_failure', err.code === 'ECONNREFUSED' ? 'delayed connect error: Connection refused' : (err.code ?? err.message)));
    });
    s.on('close', () => {
      if (!connected || this.done) return;
      // Closed before a response head: as a reset before headers.
      if (this.downstream === undefined && this.headBuf !== undefined) this.fail(() => this.owner.onTunnelProtocolError());
      else if (this.downstream === undefined) this.fail(() => this.owner.onTunnelConnectFailure('connection_failure', 'connection termination'));
    });
  }

  private requestHead(h: RequestHeaderMap): string {
    let head = `${h.method} ${h.path} HTTP/1.1\r\nhost: ${h.authority ?? ''}\r\n`;
    for (const name in h.headers) {
      const v = h.headers[name];
      if (v === undefined || name === 'host' || name === 'connection' || name === 'upgrade') continue;
      if (isHopByHopRequestHeader(name, v)) continue;
      for (const item of typeof v === 'string' ? [v] : v) head += `${name}: ${item}\r\n`;
    }
    const upgrade = h.headers['upgrade'];
    head += `connection: upgrade\r\nupgrade: ${typeof upgrade === 'string' ? upgrade : (upgrade ?? [this.upgradeType]).join(', ')}\r\n\r\n`;
    return head;
  }

  private onHeadData(d: Buffer): void {
    if (this.downstream !== undefined || this.done) return;
    const buf = this.headBuf === undefined ? d : Buffer.concat([this.headBuf, d]);
    this.headBuf = buf;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) this.fail(() => this.owner.onTunnelProtocolError());
      return;
    }
    const head = parseHead(buf, end);
    if (head === null) {
      this.fail(() => this.owner.onTunnelProtocolError());
      return;
    }
    this.upstream!.removeAllListeners('data');
    if (head.status === 101) this.becomeTunnel(101, head.headers, head.rest);
    else this.relayRefusal(head);
  }

  /** The upgrade was refused upstream: relay the response, then the downstream connection closes. */
  private relayRefusal(head: ParsedHead): void {
    const up = this.upstream!;
    // An ordinary response: hop-by-hop headers are the downstream codec's, as on the pooled path.
    const headers = fromUpstreamHeaderList(head.headers);
    const lengthText = headers['content-length'];
    const length = lengthText === undefined ? undefined : Number(lengthText);
    const noBody = head.status === 204 || head.status === 304 || length === 0;
    this.done = true;
    this.cb.encodeHeaders({ status: head.status, headers }, noBody);
    if (noBody) {
      up.destroy();
      return;
    }
    const chunked = head.headers.some(([k, v]) => k === 'transfer-encoding' && v.toLowerCase().includes('chunked'));
    let left = length ?? Infinity;
    let finished = false;
    const end = (): void => {
      if (finished) return;
      finished = true;
      this.cb.encodeData(Buffer.alloc(0), true);
      up.destroy();
    };
    const dechunk = chunked ? new ChunkedDecoder() : undefined;
    const deliver = (chunk: Buffer): void => {
      if (finished) return;
      if (dechunk !== undefined) {
        const { data, done } = dechunk.push(chunk);
        if (data.length > 0) this.cb.encodeData(data, false);
        if (done) end();
        return;
      }
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      if (part.length > 0) this.cb.encodeData(part, false);
      if (left <= 0) end();
    };
    if (head.rest.length > 0) deliver(head.rest);
    up.on('data', deliver);
    // A close-delimited body (or an upstream gone early) ends at the close.
    up.on('close', end);
  }

  /** 101 (or CONNECT's 200): the response head goes downstream and the two sockets are joined. */
  private becomeTunnel(status: number, headers: HeaderList, rest: Buffer | undefined): void {
    const up = this.upstream!;
    const t: DownstreamTunnel | undefined = this.cb.upgradeDownstream?.({ status, headers: tunnelHeaders(headers) });
    if (t === undefined) {
      // The client is gone or the head could not be written: the stream was reset.
      this.done = true;
      up.destroy();
      return;
    }
    const down = t.socket;
    this.downstream = down;
    if (rest !== undefined && rest.length > 0) {
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
    // An end (FIN) on one side is passed on as an end; both ended is a clean close. A reset or
    // an error on one side destroys the other.
    const endedBy = { downstream: false, upstream: false };
    const killed = { downstream: false, upstream: false };
    const socketOf = (side: 'downstream' | 'upstream'): typeof up => (side === 'downstream' ? down : up);
    const otherOf = (side: 'downstream' | 'upstream'): 'downstream' | 'upstream' => (side === 'downstream' ? 'upstream' : 'downstream');
    const ended = (side: 'downstream' | 'upstream'): void => {
      endedBy[side] = true;
      const other = socketOf(otherOf(side));
      if (!other.destroyed) other.end();
    };
    down.on('end', () => ended('downstream'));
    up.on('end', () => ended('upstream'));
    const failed = (side: 'downstream' | 'upstream'): void => {
      this.abrupt ??= side;
    };
    down.on('error', () => failed('downstream'));
    up.on('error', () => failed('upstream'));
    const closed = (side: 'downstream' | 'upstream'): void => {
      if (!endedBy[side] && !killed[side]) this.abrupt ??= side;
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
      const onIdle = (): void => {
        this.idleTimedOut = true;
        killed.downstream = killed.upstream = true;
        down.destroy();
        up.destroy();
      };
      down.setTimeout(this.idleTimeoutMs, onIdle);
    }
    down.resume();
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

  private fail(report: () => void): void {
    if (this.done) return;
    this.done = true;
    this.upstream?.destroy();
    report();
  }

  /** The downstream stream went away before the tunnel was up: close the upstream side. */
  abort(): void {
    if (this.downstream !== undefined) return;
    this.done = true;
    this.upstream?.destroy();
  }
}

/** Decodes a chunked body incrementally (RFC 9112 7.1); trailers are skipped. */
class ChunkedDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of the current chunk still to come; -1 while reading a size line, -2 when done. */
  private left = -1;
  private afterData = false;

  push(input: Buffer): { data: Buffer; done: boolean } {
    this.buf = this.buf.length === 0 ? input : Buffer.concat([this.buf, input]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.left === -2) return { data: Buffer.concat(out), done: true };
      if (this.afterData) {
        if (this.buf.length < 2) break;
        this.buf = this.buf.subarray(2);
        this.afterData = false;
      }
      if (this.left === -1) {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) break;
        const size = parseInt(this.buf.subarray(0, nl).toString('latin1').split(';')[0]!.trim(), 16);
        this.buf = this.buf.subarray(nl + 2);
        if (!Number.isFinite(size) || size === 0) {
          this.left = -2;
          continue;
        }
        this.left = size;
      }
      if (this.buf.length === 0) break;
      const take = Math.min(this.left, this.buf.length);
      out.push(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      this.left -= take;
      if (this.left === 0) {
        this.left = -1;
        this.afterData = true;
      }
    }
    return { data: Buffer.concat(out), done: false };
  }
}
