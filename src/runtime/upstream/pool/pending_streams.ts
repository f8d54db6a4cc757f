/**
 * The streams a host's connection pool could not serve at once (Envoy's ConnPoolImplBase
 * `pending_streams_`): kept in arrival order until a connection has a free slot, each counted in
 * `upstream_rq_pending_total` / `upstream_rq_pending_active` and in the cluster's
 * max_pending_requests circuit breaker while it waits. The pool (conn_pool_base.ts) decides when
 * to queue and what to do with the stream it takes out; this queue keeps the counts right.
 */
import type { Host } from '../host.js';
import type { Cancellable, PoolCallbacks, PoolFailureReason, ResponseDecoder } from '../types.js';
import type { PoolStream } from './pool_stream.js';
import type { PoolContext } from './pool_types.js';

/** A queued request waiting for a free stream slot (Envoy's PendingStream). */
export class PendingStream implements Cancellable {
  constructor(
    private readonly queue: PendingStreams,
    readonly decoder: ResponseDecoder,
    /** The router's callbacks; null for a replay. */
    readonly callbacks: PoolCallbacks | null,
    /** A refused stream waiting to be replayed (no router callbacks: it is already attached). */
    readonly replay: PoolStream | null,
  ) {}

  /** The router gave up waiting (`upstream_rq_cancelled`). */
  cancel(): void {
    this.queue.remove(this, true);
  }
}

/** One pool's pending streams, oldest first. */
export class PendingStreams {
  private readonly list: PendingStream[] = [];

  constructor(private readonly ctx: PoolContext) {}

  get length(): number {
    return this.list.length;
  }

  /** Queues a stream (the caller checked the max_pending_requests breaker) and counts it. */
  add(decoder: ResponseDecoder, callbacks: PoolCallbacks | null, replay: PoolStream | null): PendingStream {
    const p = new PendingStream(this, decoder, callbacks, replay);
    const { stats, resources } = this.ctx;
    this.list.push(p);
    stats.upstream_rq_pending_total.inc();
    stats.upstream_rq_pending_active.inc();
    resources.pendingRequests.inc();
    return p;
  }

  /** Takes the oldest stream out of the queue (no longer counted as pending), or undefined. */
  shift(): PendingStream | undefined {
    const p = this.list.shift();
    if (p !== undefined) this.release();
    return p;
  }

  /** Takes `p` out, if still queued; `cancelled`: the router cancelled it (`upstream_rq_cancelled`). */
  remove(p: PendingStream, cancelled: boolean): void {
    const i = this.list.indexOf(p);
    if (i < 0) return;
    this.list.splice(i, 1);
    this.release();
    if (cancelled) this.ctx.stats.upstream_rq_cancelled.inc();
  }

  /**
   * Fails every pending stream (Envoy's purgePendingStreams): the router's `onPoolFailure(reason,
   * transportFailureReason, host)`, or the replay's failure. `ejected`: a connect failure, counted
   * in `upstream_rq_pending_failure_eject`. The queue is emptied first, so a callback that asks
   * the pool for a new stream is queued anew, not failed by this same call.
   */
  purge(reason: PoolFailureReason, transportFailureReason: string, host: Host, ejected: boolean): void {
    const failed = this.list.splice(0, this.list.length);
    for (const p of failed) {
      this.release();
      if (ejected) this.ctx.stats.upstream_rq_pending_failure_eject.inc();
      if (p.replay !== null) p.replay.failReplay(transportFailureReason);
      else p.callbacks!.onPoolFailure(reason, transportFailureReason, host);
    }
  }

  private release(): void {
    this.ctx.stats.upstream_rq_pending_active.dec();
    this.ctx.resources.pendingRequests.dec();
  }
}
