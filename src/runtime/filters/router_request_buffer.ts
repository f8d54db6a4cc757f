/**
 * The downstream request on its way to the router's upstream attempts (Envoy: the router's
 * buffered request body, bounded by the 1 MiB buffer limit): the body chunks and trailers kept
 * while a retry may replay them or while the pool has not given the attempt a stream yet, and
 * written to each attempt once its stream is ready (headers, kept body, trailers). It also pauses
 * reading from the client while the request cannot move on, so that nothing piles up in memory:
 * until the pool gives a stream (once the body passed the buffer limit) and while the upstream
 * connection's write buffer is full (Envoy's upstream write watermarks).
 *
 * The router decides what to keep and when the limit is passed; this object holds the bytes and
 * the pauses. Each pause is taken and given back once (the connection counts readDisable calls).
 */
import type { HeaderList, RequestEncoder } from '../upstream/types.js';
import type { RequestHeaderMap, StreamDecoderFilterCallbacks } from '../http/filter.js';
import type { UpstreamRequest } from './router_upstream_request.js';

/** The request as one router keeps it for its attempts; created with the router's callbacks. */
export class RequestBuffer {
  private chunks: Buffer[] | undefined;
  private bytes = 0;
  /** Request trailers (they end the request), kept while a retry may replay them. */
  private trailers: HeaderList | undefined;
  /** Reading paused until the pool gives a stream (the body passed the buffer limit). */
  private pausedForStream = false;
  /** Reading paused because the upstream connection's write buffer is full. */
  private writeBlocked = false;

  /** `cb`: whose readDisable the pauses use (the stream's). */
  constructor(private readonly cb: StreamDecoderFilterCallbacks) {}

  /** Keeps a body chunk (an empty one counts for nothing); returns the bytes kept so far. */
  keep(chunk: Buffer): number {
    if (chunk.length > 0) (this.chunks ??= []).push(chunk);
    this.bytes += chunk.length;
    return this.bytes;
  }

  /** Forgets the kept body (no retry can need it any more); trailers stay. */
  dropBody(): void {
    this.chunks = undefined;
    this.bytes = 0;
  }

  /** Keeps the request trailers for the attempt that has no stream yet, and for retries. */
  keepTrailers(trailers: HeaderList): void {
    this.trailers = trailers;
  }

  /** The body passed the buffer limit before the pool gave a stream: stop reading until it does. */
  pauseUntilStream(): void {
    if (this.pausedForStream) return;
    this.pausedForStream = true;
    this.cb.readDisable(true);
  }

  /**
   * The upstream connection's write buffer of the current attempt is full (true) or drained
   * (false): reading from the client pauses or resumes.
   */
  setWriteBlocked(blocked: boolean): void {
    if (blocked === this.writeBlocked) return;
    this.writeBlocked = blocked;
    this.cb.readDisable(blocked);
  }

  /** A new attempt starts: a blocked one is gone and its drain will never be reported. */
  newAttempt(): void {
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    this.cb.readDisable(false);
  }

  /**
   * The attempt `req` has its stream (`enc`): reading resumes if it waited for it, and the
   * request goes out: `headers` (the upstream header list of `h`), the kept body, the trailers.
   * The request ends with the last of them once `downstreamEnd` (the whole request was
   * received). `keepBody`: a retry may replay the body, else it is forgotten once written. Stops
   * if the attempt is reset while being written to.
   */
  sendTo(req: UpstreamRequest, enc: RequestEncoder, h: RequestHeaderMap, headers: HeaderList, downstreamEnd: boolean, keepBody: boolean): void {
    if (this.pausedForStream) {
      this.pausedForStream = false;
      this.cb.readDisable(false);
    }
    const body = this.chunks;
    const trailers = this.trailers;
    const endAtHeaders = downstreamEnd && (body === undefined || body.length === 0) && trailers === undefined;
    enc.encodeHeaders(h.method, h.path, h.authority ?? '', headers, endAtHeaders);
    if (endAtHeaders) {
      req.encodeComplete = true;
      return;
    }
    if (body !== undefined) {
      for (let i = 0; i < body.length; i++) {
        const last = i === body.length - 1 && downstreamEnd && trailers === undefined;
        if (req.done) return;
        enc.encodeData(body[i]!, last);
      }
      if (!keepBody) this.dropBody();
      if (downstreamEnd) req.encodeComplete = true;
    }
    if (trailers !== undefined && !req.done) {
      enc.encodeTrailers?.(trailers);
      req.encodeComplete = true;
    }
  }
}
