/**
 * Defers a callback until the event loop has completed one more poll phase (Node's I/O phase)
 * after the current one: a callback queued during poll phase N runs in the check phase of
 * iteration N+1, after everything poll phase N+1 delivered.
 *
 * Why (http1_conn_pool.ts): libuv stops reading a socket after a short read, so an upstream FIN
 * that arrived together with (or right behind) a response is only seen as 'end' in the next poll
 * phase. Envoy reads a socket until EAGAIN and sees such a FIN before the connection can be
 * reused; holding a released connection until the next poll phase is over gives tsproxy the same
 * guarantee. One setImmediate per loop iteration serves every item queued meanwhile (nothing
 * per item but an array push). Callbacks run in queueing order; not re-entrant beyond that (a
 * callback may queue again: it then runs one iteration later).
 */

/** Something that waits for the next poll phase to be over. */
export interface AfterNextPoll {
  onNextPollDone(): void;
}

/** Queued during the current iteration. */
let current: AfterNextPoll[] = [];
/** Queued during the previous iteration: due in this iteration's check phase. */
let due: AfterNextPoll[] = [];
let scheduled = false;

function onCheckPhase(): void {
  const run = due;
  due = current;
  current = [];
  scheduled = due.length > 0;
  if (scheduled) setImmediate(onCheckPhase);
  for (let i = 0; i < run.length; i++) run[i]!.onNextPollDone();
}

/** Calls `item.onNextPollDone()` once the next poll phase has been delivered (see module doc). */
export function afterNextPoll(item: AfterNextPoll): void {
  current.push(item);
  if (!scheduled) {
    scheduled = true;
    setImmediate(onCheckPhase);
  }
}
