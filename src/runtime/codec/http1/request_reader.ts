/**
 * How the request bytes of one downstream HTTP/1 connection reach its llhttp parser. The native
 * parser consumes the socket's libuv stream itself, as node:http's server does: no Buffer, no
 * Readable push and no 'data' event per read; after each read it reports to the codec's
 * `onExecute`. A socket without a stream handle (a test double) feeds the codec through 'data'
 * events instead. Reading pauses and resumes (Envoy's readDisable) on whichever of the two is in
 * use; an upgrade hands the socket back to its JS stream, paused, with no listener of the codec,
 * together with what was read after the upgrade's head (the tunnel's first bytes).
 */
import type { Socket } from 'node:net';
import { kOnExecute, type NativeParseError, type NativeParser, type NativeStreamHandle } from '../../llhttp.js';

/** The codec's side: the parser's reports and the socket's events. */
export interface RequestReaderTarget {
  /** After each read the native parser consumed: a number of bytes parsed, or the parse error. */
  readonly onExecute: (ret: number | NativeParseError) => void;
  /** Bytes from a socket the parser does not consume. */
  onData(chunk: Buffer): void;
  /** The client sent FIN. */
  onEnd(): void;
}

const EMPTY = Buffer.alloc(0);

const kTarget = Symbol('tsproxy.http1RequestReader');
type ReaderSocket = Socket & { [kTarget]?: RequestReaderTarget };

function onSocketData(this: ReaderSocket, chunk: Buffer): void {
  this[kTarget]!.onData(chunk);
}
function onSocketEnd(this: ReaderSocket): void {
  this[kTarget]!.onEnd();
}

/** The read side of one connection's codec; created with the codec, released when the socket closes. */
export class Http1RequestReader {
  /** The stream handle the parser consumes, or undefined (reads arrive as 'data' events). */
  private handle: NativeStreamHandle | undefined;
  private paused = false;
  /** Bytes read after an upgrade request's head (the tunnel's first bytes), kept for detach(). */
  private tunnelBytes: Buffer | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly parser: NativeParser,
    target: RequestReaderTarget,
  ) {
    (socket as ReaderSocket)[kTarget] = target;
    const handle = (socket as Socket & { _handle?: NativeStreamHandle | null })._handle;
    if (handle && handle.isStreamBase === true && !handle._consumed) {
      handle._consumed = true;
      parser[kOnExecute] = target.onExecute;
      parser.consume(handle);
      this.handle = handle;
    }
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
  }

  /** Reading is paused (pause() since the last resume()). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops reading the socket; nothing more reaches the parser until resume(). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.handle !== undefined) this.handle.readStop();
    else this.socket.pause();
  }

  /** Reads the socket again. */
  resume(): void {
    this.paused = false;
    if (this.handle !== undefined) this.handle.readStart();
    else this.socket.resume();
  }

  /**
   * An upgrade head was parsed: `rest`, what followed it in the same read, belongs to the tunnel
   * (copied: the read's buffer is reused). Reading stops until the tunnel takes the socket.
   */
  keepForTunnel(rest: Buffer): void {
    this.tunnelBytes = rest.length > 0 ? Buffer.from(rest) : EMPTY;
    this.pause();
  }

  /**
   * Hands the socket over (an upgrade's tunnel): the parser lets go of the stream, the codec's
   * listeners are removed, and the socket is left paused; the tunnel attaches its own listener
   * and resumes it. Returns the bytes kept by keepForTunnel (empty if none).
   */
  detach(): Buffer {
    const handle = this.handle;
    if (handle !== undefined) {
      this.release();
      // Reading was stopped on the handle itself (pause()), behind the JS stream's back: start
      // it again so the bytes reach the socket's own stream (paused: they wait there).
      if (this.paused && !this.socket.destroyed) handle.readStart();
    }
    this.paused = false;
    const socket = this.socket;
    socket.pause();
    socket.removeListener('data', onSocketData);
    socket.removeListener('end', onSocketEnd);
    const bytes = this.tunnelBytes ?? EMPTY;
    this.tunnelBytes = undefined;
    return bytes;
  }

  /** The parser lets go of the socket's stream (the socket closed, or detach()). */
  release(): void {
    if (this.handle === undefined) return;
    this.handle = undefined;
    try {
      this.parser.unconsume();
    } catch {
      // The stream is gone already.
    }
  }
}
