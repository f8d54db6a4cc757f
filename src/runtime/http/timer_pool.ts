/**
 * Reusable timers for the per-request timeouts on the hot path (stream_idle_timeout, the route
 * timeout). Nearly every request arms them and nearly none fires, so instead of a new
 * `setTimeout` + `clearTimeout` per request (a Timeout object, an async id, a list removal), a
 * released timer goes back to a free list per duration, still armed but unref'd and without a
 * target; arming takes one from the list and `refresh()`es it, which is exactly a new
 * `setTimeout(ms)` from now. A released timer that fires finds no target and does nothing.
 *
 * Observable behaviour is that of setTimeout/clearTimeout: the callback runs once, `ms` after
 * the last arm()/refresh(), unless released before. Armed timers keep the process alive (ref'd);
 * released ones do not. One pool per process (per worker); not re-entrant in any way that
 * matters: everything runs on the event loop thread.
 */

/** One reusable timer. Only the pool and the current owner touch it. */
export class PooledTimer {
  target: object | undefined = undefined;
  fn: ((target: never) => void) | undefined = undefined;
  readonly timer: NodeJS.Timeout;

  constructor(
    readonly pool: TimerPool,
    readonly ms: number,
  ) {
    this.timer = setTimeout(onPooledTimer, ms, this);
  }

  /** Restarts the countdown (activity on the stream). */
  refresh(): void {
    this.timer.refresh();
  }
}

function onPooledTimer(t: PooledTimer): void {
  const target = t.target;
  const fn = t.fn;
  if (target === undefined || fn === undefined) return; // released: already in the free list
  t.target = undefined;
  t.fn = undefined;
  t.pool.reclaim(t);
  (fn as (target: object) => void)(target);
}

/** Free timers kept per duration (beyond this, released timers are cleared for good). */
const MAX_FREE_PER_DURATION = 4096;

export class TimerPool {
  private readonly free = new Map<number, PooledTimer[]>();

  /** Arms a timer that calls `fn(target)` after `ms` (ms > 0). Release it with `release()`. */
  arm<T extends object>(ms: number, fn: (target: T) => void, target: T): PooledTimer {
    const list = this.free.get(ms);
    let t = list !== undefined ? list.pop() : undefined;
    if (t === undefined) {
      t = new PooledTimer(this, ms);
    } else {
      t.timer.ref();
      t.timer.refresh();
    }
    t.target = target;
    t.fn = fn as (target: never) => void;
    return t;
  }

  /** Cancels an armed timer (clearTimeout). Calling it for a timer that already fired is a no-op. */
  release(t: PooledTimer): void {
    if (t.target === undefined) return;
    t.target = undefined;
    t.fn = undefined;
    this.reclaim(t);
  }

  /** Puts a timer without target back on its free list (unref'd, possibly still counting down). */
  reclaim(t: PooledTimer): void {
    let list = this.free.get(t.ms);
    if (list === undefined) {
      list = [];
      this.free.set(t.ms, list);
    }
    if (list.length >= MAX_FREE_PER_DURATION) {
      clearTimeout(t.timer);
      return;
    }
    t.timer.unref();
    list.push(t);
  }
}

/** The process's pool (timers are per event loop, as node's own timer lists are). */
export const timerPool = new TimerPool();
