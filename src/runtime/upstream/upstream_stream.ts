/**
 * One request/response exchange on an upstream HTTP/1.1 connection: the RequestEncoder the
 * router writes to, and the ResponseSink the connection's codec delivers the response to
 * (Envoy's ActiveClient stream wrapper + ResponseDecoder plumbing). One object per request
 * serves both roles, so the hot path allocates no closures and adds no listeners.
 *
 * Contract:
 * - `encodeHeaders` writes the whole head with one `socket.write` (see http1_request_head.ts for
 *   validation and framing). An invalid head calls `decoder.onReset('local_reset', why)`
 *   synchronously, writes nothing and leaves the connection reusable.
 * - A body follows as raw bytes (content-length, enforced: a mismatch resets the stream
 *   locally and the connection is not reused) or chunked. The socket is corked from the head
 *   until the end of the body or the next tick, so head and a small body leave in one write.
 * - The decoder hears `onHeaders` (endStream for HEAD, 204, 304, `content-length: 0`), then
 *   `onData`* ending with endStream — on the chunk that completes a content-length body, else
 *   an empty one — or `onTrailers`. Or `onReset` instead, at most once, never after the end.
 * - A request body the upstream does not take fast enough (the socket's write buffer over its
 *   high watermark) calls `decoder.onAboveWriteBufferHighWatermark`, then
 *   `onBelowWriteBufferLowWatermark` once it drained.
 * - After `resetStream()` the decoder hears nothing more.
 * Re-entrancy: decoder callbacks run from the codec's parser callbacks (inside `execute`).
 */
import type { ActiveClient } from './active_client.js';
import type { ResponseSink } from './http1_client_codec.js';
import {
  CHUNK_END,
  LAST_CHUNK,
  LAST_CHUNK_AFTER_DATA,
  chunkHeader,
  encodeRequestHead,
  type RequestFraming,
} from './http1_request_head.js';
import type { HeaderList, RequestEncoder, ResponseDecoder, StreamResetReason } from './types.js';

const EMPTY = Buffer.alloc(0);

/** Shown as the reset reason when the router's body disagrees with its content-length. */
const LENGTH_MISMATCH = 'request body length does not match content-length header';

function uncorkAfterTick(stream: UpstreamStream): void {
  stream.uncork();
}

/** One request/response exchange (see the module contract); the pool creates one per stream. */
export class UpstreamStream implements RequestEncoder, ResponseSink, RequestFraming {
  /** No more decoder callbacks: completed, errored or reset. */
  done = false;
  /** resetStream() was called. */
  localReset = false;
  /** The request head was written. */
  requestSent = false;
  /** RequestFraming: request body bytes still to send per content-length, -1 when chunked. */
  bodyRemaining = -1;
  /** RequestFraming: why encodeRequestHead refused the head. */
  headError = '';
  /** The whole request (head and body) was written. */
  private requestEnded = false;
  private method = 'GET';
  /** The socket is corked by this stream (released at the end of the body or the next tick). */
  private corked = false;
  /** Response body bytes still expected per content-length; -1 when not framed by length. */
  private remaining = -1;
  /** The request body filled the socket's write buffer; waiting for 'drain'. */
  private aboveHighWatermark = false;

  constructor(
    readonly client: ActiveClient,
    private readonly decoder: ResponseDecoder,
  ) {}

  // ---- RequestEncoder -------------------------------------------------------------------------

  encodeHeaders(method: string, path: string, host: string, headers: HeaderList, endStream: boolean): void {
    if (this.done || this.requestSent) return;
    const head = encodeRequestHead(method, path, host, headers, endStream, this);
    if (head === null) {
      // Nothing was written: the connection is intact and goes back to the pool.
      this.done = true;
      this.client.onStreamAbandoned(this);
      this.decoder.onReset('local_reset', this.headError);
      return;
    }
    const socket = this.client.socket;
    if (socket === null) {
      this.abort('connection_termination', '', false);
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
    const socket = this.client.socket;
    if (socket === null) return;
    const length = chunk.length;
    if (this.bodyRemaining >= 0) {
      const left = this.bodyRemaining - length;
      if (left < 0 || (endStream && left !== 0)) {
        this.abort('local_reset', LENGTH_MISMATCH, true);
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
      // Upstream slower than the client: tell the router to stop reading the downstream until
      // the socket drains (a closure only on this slow path).
      this.aboveHighWatermark = true;
      socket.once('drain', () => {
        this.aboveHighWatermark = false;
        if (!this.done) this.decoder.onBelowWriteBufferLowWatermark?.();
      });
      this.decoder.onAboveWriteBufferHighWatermark?.();
    }
  }

  readDisable(disable: boolean): void {
    if (this.done || this.client.stream !== this) return;
    this.client.readDisable(disable);
  }

  resetStream(): void {
    if (this.done) return;
    this.done = true;
    this.localReset = true;
    if (!this.requestSent) {
      // Nothing was written: the connection is intact and goes back to the pool.
      this.client.onStreamAbandoned(this);
      return;
    }
    // The pool closes the connection (a half-sent request or an unread response).
    this.client.onStreamReset(this, true);
  }

  /** Releases this stream's cork on the socket (end of body, or the tick after the head). */
  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.client.socket?.uncork();
  }

  /**
   * Fails the stream: the connection is not reused (the pool closes it), then the decoder hears
   * `onReset` unless it already has the whole response.
   */
  abort(reason: StreamResetReason, transportFailureReason: string, local: boolean): void {
    const notify = !this.done;
    this.done = true;
    this.client.onStreamReset(this, local, reason);
    if (notify) this.decoder.onReset(reason, transportFailureReason);
  }

  // ---- ResponseSink (from the connection's codec) ----------------------------------------------

  get bodyless(): boolean {
    return this.method === 'HEAD';
  }

  onResponseHead(status: number, headers: HeaderList, contentLength: number, keepAlive: boolean): void {
    if (!keepAlive) this.client.closeAfterResponse = true;
    if (this.done) return;
    const endStream = this.method === 'HEAD' || status === 204 || status === 304 || contentLength === 0;
    // A body framed by content-length ends with the chunk that completes it: the decoder gets
    // that chunk with endStream, so the downstream response goes out in one write.
    this.remaining = endStream ? -1 : contentLength;
    // Headers-only: the decoder has the whole response (llhttp completes the message next).
    if (endStream) this.done = true;
    this.decoder.onHeaders(status, headers, endStream);
  }

  onResponseBody(chunk: Buffer): void {
    if (this.done) return;
    const remaining = this.remaining;
    if (remaining > 0) {
      const left = remaining - chunk.length;
      this.remaining = left;
      if (left <= 0) {
        // llhttp completes the message right after this chunk; the pool bookkeeping waits for it.
        this.done = true;
        this.decoder.onData(chunk, true);
        return;
      }
    }
    this.decoder.onData(chunk, false);
  }

  onResponseComplete(trailers: HeaderList | null): void {
    const notify = !this.done;
    this.done = true;
    // A response that beat its request body leaves the request framing unfinished.
    if (!this.requestEnded) this.client.closeAfterResponse = true;
    this.client.onStreamComplete(this);
    if (!notify) return;
    if (trailers !== null && this.decoder.onTrailers) this.decoder.onTrailers(trailers);
    else this.decoder.onData(EMPTY, true);
  }
}
