/**
 * Bounded series of recent figures for the sparklines: total rps, total 5xx/s, and each
 * cluster's rps and 5xx/s. Immutable: {@link pushHistory} returns a new history.
 */
import type { TopView } from './view.js';

/** Samples kept per series (the widest sparkline drawn). */
export const HISTORY_LENGTH = 60;

export interface History {
  readonly rps: readonly number[];
  readonly errors: readonly number[];
  readonly clusterRps: ReadonlyMap<string, readonly number[]>;
  readonly clusterErrors: ReadonlyMap<string, readonly number[]>;
}

export const EMPTY_HISTORY: History = { rps: [], errors: [], clusterRps: new Map(), clusterErrors: new Map() };

function push(series: readonly number[] | undefined, v: number | null, max: number): readonly number[] {
  if (v === null) return series ?? [];
  const next = [...(series ?? []), v];
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * `h` with the view's figures appended (null figures, as on the first poll, add nothing).
 * Clusters no longer in the view are dropped.
 */
export function pushHistory(h: History, view: TopView, max = HISTORY_LENGTH): History {
  const clusterRps = new Map<string, readonly number[]>();
  const clusterErrors = new Map<string, readonly number[]>();
  for (const c of view.clusters) {
    clusterRps.set(c.name, push(h.clusterRps.get(c.name), c.rps, max));
    clusterErrors.set(c.name, push(h.clusterErrors.get(c.name), c.errorsPerS, max));
  }
  return {
    rps: push(h.rps, view.totals.rps, max),
    errors: push(h.errors, view.totals.errorsPerS, max),
    clusterRps,
    clusterErrors,
  };
}
