/**
 * The upstream HTTP/1.1 codec (Envoy's Http1::ClientConnectionImpl): one connected socket, one
 * stream at a time (no pipelining), requests encoded by client_stream.ts, responses parsed by
 * Node's native llhttp (client_parser.ts). Implements the seam's ClientConnection, so the pool
 * treats it like the HTTP/2 codec: `streamCapacity()` is 1 when idle and reusable, else 0.
 *
 * Connection lifecycle and errors:
 * - Upgrades (Envoy gives an upgrade request a connection of its own, never pooled):
 *   `newUpgradeStream` opens the stream of an upgrade request on a fresh connection. A 101 to it
 *   hands the connection over: the codec pauses the socket, removes its listeners, frees the
 *   parser and passes the socket, the 101's head and the bytes that followed the head to the
 *   decoder's `decodeUpgrade`; the codec is closed without `onClose` and never touches the socket
 *   again. Any other response is an ordinary one (the owner closes the connection after it).
 * - A response that does not parse (or a 101 nobody asked for) resets the stream with
 *   `protocol_error` and Envoy's `Response does not match the HTTP/1.1 protocol (...)` details;
 *   the connection closes with cause `protocol_error`.
 * - The upstream's FIN ends a close-delimited body, resets a stream still in progress with
 *   `connection_termination` (Envoy keeps no half-closed upstream connection) and closes with
 *   cause `remote_close`; so does a socket error or reset.
 * - A response nobody asked for (no stream, or its head not written yet) closes the connection
 *   (`protocol_error`).
 * - A response with `connection: close` (or HTTP/1.0 without keep-alive, a close-delimited body,
 *   a response that beat its request body) leaves the connection at capacity 0: its owner closes
 *   it (`close()`).
 * - Resetting a stream whose head was written closes the connection; resetting one whose head was
 *   not written (nothing on the wire) leaves it idle and usable.
 * Re-entrancy: stream and decoder callbacks run from the socket's data event, inside the parse
 * run; they may call back into the codec (reset, close, readDisable). The parser is only freed
 * after the parse run returned. Never throws from socket events: a decoder callback that throws
 * resets the stream with `local_reset` and closes the connection.
 */
import type { Socket } from 'node:net';
import type {
  ClientConnection,
  ConnectionCallbacks,
  ConnectionCloseCause,
  Protocol,
  RequestEncoder,
  ResponseDecoder,
  StreamResetReason,
} from '../types.js';
import { Http1ResponseParser, type CodecOwner, type ParseError } from './client_parser.js';
import { Http1ClientStream, type Http1StreamOwner, type UpgradeResponseDecoder } from './client_stream.js';

export type { UpgradeResponseDecoder } from './client_stream.js';

/** Options of an upstream HTTP/1.1 codec. */
export interface Http1ClientCodecOptions {
  /** Largest response head accepted (Envoy's max_response_headers_kb, default 60 KiB). */
  readonly maxHeaderSize: number;
  /** http_protocol_options.enable_trailers: request trailers are written (default false: dropped). */
  readonly enableTrailers?: boolean;
}

/** Envoy's transport failure text for a response that does not parse. */
export function protocolErrorDetails(reason: string): string {
  return `Response does not match the HTTP/1.1 protocol (${reason})`;
}

export class Http1ClientConnection implements ClientConnection, CodecOwner, Http1StreamOwner {
  readonly protocol: Protocol = 'HTTP/1.1';
  readonly enableTrailers: boolean;
  /** The stream in flight (at most one). */
  stream: Http1ClientStream | null = null;
  closeAfterResponse = false;
  socket: Socket | null;
  private readonly parser: Http1ResponseParser;
  private closed = false;
  /** Set once the connection is going: no new streams. */
  private closing = false;
  private cause: ConnectionCloseCause | undefined;
  private details = '';
  /** Inside parser.execute/finish: the parser must not be freed. */
  private parsing = false;
  private parserFreed = false;
  private socketPaused = false;

  constructor(
    socket: Socket,
    private readonly callbacks: ConnectionCallbacks,
    options: Http1ClientCodecOptions,
  ) {
    this.socket = socket;
    this.enableTrailers = options.enableTrailers === true;
    this.parser = new Http1ResponseParser(this, options.maxHeaderSize);
    socket.on('data', this.onSocketData);
    socket.on('end', this.onSocketEnd);
    socket.on('close', this.onSocketClose);
  }

  get activeStreams(): number {
    return this.stream === null ? 0 : 1;
  }

  newStream(decoder: ResponseDecoder): RequestEncoder {
    const s = new Http1ClientStream(this, decoder);
    // Capacity was 0 (misuse): encodeHeaders refuses the stream, nothing is written.
    if (this.closing || this.stream !== null) s.refused = true;
    else this.stream = s;
    return s;
  }

  /**
   * The stream of an upgrade request (`upgrade`: the Upgrade header's value) on this fresh
   * connection: see the module contract. Refused (as newStream) when the connection is busy.
   */
  newUpgradeStream(decoder: UpgradeResponseDecoder, upgrade: string): RequestEncoder {
    const s = this.newStream(decoder) as Http1ClientStream;
    s.upgrade = upgrade;
    return s;
  }

  streamCapacity(): number {
    return this.closing || this.closeAfterResponse || this.stream !== null ? 0 : 1;
  }

  /** HTTP/1 has no graceful drain: the connection closes once idle (now if idle). */
  goAway(): void {
    this.closing = true;
    if (this.stream === null) this.close();
  }

  shutdownNotice(): void {}

  /** Closes now (local close); a stream in flight is reset with connection_termination. */
  close(): void {
    this.closeWith('local_close', '', 'connection_termination', '', true);
  }

  // ---- Http1StreamOwner -----------------------------------------------------------------------

  onStreamComplete(stream: Http1ClientStream): void {
    if (this.stream !== stream) return;
    this.stream = null;
    // The next stream (or the idle connection) must see EOF and stray bytes: read again.
    if (this.socketPaused) this.readDisable(false);
  }

  onStreamReset(stream: Http1ClientStream, reason: StreamResetReason, details: string, local: boolean): void {
    if (this.stream !== stream) return;
    if (!stream.requestSent && local) {
      // Nothing reached the wire: the connection is intact and idle again.
      this.stream = null;
      if (this.socketPaused) this.readDisable(false);
      stream.runReset(reason, details);
      return;
    }
    this.closeWith(local ? 'local_close' : 'remote_close', details, reason, details, local);
  }

  readDisable(disable: boolean): void {
    const s = this.socket;
    if (s === null || disable === this.socketPaused) return;
    this.socketPaused = disable;
    if (disable) s.pause();
    else s.resume();
  }

  // ---- socket events (arrow properties: bound once per connection) -----------------------------

  private readonly onSocketData = (chunk: Buffer): void => {
    if (this.closed) return;
    let err: ParseError | null = null;
    let thrown: unknown = null;
    this.parsing = true;
    try {
      err = this.parser.execute(chunk);
    } catch (e) {
      thrown = e ?? new Error('decoder callback threw');
    }
    this.parsing = false;
    this.afterParse(err, thrown);
  };

  /** The upstream sent FIN: a close-delimited body ends here; anything else in progress is cut. */
  private readonly onSocketEnd = (): void => {
    this.onRemoteClose(false);
  };

  private readonly onSocketClose = (hadError: boolean): void => {
    this.onRemoteClose(hadError);
  };

  private onRemoteClose(hadError: boolean): void {
    if (this.closed) return;
    this.cause ??= 'remote_close';
    if (!hadError && this.stream?.requestSent) {
      let thrown: unknown = null;
      this.parsing = true;
      try {
        this.parser.finish();
      } catch (e) {
        thrown = e ?? new Error('decoder callback threw');
      }
      this.parsing = false;
      if (thrown !== null) {
        this.afterParse(null, thrown);
        return;
      }
    }
    // Envoy reports a closed upstream as a connection termination (UC), reset or not.
    this.closeWith('remote_close', '', 'connection_termination', '', false);
  }

  /** Handles the outcome of a parse run: errors, unsolicited bytes; frees the parser if closed. */
  private afterParse(err: ParseError | null, thrown: unknown): void {
    if (thrown !== null) {
      // A decoder callback threw: the parser is unusable. Never let it escape a socket event.
      const why = `upstream response handling failed: ${(thrown as Error).message}`;
      try {
        this.closeWith('local_close', why, 'local_reset', why, true);
      } catch {
        // The decoder threw again; the connection is gone regardless.
        this.closeWith('local_close', why, 'local_reset', why, true);
      }
    } else if (err !== null) {
      const details = protocolErrorDetails(err.reason);
      this.closeWith('protocol_error', details, 'protocol_error', details, false);
    } else if (this.parser.upgraded !== undefined) {
      this.handOver();
      return;
    } else if (this.parser.unsolicited) {
      // A response nobody asked for: the connection is out of step and cannot be reused.
      const details = protocolErrorDetails('unsolicited response');
      this.closeWith('protocol_error', details, 'protocol_error', details, false);
    }
    if (this.closed) this.freeParser();
  }

  /** A 101 to the upgrade request: the socket goes to the stream's decoder (module contract). */
  private handOver(): void {
    const up = this.parser.upgraded!;
    const socket = this.socket!;
    const s = this.stream;
    this.closed = true;
    this.closing = true;
    this.stream = null;
    this.socket = null;
    socket.pause();
    socket.removeListener('data', this.onSocketData);
    socket.removeListener('end', this.onSocketEnd);
    socket.removeListener('close', this.onSocketClose);
    this.freeParser();
    if (s === null) socket.destroy();
    else s.onUpgraded(up.status, up.headers, socket, up.rest);
  }

  /**
   * Closes the connection: the stream in flight (if any) is reset with `reason` first, then the
   * socket is destroyed and `onClose(cause)` reported once. Idempotent.
   */
  private closeWith(cause: ConnectionCloseCause, details: string, reason: StreamResetReason, resetDetails: string, _local: boolean): void {
    if (this.closed) return;
    if (this.cause === undefined) {
      this.cause = cause;
      this.details = details;
    }
    this.closing = true;
    const s = this.stream;
    this.stream = null;
    if (s !== null) s.runReset(reason, resetDetails);
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.socket = null;
    if (!this.parsing) this.freeParser();
    this.callbacks.onClose?.(this.cause, this.details);
  }

  private freeParser(): void {
    if (this.parserFreed) return;
    this.parserFreed = true;
    this.parser.close();
  }
}
