/**
 * One poll of the admin API ({@link AdminSample}) and the arithmetic between two polls: counter
 * rates and histogram quantiles. Rates need two samples; a counter that went backwards (a
 * `/reset_counters`, a restarted server) has no rate for that poll rather than a negative one.
 */
import type { ClusterInfo } from './clusters.js';
import type { ListenerInfo } from './listeners.js';
import type { ServerInfo } from './server_info.js';
import type { StatsSample } from './stats_sample.js';

export interface AdminSample {
  /** When the stats were read, ms on the poller's clock (only differences matter). */
  readonly atMs: number;
  readonly stats: StatsSample;
  /** From `/clusters?format=json`; undefined when that request failed. */
  readonly clusters?: readonly ClusterInfo[];
  /** From `/listeners?format=json`; undefined when that request failed. */
  readonly listeners?: readonly ListenerInfo[];
  /** From `/server_info`; undefined when that request failed. */
  readonly server?: ServerInfo;
}

/** A stat's value in a sample, 0 when absent (Envoy creates some stats on first use). */
export function statValue(s: AdminSample, name: string): number {
  return s.stats.values.get(name) ?? 0;
}

/**
 * How much a counter grew between two samples, or null without a previous sample or when it
 * went backwards. Absent counters count as 0.
 */
export function counterDelta(prev: AdminSample | undefined, cur: AdminSample, name: string): number | null {
  if (!prev) return null;
  const d = statValue(cur, name) - statValue(prev, name);
  return d < 0 ? null : d;
}

/** Sum of several counters' deltas; null when any is null. */
export function sumDeltas(prev: AdminSample | undefined, cur: AdminSample, names: readonly string[]): number | null {
  let total = 0;
  for (const n of names) {
    const d = counterDelta(prev, cur, n);
    if (d === null) return null;
    total += d;
  }
  return total;
}

/** Seconds between two samples, or null when there is no previous one or no time passed. */
export function elapsedSeconds(prev: AdminSample | undefined, cur: AdminSample): number | null {
  if (!prev) return null;
  const dt = (cur.atMs - prev.atMs) / 1000;
  return dt > 0 ? dt : null;
}

/** A delta over elapsed seconds; null when either is. */
export function perSecond(delta: number | null, seconds: number | null): number | null {
  return delta === null || seconds === null ? null : delta / seconds;
}

/** A quantile read from a histogram, with the window it came from. */
export interface QuantileReading {
  readonly ms: number;
  /**
   * `interval`: Envoy's last stats-flush window (recent traffic). `cumulative`: since the
   * server started, used when the interval window recorded nothing.
   */
  readonly window: 'interval' | 'cumulative';
}

/**
 * The `q`th percentile (50, 99 ...) of histogram `name`: the interval value when the last flush
 * window has one, else the cumulative value, else null (never recorded, or `q` not among
 * `supported_quantiles`).
 */
export function quantile(s: AdminSample, name: string, q: number): QuantileReading | null {
  const h = s.stats.histograms.get(name);
  if (!h) return null;
  const i = h.supported.indexOf(q);
  if (i < 0) return null;
  const interval = h.interval[i];
  if (interval !== null && interval !== undefined) return { ms: interval, window: 'interval' };
  const cumulative = h.cumulative[i];
  if (cumulative !== null && cumulative !== undefined) return { ms: cumulative, window: 'cumulative' };
  return null;
}
