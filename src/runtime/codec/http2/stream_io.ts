/**
 * What the server and client HTTP/2 streams share over one node:http2 Http2Stream: the stream
 * callbacks, readDisable (counted, Envoy's read_disable_count), the outbound body with its
 * write-buffer watermarks, and trailers. Held by each stream object (composition, no base
 * class). Listeners are module functions that find this object on the node stream (no closures
 * per stream).
 *
 * Outbound ends: a message whose head went out without END_STREAM is sent with node:http2's
 * `waitForTrailers`, since trailers may follow; when the body ends without trailers an empty
 * DATA frame carries END_STREAM (node sends empty trailers that way, as Envoy does for empty
 * trailers). A head-only message is one HEADERS frame with END_STREAM (gRPC trailers-only).
 */
import type { Http2Stream, OutgoingHttpHeaders } from 'node:http2';
import type { HeaderList, StreamCallbacks, StreamResetReason } from '../types.js';
import { headerListForNode } from './headers.js';
import type { Http2CodecStats } from './stats.js';

export const EMPTY = Buffer.alloc(0);
const NO_TRAILERS: OutgoingHttpHeaders = Object.freeze({}) as OutgoingHttpHeaders;

/** RFC 9113 error codes used here. */
export const H2Error = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, REFUSED_STREAM: 7, CANCEL: 8, CONNECT_ERROR: 10, ENHANCE_YOUR_CALM: 11 } as const;

/** The RST_STREAM code for a local reset (Envoy's reasonToReset: NO_ERROR unless refused / connect). */
export function rstCodeFor(reason: StreamResetReason): number {
  if (reason === 'local_refused_stream_reset') return H2Error.REFUSED_STREAM;
  if (reason === 'connect_error') return H2Error.CONNECT_ERROR;
  return H2Error.NO_ERROR;
}

const kIo = Symbol('tsproxy.h2StreamIo');
type Tagged = Http2Stream & { [kIo]?: H2StreamIo };

function onWantTrailers(this: Tagged): void {
  this[kIo]!.onWantTrailers();
}
function onDrain(this: Tagged): void {
  this[kIo]!.onDrain();
}

export class H2StreamIo {
  h2: Http2Stream | undefined;
  /** The stream completed or was reset: no more callbacks. */
  done = false;
  /** Our side ended (END_STREAM submitted, or trailers). */
  localEnded = false;
  private readonly callbacks: StreamCallbacks[] = [];
  private readDisableCount = 0;
  private trailers: OutgoingHttpHeaders | undefined;
  private aboveHighWatermark = false;
  private pendingBytes = 0;

  constructor(private readonly stats: Http2CodecStats) {}

  /** Binds the node stream (at once for server streams, at encodeHeaders for client streams). */
  attach(h2: Http2Stream): void {
    this.h2 = h2;
    (h2 as Tagged)[kIo] = this;
    if (this.readDisableCount > 0) h2.pause();
  }

  /** Registers for 'wantTrailers': the head went out without END_STREAM. */
  expectTrailers(): void {
    this.h2!.on('wantTrailers', onWantTrailers);
  }

  addCallbacks(cb: StreamCallbacks): void {
    if (!this.callbacks.includes(cb)) this.callbacks.push(cb);
  }

  removeCallbacks(cb: StreamCallbacks): void {
    const i = this.callbacks.indexOf(cb);
    if (i !== -1) this.callbacks.splice(i, 1);
  }

  /** Marks the stream done and runs the reset callbacks (once). */
  runReset(reason: StreamResetReason, details: string): void {
    this.done = true;
    this.releasePending();
    const cbs = this.callbacks.slice();
    for (let i = 0; i < cbs.length; i++) cbs[i]!.onResetStream(reason, details);
  }

  /** Marks the stream complete (no callbacks). */
  complete(): void {
    this.done = true;
    this.releasePending();
  }

  readDisable(disable: boolean): void {
    if (disable) {
      if (this.readDisableCount++ === 0 && !this.done) this.h2?.pause();
    } else if (this.readDisableCount > 0 && --this.readDisableCount === 0 && !this.done) {
      this.h2?.resume();
    }
  }

  get bufferLimit(): number {
    return this.h2?.writableHighWaterMark ?? 65536;
  }

  /** Writes a body chunk; `endStream` ends our side (then trailers are not sent). */
  write(chunk: Buffer, endStream: boolean): void {
    const h2 = this.h2;
    if (h2 === undefined || this.done || this.localEnded || h2.destroyed) return;
    const n = chunk.length;
    if (endStream) {
      this.localEnded = true;
      if (n > 0) h2.end(chunk);
      else h2.end();
      this.account();
      return;
    }
    if (n === 0) return;
    const ok = h2.write(chunk);
    this.account();
    if (!ok && !this.aboveHighWatermark) {
      this.aboveHighWatermark = true;
      h2.once('drain', onDrain);
      const cbs = this.callbacks.slice();
      for (let i = 0; i < cbs.length; i++) cbs[i]!.onAboveWriteBufferHighWatermark?.();
    }
  }

  /** Sends trailers (ending our side) once the body is flushed. */
  sendTrailers(list: HeaderList): void {
    const h2 = this.h2;
    if (h2 === undefined || this.done || this.localEnded || h2.destroyed) return;
    this.localEnded = true;
    this.trailers = headerListForNode(list);
    h2.end();
  }

  onWantTrailers(): void {
    const h2 = this.h2!;
    if (h2.destroyed) return;
    try {
      h2.sendTrailers(this.trailers ?? NO_TRAILERS);
    } catch {
      // An invalid trailer (a filter wrote a bad value): end the stream without it.
      h2.close(H2Error.INTERNAL_ERROR);
    }
  }

  onDrain(): void {
    this.aboveHighWatermark = false;
    if (this.done) return;
    this.account();
    const cbs = this.callbacks.slice();
    for (let i = 0; i < cbs.length; i++) cbs[i]!.onBelowWriteBufferLowWatermark?.();
  }

  /**
   * `http2.pending_send_bytes`: what node still holds for this stream (not yet taken by nghttp2,
   * e.g. waiting for flow-control window), sampled at each write and drain (no per-write
   * callback), released when the stream ends.
   */
  private account(): void {
    const now = this.h2!.writableLength;
    if (now !== this.pendingBytes) {
      this.stats.pending_send_bytes.inc(now - this.pendingBytes);
      this.pendingBytes = now;
    }
  }

  private releasePending(): void {
    if (this.pendingBytes > 0) {
      this.stats.pending_send_bytes.dec(this.pendingBytes);
      this.pendingBytes = 0;
    }
  }

  /** Sends RST_STREAM with the code for `reason` (node defers a NO_ERROR reset until the body flushed). */
  sendReset(reason: StreamResetReason): void {
    const h2 = this.h2;
    if (h2 === undefined || h2.destroyed || h2.closed) return;
    this.stats.tx_reset.inc();
    h2.close(rstCodeFor(reason));
  }
}
