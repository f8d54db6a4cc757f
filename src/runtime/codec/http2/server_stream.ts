/**
 * One downstream HTTP/2 stream (Envoy's Http2::ServerStreamImpl): the ResponseEncoder and Stream
 * the connection manager answers with, fed from a node:http2 ServerHttp2Stream. Listeners are
 * module functions that find the stream object on the node stream (no closures per request).
 *
 * Request side: `decodeHeaders` (done by the connection, server_codec.ts), then `decodeData`
 * per DATA chunk, and the end as `decodeData(empty, true)` or `decodeTrailers`. A request that
 * ended with its HEADERS frame gets no body listeners at all.
 * Response side: a head without END_STREAM is held until the body's first call in the same
 * tick (or the next tick): if that call ends the body, the head goes without node's
 * waitForTrailers; else see stream_io.ts for how ends and trailers go out.
 * The node stream's 'close' completes the stream, or reports a reset: `remote_reset`
 * (`http2.rx_reset`), `remote_refused_stream_reset` (REFUSED_STREAM), or
 * `connection_termination` when the session went away under it.
 */
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { DownstreamTunnel, HeaderList, RequestDecoder, ResponseEncoder, ResponseHeaderMap, Stream, StreamCallbacks, StreamResetReason } from '../types.js';
import { headerListFromRaw, responseHeadersForNode } from './headers.js';
import { EMPTY, H2Error, H2StreamIo } from './stream_io.js';
import type { Http2CodecStats } from './stats.js';
import { flushHeadNextTick } from '../held_heads.js';

/** What a stream needs from its connection (server_codec.ts). */
export interface ServerStreamOwner {
  readonly stats: Http2CodecStats;
  /** The session is going away: a stream closing now was terminated with the connection. */
  readonly terminating: boolean;
  readonly streamErrorOnInvalidHttpMessaging: boolean;
  /** The stream completed or was reset; `responded` when a final response head was sent. */
  onStreamDone(stream: Http2ServerStream, responded: boolean): void;
}

const kStream = Symbol('tsproxy.h2ServerStream');
type Tagged = ServerHttp2Stream & { [kStream]?: Http2ServerStream };

function onData(this: Tagged, chunk: Buffer): void {
  this[kStream]!.onData(chunk);
}
function onEnd(this: Tagged): void {
  this[kStream]!.onEnd();
}
function onTrailers(this: Tagged, _h: unknown, _flags: number, raw: string[]): void {
  this[kStream]!.onTrailers(raw);
}
function onClose(this: Tagged): void {
  this[kStream]!.onClose();
}
function onError(): void {
  // 'close' follows and reports the reset.
}

export class Http2ServerStream implements ResponseEncoder, Stream {
  decoder: RequestDecoder | undefined;
  /** The request ended (END_STREAM or trailers). */
  remoteEnded = false;
  /** A final (non-1xx) response head was sent (or is held, see encodeHeaders). */
  responded = false;
  /**
   * A CONNECT stream (server_codec.ts): the extended CONNECT's `:protocol`, or 'CONNECT'. Its
   * DATA frames are not read until it becomes a tunnel.
   */
  upgrade: string | undefined = undefined;
  /** The stream is a tunnel (switchToTunnel): its node stream is the tunnel's. */
  private tunnelling = false;
  /**
   * A response head not submitted yet: held until the body's first call in the same tick (or the
   * next tick), so a response whose body ends at once leaves as HEADERS + DATA(END_STREAM)
   * without node's waitForTrailers (whose end is an extra empty DATA frame).
   */
  private pendingHead: OutgoingHttpHeaders | undefined;
  readonly io: H2StreamIo;

  constructor(
    private readonly owner: ServerStreamOwner,
    readonly h2: ServerHttp2Stream,
    /** Monotonic ms when the stream started (premature-reset lifetimes). */
    readonly startedAt: number,
  ) {
    this.io = new H2StreamIo(owner.stats);
    this.io.attach(h2);
    (h2 as Tagged)[kStream] = this;
    h2.on('close', onClose);
    h2.on('error', onError);
  }

  get stream(): Stream {
    return this;
  }

  get streamErrorOnInvalidHttpMessage(): boolean {
    return this.owner.streamErrorOnInvalidHttpMessaging;
  }

  get bufferLimit(): number {
    return this.io.bufferLimit;
  }

  /** Starts delivering the request body (the head did not end the request). */
  readBody(): void {
    const h2 = this.h2;
    h2.on('data', onData);
    h2.on('trailers', onTrailers);
    h2.on('end', onEnd);
  }

  // ---- request --------------------------------------------------------------------------------

  onData(chunk: Buffer): void {
    if (!this.io.done) this.decoder!.decodeData(chunk, false);
  }

  onTrailers(raw: string[]): void {
    this.owner.stats.trailers.inc();
    this.remoteEnded = true;
    if (!this.io.done) this.decoder!.decodeTrailers(headerListFromRaw(raw));
  }

  onEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    if (!this.io.done) this.decoder!.decodeData(EMPTY, true);
  }

  // ---- response -------------------------------------------------------------------------------

  encode1xxHeaders(headers: ResponseHeaderMap): void {
    if (this.io.done || this.responded || this.h2.destroyed) return;
    const out = responseHeadersForNode(headers);
    if (out === undefined) return;
    try {
      this.h2.additionalHeaders(out);
    } catch {
      // An interim response that cannot be sent is dropped; the final one still goes.
    }
  }

  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): boolean {
    const h2 = this.h2;
    // The peer reset the stream a moment ago: 'close' is queued and will report it.
    if (this.io.done || this.responded || h2.destroyed || h2.closed) return true;
    const out = responseHeadersForNode(headers);
    if (out === undefined) return false;
    if (endStream) {
      try {
        h2.respond(out, { endStream: true });
      } catch {
        return false;
      }
      this.io.localEnded = true;
    } else {
      this.pendingHead = out;
      flushHeadNextTick(this);
    }
    this.responded = true;
    return true;
  }

  /** Submits a held head; trailers may follow (waitForTrailers). */
  flushHead(): void {
    const head = this.pendingHead;
    if (head === undefined) return;
    this.pendingHead = undefined;
    const h2 = this.h2;
    if (this.io.done || h2.destroyed || h2.closed) return;
    try {
      h2.respond(head, { waitForTrailers: true });
    } catch {
      this.resetStream('local_reset');
      return;
    }
    this.io.expectTrailers();
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    const head = this.pendingHead;
    if (head !== undefined) {
      if (!endStream) this.flushHead();
      else {
        // The whole body is here: no trailers can follow.
        this.pendingHead = undefined;
        const h2 = this.h2;
        if (this.io.done || h2.destroyed || h2.closed) return;
        try {
          h2.respond(head, chunk.length === 0 ? { endStream: true } : undefined);
        } catch {
          this.resetStream('local_reset');
          return;
        }
        if (chunk.length === 0) {
          this.io.localEnded = true;
          return;
        }
      }
    }
    this.io.write(chunk, endStream);
  }

  encodeTrailers(trailers: HeaderList): void {
    this.flushHead();
    this.io.sendTrailers(trailers);
  }

  /**
   * The upgrade was let through and the upstream agreed (101, or a CONNECT's 200): the response
   * head goes out without END_STREAM (a 101 becomes 200, Envoy's
   * transformUpgradeResponseFromH1toH2; connection-specific headers are dropped) and the node
   * stream is handed over: its DATA frames both ways are the tunnel's bytes, its END_STREAM a
   * half-close, its RST_STREAM a reset. The stream completes when the node stream closes.
   */
  switchToTunnel(headers: ResponseHeaderMap): DownstreamTunnel | undefined {
    const h2 = this.h2;
    if (this.upgrade === undefined || this.io.done || this.responded || h2.destroyed || h2.closed) return undefined;
    const h = headers.headers;
    const out = responseHeadersForNode({
      status: headers.status === 101 ? 200 : headers.status,
      // nghttp2 refuses a content-length on a tunnel's response: a `0` is dropped, as Envoy.
      headers: h['content-length'] === '0' ? { ...h, 'content-length': undefined } : h,
    });
    if (out === undefined) return undefined;
    try {
      h2.respond(out);
    } catch {
      return undefined;
    }
    this.responded = true;
    this.tunnelling = true;
    // No more encoder or reset callbacks: the tunnel watches the node stream itself.
    this.io.complete();
    return { socket: h2, head: EMPTY };
  }

  // ---- Stream ---------------------------------------------------------------------------------

  addCallbacks(callbacks: StreamCallbacks): void {
    this.io.addCallbacks(callbacks);
  }

  removeCallbacks(callbacks: StreamCallbacks): void {
    this.io.removeCallbacks(callbacks);
  }

  readDisable(disable: boolean): void {
    this.io.readDisable(disable);
  }

  resetStream(reason: StreamResetReason): void {
    if (this.io.done) return;
    this.pendingHead = undefined;
    this.io.sendReset(reason);
    this.io.runReset(reason, '');
    this.owner.onStreamDone(this, this.responded);
  }

  /** Refuses the stream before it reached the connection manager (RST_STREAM with `code`). */
  refuse(code: number): void {
    this.io.complete();
    this.owner.stats.tx_reset.inc();
    this.h2.close(code);
  }

  /** The connection went away: reset with connection_termination (no frame is sent). */
  terminate(): void {
    if (this.io.done) return;
    this.io.runReset('connection_termination', '');
    this.owner.onStreamDone(this, this.responded);
  }

  onClose(): void {
    const io = this.io;
    if (this.tunnelling) {
      this.owner.onStreamDone(this, true);
      return;
    }
    if (io.done) return;
    const code = this.h2.rstCode ?? H2Error.NO_ERROR;
    if (this.owner.terminating) {
      this.terminate();
      return;
    }
    // A refused upgrade's request side is never read: its response ending ends the stream.
    if (code === H2Error.NO_ERROR && io.localEnded && (this.remoteEnded || this.upgrade !== undefined)) {
      io.complete();
      this.owner.onStreamDone(this, this.responded);
      return;
    }
    // The peer reset the stream (or nghttp2 did, for a request breaking HTTP messaging after
    // its head: node:http2 does not say which side sent the RST_STREAM).
    this.owner.stats.rx_reset.inc();
    io.runReset(code === H2Error.REFUSED_STREAM ? 'remote_refused_stream_reset' : 'remote_reset', `rst_stream code ${code}`);
    this.owner.onStreamDone(this, this.responded);
  }
}
