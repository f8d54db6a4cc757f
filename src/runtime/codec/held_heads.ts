/**
 * Response heads held until the next tick. Both server codecs hold a response head that is not
 * the whole response so that it leaves together with the body's first chunk when that comes in
 * the same tick (one write); a head no chunk came for is written on the next tick, by one tick
 * callback for every codec that held one. Not re-entrant beyond this: a target queued while the
 * queue is being flushed is flushed in the same pass.
 */

/** What holds a head: `flushHead()` writes it, and does nothing when there is none (any more). */
export interface HeadHolder {
  flushHead(): void;
}

const held: HeadHolder[] = [];
let scheduled = false;

function flushHeld(): void {
  scheduled = false;
  for (let i = 0; i < held.length; i++) held[i]!.flushHead();
  held.length = 0;
}

/** Calls `holder.flushHead()` on the next tick (once per call; flushHead must tolerate repeats). */
export function flushHeadNextTick(holder: HeadHolder): void {
  held.push(holder);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flushHeld);
  }
}
