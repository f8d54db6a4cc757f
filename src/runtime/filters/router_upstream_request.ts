/**
 * One attempt of the router to send the request upstream (Envoy's Router::UpstreamRequest): it
 * asks the host's pool for a stream, sends the headers and body the router hands it, relays the
 * response back to the router, and owns the per-try timeout. A new object per attempt, so a late
 * callback from an abandoned attempt (reset, retried, timed out) is recognized and dropped.
 *
 * Re-entrancy: `HttpConnPool.newStream` may call onPoolReady/onPoolFailure synchronously from
 * inside `start()`; everything here tolerates that. `resetStream()` may be called at any time
 * (also from inside a decoder callback); after it, no callback reaches the router.
 */
import type {
  Cancellable,
  HeaderList,
  HttpConnPool,
  PoolCallbacks,
  PoolFailureReason,
  RequestEncoder,
  ResponseDecoder,
  StreamResetReason,
  UpstreamHostDescription,
} from '../upstream/types.js';
import { fromPoolFailureReason, fromStreamResetReason, type EnvoyResetReason } from '../http/local_reply.js';

/** What an UpstreamRequest reports to its router. */
export interface UpstreamRequestOwner {
  onUpstreamReady(req: UpstreamRequest, host: UpstreamHostDescription): void;
  onUpstreamHeaders(req: UpstreamRequest, status: number, headers: HeaderList, endStream: boolean): void;
  onUpstreamData(req: UpstreamRequest, chunk: Buffer, endStream: boolean): void;
  /** Response trailers: they end the response. */
  onUpstreamTrailers(req: UpstreamRequest, trailers: HeaderList): void;
  onUpstreamReset(req: UpstreamRequest, reason: EnvoyResetReason, transportFailureReason: string): void;
  onPerTryTimeout(req: UpstreamRequest): void;
  /** The upstream connection's write buffer is full (true) or drained (false). */
  onUpstreamWriteBlocked(req: UpstreamRequest, blocked: boolean): void;
}

function onPerTryTimer(req: UpstreamRequest): void {
  req.perTryTimer = undefined;
  if (!req.done) req.owner.onPerTryTimeout(req);
}

/** One attempt: pool callbacks and response decoder in one object (no closures per request). */
export class UpstreamRequest implements ResponseDecoder, PoolCallbacks {
  encoder: RequestEncoder | undefined;
  host: UpstreamHostDescription;
  /** True once reset, completed or abandoned: callbacks are ignored. */
  done = false;
  awaitingHeaders = true;
  /** Whether all request bytes were handed to the encoder. */
  encodeComplete = false;
  perTryTimer: NodeJS.Timeout | undefined;
  private cancellable: Cancellable | null = null;

  constructor(
    readonly owner: UpstreamRequestOwner,
    host: UpstreamHostDescription,
  ) {
    this.host = host;
  }

  /** Asks the pool for a stream. May call back synchronously. */
  start(pool: HttpConnPool): void {
    const c = pool.newStream(this, this);
    if (!this.done && this.encoder === undefined) this.cancellable = c;
  }

  /** Starts the per-try timeout (Envoy starts it once the downstream request is complete). */
  setupPerTryTimeout(ms: number): void {
    if (ms > 0 && this.perTryTimer === undefined && !this.done) this.perTryTimer = setTimeout(onPerTryTimer, ms, this);
  }

  /** Aborts the attempt; no more callbacks reach the router. */
  resetStream(): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    const c = this.cancellable;
    this.cancellable = null;
    if (c) c.cancel();
    const e = this.encoder;
    if (e && !this.responseComplete) e.resetStream();
  }

  /** The response finished: the attempt is over without a reset. */
  markComplete(): void {
    this.done = true;
    this.clearTimer();
  }

  private responseComplete = false;

  private clearTimer(): void {
    if (this.perTryTimer) {
      clearTimeout(this.perTryTimer);
      this.perTryTimer = undefined;
    }
  }

  // --- PoolCallbacks -----------------------------------------------------------------------------

  onPoolReady(encoder: RequestEncoder, host: UpstreamHostDescription): void {
    this.cancellable = null;
    if (this.done) {
      encoder.resetStream();
      return;
    }
    this.encoder = encoder;
    this.host = host;
    this.owner.onUpstreamReady(this, host);
  }

  onPoolFailure(reason: PoolFailureReason, transportFailureReason: string, host: UpstreamHostDescription): void {
    this.cancellable = null;
    if (this.done) return;
    this.host = host;
    this.done = true;
    this.clearTimer();
    this.owner.onUpstreamReset(this, fromPoolFailureReason(reason), transportFailureReason ?? '');
  }

  // --- ResponseDecoder ---------------------------------------------------------------------------

  onHeaders(status: number, headers: HeaderList, endStream: boolean): void {
    if (this.done) return;
    if (status === 100) return; // 100-continue from upstream: Envoy swallows it (proxy_100_continue false).
    this.awaitingHeaders = false;
    if (endStream) {
      this.responseComplete = true;
      this.markComplete();
    }
    this.owner.onUpstreamHeaders(this, status, headers, endStream);
  }

  onData(chunk: Buffer, endStream: boolean): void {
    if (this.done) return;
    if (endStream) {
      this.responseComplete = true;
      this.markComplete();
    }
    this.owner.onUpstreamData(this, chunk, endStream);
  }

  onTrailers(trailers: HeaderList): void {
    if (this.done) return;
    this.responseComplete = true;
    this.markComplete();
    this.owner.onUpstreamTrailers(this, trailers);
  }

  onAboveWriteBufferHighWatermark(): void {
    if (!this.done) this.owner.onUpstreamWriteBlocked(this, true);
  }

  onBelowWriteBufferLowWatermark(): void {
    if (!this.done) this.owner.onUpstreamWriteBlocked(this, false);
  }

  onReset(reason: StreamResetReason, transportFailureReason?: string): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    this.owner.onUpstreamReset(this, fromStreamResetReason(reason), transportFailureReason ?? '');
  }
}
