/**
 * One request/response exchange on an upstream HTTP/1.1 connection (Envoy's
 * Http1::ClientConnectionImpl request encoder + response decoding): the RequestEncoder and Stream
 * of the codec seam, and the ResponseSink the connection's parser delivers the response to. One
 * object per request serves all three roles, so the hot path allocates no closures and adds no
 * listeners.
 *
 * Contract (beyond the seam's, src/runtime/codec/types.ts):
 * - `encodeHeaders` writes the whole head with one `socket.write` (request_head.ts validates and
 *   frames it). An invalid head resets the stream with `local_reset` (details say why) before
 *   anything is written; the connection stays usable.
 * - A body follows as raw bytes (content-length, enforced: a mismatch resets the stream locally
 *   and the connection closes) or chunked. The socket is corked from the head until the end of
 *   the body or the next tick, so head and a small body leave in one write.
 * - `encodeTrailers` ends a chunked body with the trailers when the connection was built with
 *   `enableTrailers` (Envoy's http_protocol_options.enable_trailers); otherwise, or on a
 *   content-length body, the trailers are dropped and the body just ends (as Envoy).
 * - The decoder hears `decodeHeaders` (endStream for HEAD, 204, 304, `content-length: 0`), then
 *   `decodeData`* ending with endStream — on the chunk that completes a content-length body,
 *   else an empty one — or `decodeTrailers` (a chunked body's trailers). Or a reset instead, at
 *   most once, never after the end. 1xx interim responses are dropped.
 * - A request body the upstream does not take fast enough (the socket's write buffer over its
 *   high watermark) calls the callbacks' `onAboveWriteBufferHighWatermark`, then
 *   `onBelowWriteBufferLowWatermark` once it drained.
 * - Resetting a stream whose head was not written leaves the connection intact; any other reset
 *   closes the connection (HTTP/1 cannot carry a half-sent message).
 */
import type { Socket } from 'node:net';
import type { HeaderList, RequestEncoder, ResponseDecoder, Stream, StreamCallbacks, StreamResetReason } from '../types.js';
import type { ResponseSink } from './client_parser.js';
import {
  CHUNK_END,
  LAST_CHUNK,
  LAST_CHUNK_AFTER_DATA,
  chunkHeader,
  encodeRequestHead,
  lastChunkWithTrailers,
  type RequestFraming,
} from './client_request_head.js';

const EMPTY = Buffer.alloc(0);

/** Shown as the reset reason when the body disagrees with its content-length. */
const LENGTH_MISMATCH = 'request body length does not match content-length header';

/** A ResponseDecoder that also hears the 101 to its upgrade request (the socket handover). */
export interface UpgradeResponseDecoder extends ResponseDecoder {
  /**
   * The upstream answered 101: `socket` is the caller's from now on (paused, no listeners of the
   * codec, which forgets it), `rest` the bytes that came after the head in the same read.
   */
  decodeUpgrade(status: number, headers: HeaderList, socket: Socket, rest: Buffer): void;
}

/** What a stream needs from its connection (client_codec.ts). */
export interface Http1StreamOwner {
  /** The connected socket; null once the connection closed. */
  readonly socket: Socket | null;
  /** Request trailers are written (enable_trailers). */
  readonly enableTrailers: boolean;
  /** The response said the connection ends after it (or the framing is out of step). */
  closeAfterResponse: boolean;
  /** The response completed. */
  onStreamComplete(stream: Http1ClientStream): void;
  /** The stream ends without completing; `local` when we reset it. */
  onStreamReset(stream: Http1ClientStream, reason: StreamResetReason, details: string, local: boolean): void;
  /** Stops (true) or resumes (false) reading the socket. */
  readDisable(disable: boolean): void;
}

function uncorkAfterTick(stream: Http1ClientStream): void {
  stream.uncork();
}

/** One request/response exchange (see the module contract). */
export class Http1ClientStream implements RequestEncoder, Stream, ResponseSink, RequestFraming {
  /** No more decoder or reset callbacks: completed, errored or reset. */
  done = false;
  /** The request head was written. */
  requestSent = false;
  /** Opened while the connection had no capacity: encodeHeaders refuses it. */
  refused = false;
  /** RequestFraming: request body bytes still to send per content-length, -1 when chunked. */
  bodyRemaining = -1;
  /** RequestFraming: why encodeRequestHead refused the head. */
  headError = '';
  /** The whole request (head and body) was written. */
  requestEnded = false;
  /**
   * The `Upgrade` value of an upgrade request (Http1ClientConnection.newUpgradeStream): its head
   * carries it with `connection: upgrade` and no body framing; a 101 hands the socket over.
   */
  upgrade: string | undefined = undefined;
  private method = 'GET';
  /** The socket is corked by this stream (released at the end of the body or the next tick). */
  private corked = false;
  /** Response body bytes still expected per content-length; -1 when not framed by length. */
  private remaining = -1;
  /** The request body filled the socket's write buffer; waiting for 'drain'. */
  private aboveHighWatermark = false;
  /** readDisable(true) calls not yet matched by readDisable(false). */
  private readDisables = 0;
  private callbacks: StreamCallbacks | null = null;
  private moreCallbacks: StreamCallbacks[] | null = null;

  constructor(
    private readonly owner: Http1StreamOwner,
    private readonly decoder: ResponseDecoder,
  ) {}

  get stream(): Stream {
    return this;
  }

  get bufferLimit(): number {
    return this.owner.socket?.writableHighWaterMark ?? 16384;
  }

  // ---- RequestEncoder -------------------------------------------------------------------------

  encodeHeaders(method: string, path: string, authority: string, headers: HeaderList, endStream: boolean): void {
    if (this.done || this.requestSent) return;
    if (this.refused) {
      this.runReset('remote_refused_stream_reset', 'connection not available');
      return;
    }
    const upgrade = this.upgrade;
    if (upgrade !== undefined) endStream = true;
    const head = encodeRequestHead(method, path, authority, headers, endStream, this, upgrade);
    if (head === null) {
      // Nothing was written: the connection is intact.
      this.owner.onStreamReset(this, 'local_reset', this.headError, true);
      return;
    }
    const socket = this.owner.socket;
    if (socket === null) {
      this.owner.onStreamReset(this, 'connection_termination', '', false);
      return;
    }
    this.requestSent = true;
    this.method = method;
    if (endStream) {
      this.requestEnded = true;
      socket.write(head, 'latin1');
      return;
    }
    socket.cork();
    this.corked = true;
    socket.write(head, 'latin1');
    process.nextTick(uncorkAfterTick, this);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done || !this.requestSent || this.requestEnded) return;
    const socket = this.owner.socket;
    if (socket === null) return;
    const length = chunk.length;
    if (this.bodyRemaining >= 0) {
      const left = this.bodyRemaining - length;
      if (left < 0 || (endStream && left !== 0)) {
        this.owner.onStreamReset(this, 'local_reset', LENGTH_MISMATCH, true);
        return;
      }
      this.bodyRemaining = left;
      if (length > 0) socket.write(chunk);
    } else {
      const cork = !this.corked;
      if (cork) socket.cork();
      if (length > 0) {
        socket.write(chunkHeader(length), 'latin1');
        socket.write(chunk);
        socket.write(endStream ? LAST_CHUNK_AFTER_DATA : CHUNK_END, 'latin1');
      } else if (endStream) {
        socket.write(LAST_CHUNK, 'latin1');
      }
      if (cork) socket.uncork();
    }
    if (endStream) {
      this.requestEnded = true;
      this.uncork();
    } else if (socket.writableNeedDrain && !this.aboveHighWatermark) {
      // Upstream slower than the client: tell the callbacks to stop producing until the socket
      // drains (a closure only on this slow path).
      this.aboveHighWatermark = true;
      socket.once('drain', () => {
        this.aboveHighWatermark = false;
        if (!this.done) this.forEachCallback((c) => c.onBelowWriteBufferLowWatermark?.());
      });
      this.forEachCallback((c) => c.onAboveWriteBufferHighWatermark?.());
    }
  }

  encodeTrailers(trailers: HeaderList): void {
    if (this.done || !this.requestSent || this.requestEnded) return;
    const socket = this.owner.socket;
    if (socket === null) return;
    if (this.bodyRemaining >= 0) {
      // A content-length body cannot carry trailers: they are dropped; the body must be whole.
      this.encodeData(EMPTY, true);
      return;
    }
    const end = this.owner.enableTrailers ? lastChunkWithTrailers(trailers, false) : null;
    socket.write(end ?? LAST_CHUNK, 'latin1');
    this.requestEnded = true;
    this.uncork();
  }

  /** Releases this stream's cork on the socket (end of body, or the tick after the head). */
  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.owner.socket?.uncork();
  }

  // ---- Stream ---------------------------------------------------------------------------------

  addCallbacks(callbacks: StreamCallbacks): void {
    if (this.callbacks === null) this.callbacks = callbacks;
    else if (this.callbacks !== callbacks && !this.moreCallbacks?.includes(callbacks)) (this.moreCallbacks ??= []).push(callbacks);
  }

  removeCallbacks(callbacks: StreamCallbacks): void {
    if (this.callbacks === callbacks) this.callbacks = this.moreCallbacks?.shift() ?? null;
    else if (this.moreCallbacks !== null) {
      const i = this.moreCallbacks.indexOf(callbacks);
      if (i >= 0) this.moreCallbacks.splice(i, 1);
    }
  }

  resetStream(reason: StreamResetReason): void {
    if (this.done) return;
    if (this.refused) {
      this.runReset(reason, '');
      return;
    }
    this.owner.onStreamReset(this, reason, '', true);
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    const before = this.readDisables;
    this.readDisables = disable ? before + 1 : Math.max(0, before - 1);
    if ((before === 0) !== (this.readDisables === 0)) this.owner.readDisable(disable);
  }

  /** Whether readDisable(true) is in force (the connection reads again when the stream ends). */
  get readDisabled(): boolean {
    return this.readDisables > 0;
  }

  /**
   * Marks the stream done and runs every reset callback (the connection calls it; see
   * Http1StreamOwner.onStreamReset). A no-op once done.
   */
  runReset(reason: StreamResetReason, details: string): void {
    if (this.done) return;
    this.done = true;
    this.uncork();
    this.forEachCallback((c) => c.onResetStream(reason, details));
  }

  private forEachCallback(f: (c: StreamCallbacks) => void): void {
    const first = this.callbacks;
    if (first !== null) f(first);
    const more = this.moreCallbacks;
    if (more !== null) for (const c of [...more]) f(c);
  }

  // ---- ResponseSink (from the connection's parser) ---------------------------------------------

  get bodyless(): boolean {
    return this.method === 'HEAD';
  }

  get upgradeRequest(): boolean {
    return this.upgrade !== undefined;
  }

  /**
   * The upstream switched protocols (101 to our upgrade request): the stream is done and the
   * decoder gets the head, the socket (paused, no codec listeners left) and the bytes that
   * followed the head.
   */
  onUpgraded(status: number, headers: HeaderList, socket: Socket, rest: Buffer): void {
    if (this.done) return;
    this.done = true;
    this.uncork();
    (this.decoder as UpgradeResponseDecoder).decodeUpgrade(status, headers, socket, rest);
  }

  onResponseHead(status: number, headers: HeaderList, contentLength: number, keepAlive: boolean): void {
    if (!keepAlive) this.owner.closeAfterResponse = true;
    if (this.done) return;
    const endStream = this.method === 'HEAD' || status === 204 || status === 304 || contentLength === 0;
    // A body framed by content-length ends with the chunk that completes it: the decoder gets
    // that chunk with endStream, so the downstream response goes out in one write.
    this.remaining = endStream ? -1 : contentLength;
    if (endStream) this.complete();
    this.decoder.decodeHeaders(status, headers, endStream);
  }

  onResponseBody(chunk: Buffer): void {
    if (this.done) return;
    const remaining = this.remaining;
    if (remaining > 0) {
      const left = remaining - chunk.length;
      this.remaining = left;
      if (left <= 0) {
        this.complete();
        this.decoder.decodeData(chunk, true);
        return;
      }
    }
    this.decoder.decodeData(chunk, false);
  }

  onResponseComplete(trailers: HeaderList | null): void {
    if (this.done) return;
    this.complete();
    if (trailers !== null) this.decoder.decodeTrailers(trailers);
    else this.decoder.decodeData(EMPTY, true);
  }

  /** The decoder is about to hear the end of the response: the connection is told first. */
  private complete(): void {
    this.done = true;
    // A response that beat its request body leaves the request framing unfinished.
    if (!this.requestEnded) this.owner.closeAfterResponse = true;
    this.uncork();
    this.owner.onStreamComplete(this);
  }
}
