/**
 * A tiny HTTP/2 frame writer and reader for raw-frame tests (RFC 9113 section 4): frames are
 * built byte by byte, header blocks with HPACK literals only (never indexed, never Huffman), so
 * a test can send exactly the malformed or abusive sequence it means. The reader splits what a
 * peer sends into frames; it does not decode HPACK (assert on frame types, flags, stream ids and
 * error codes, and use a real client to look at responses).
 */
import net from 'node:net';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = {
  DATA: 0,
  HEADERS: 1,
  PRIORITY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PUSH_PROMISE: 5,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** RFC 9113 section 7 error codes. */
export const ErrorCode = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  SETTINGS_TIMEOUT: 4,
  STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
  CONNECT_ERROR: 10,
  ENHANCE_YOUR_CALM: 11,
} as const;

export const Setting = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6 } as const;

/** One frame: 9-byte header + payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type;
  b[4] = flags;
  b.writeUInt32BE(streamId & 0x7fffffff, 5);
  payload.copy(b, 9);
  return b;
}

export function settings(entries: Array<[number, number]> = []): Buffer {
  const p = Buffer.alloc(entries.length * 6);
  entries.forEach(([id, v], i) => {
    p.writeUInt16BE(id, i * 6);
    p.writeUInt32BE(v, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, p);
}

export const settingsAck = (): Buffer => frame(FrameType.SETTINGS, Flag.ACK, 0);

export function ping(ack = false, data: Buffer = Buffer.alloc(8)): Buffer {
  return frame(FrameType.PING, ack ? Flag.ACK : 0, 0, data);
}

export function rstStream(streamId: number, code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code, 0);
  return frame(FrameType.RST_STREAM, 0, streamId, p);
}

export function goaway(lastStreamId: number, code: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastStreamId, 0);
  p.writeUInt32BE(code, 4);
  return frame(FrameType.GOAWAY, 0, 0, p);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(increment, 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, p);
}

export function priority(streamId: number, dependsOn: number, weight = 16): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt32BE(dependsOn, 0);
  p[4] = weight - 1;
  return frame(FrameType.PRIORITY, 0, streamId, p);
}

export function data(streamId: number, payload: Buffer | string, endStream = false): Buffer {
  return frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, typeof payload === 'string' ? Buffer.from(payload) : payload);
}

/** An HPACK integer with an N-bit prefix (RFC 7541 section 5.1); `first` holds the pattern bits. */
function hpackInt(value: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  let v = value - max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out.push(v);
  return out;
}

function hpackString(s: string): Buffer {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([Buffer.from(hpackInt(bytes.length, 7, 0)), bytes]);
}

/** A header block of "literal header field without indexing — new name" entries (RFC 7541 6.2.2). */
export function headerBlock(headers: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of headers) parts.push(Buffer.from([0x00]), hpackString(n), hpackString(v));
  return Buffer.concat(parts);
}

export interface HeadersOptions {
  endStream?: boolean;
  /** Default true; false leaves the block open for CONTINUATION frames. */
  endHeaders?: boolean;
}

export function headers(streamId: number, block: Buffer | Array<[string, string]>, options: HeadersOptions = {}): Buffer {
  const payload = Array.isArray(block) ? headerBlock(block) : block;
  let flags = 0;
  if (options.endStream) flags |= Flag.END_STREAM;
  if (options.endHeaders !== false) flags |= Flag.END_HEADERS;
  return frame(FrameType.HEADERS, flags, streamId, payload);
}

/** A header block split into HEADERS + CONTINUATION frames of at most `maxFrame` bytes (16384: SETTINGS_MAX_FRAME_SIZE's default). */
export function headersSplit(streamId: number, list: Array<[string, string]>, options: { endStream?: boolean } = {}, maxFrame = 16384): Buffer[] {
  const block = headerBlock(list);
  const out: Buffer[] = [];
  for (let off = 0; off < block.length || off === 0; off += maxFrame) {
    const part = block.subarray(off, off + maxFrame);
    const last = off + maxFrame >= block.length;
    out.push(off === 0 ? headers(streamId, part, { endStream: options.endStream, endHeaders: last }) : continuation(streamId, part, last));
    if (last) break;
  }
  return out;
}

export function continuation(streamId: number, block: Buffer, endHeaders: boolean): Buffer {
  return frame(FrameType.CONTINUATION, endHeaders ? Flag.END_HEADERS : 0, streamId, block);
}

/** A GET request header list for `path` (pseudo-headers first, as RFC 9113 8.3 requires). */
export function getRequest(path = '/', extra: Array<[string, string]> = [], authority = 'example.com'): Array<[string, string]> {
  return [[':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', authority], ...extra];
}

export interface ParsedFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** RST_STREAM / GOAWAY error code of a parsed frame. */
export function errorCodeOf(f: ParsedFrame): number {
  return f.type === FrameType.GOAWAY ? f.payload.readUInt32BE(4) : f.payload.readUInt32BE(0);
}

/**
 * A raw client connection: writes bytes, collects the frames the server sends, and resolves
 * waits on them. The server's SETTINGS are acknowledged automatically unless `autoAck` is false.
 */
export class RawH2Connection {
  readonly frames: ParsedFrame[] = [];
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** Bytes of the client preface still to skip (a server-side connection). */
  private prefaceLeft = 0;

  private constructor(readonly socket: net.Socket, private readonly autoAck: boolean) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Connects; sends the preface and an empty SETTINGS frame unless `preface` is false. */
  static async connect(port: number, options: { preface?: boolean; autoAck?: boolean } = {}): Promise<RawH2Connection> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawH2Connection(socket, options.autoAck !== false);
    if (options.preface !== false) c.write(Buffer.concat([PREFACE, settings()]));
    return c;
  }

  /**
   * The server side of an accepted socket: skips the client's preface, sends our SETTINGS
   * (`settingsEntries`), acknowledges the client's.
   */
  static accept(socket: net.Socket, settingsEntries: Array<[number, number]> = []): RawH2Connection {
    const c = new RawH2Connection(socket, true);
    c.prefaceLeft = PREFACE.length;
    c.write(settings(settingsEntries));
    return c;
  }

  write(bytes: Buffer | Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Array.isArray(bytes) ? Buffer.concat(bytes) : bytes);
  }

  private onData(chunk: Buffer): void {
    if (this.prefaceLeft > 0) {
      const skip = Math.min(this.prefaceLeft, chunk.length);
      this.prefaceLeft -= skip;
      chunk = chunk.subarray(skip);
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 9) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + len) break;
      const f: ParsedFrame = { type: this.buf[3]!, flags: this.buf[4]!, streamId: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
      this.buf = this.buf.subarray(9 + len);
      this.frames.push(f);
      if (this.autoAck && f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0) this.write(settingsAck());
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves with the first frame (already received or future) matching `pred`; rejects after `ms`. */
  waitFor(pred: (f: ParsedFrame) => boolean, ms = 2000): Promise<ParsedFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), ms);
      const check = (): void => {
        const f = this.frames.find(pred);
        if (f !== undefined) {
          clearTimeout(timer);
          resolve(f);
        } else if (this.closed) {
          clearTimeout(timer);
          reject(new Error('connection closed before the frame arrived'));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Resolves when the server closed the connection; rejects after `ms`. */
  waitClosed(ms = 2000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the connection to close')), ms);
      const check = (): void => {
        if (this.closed) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** The first GOAWAY received, if any. */
  goaway(): ParsedFrame | undefined {
    return this.frames.find((f) => f.type === FrameType.GOAWAY);
  }

  close(): void {
    this.socket.destroy();
  }
}
