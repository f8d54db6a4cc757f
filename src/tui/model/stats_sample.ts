/**
 * `/stats?format=json` -> {@link StatsSample}: every numeric stat by its full Envoy name, and
 * the computed quantiles of every histogram. The JSON does not say whether a number is a counter
 * or a gauge; callers know which names they read.
 */
import { AdminShapeError, isObject } from './admin_shapes.js';

/** One histogram's quantiles as Envoy computed them (ms for Envoy's `*_time` / `*_ms`). */
export interface HistogramQuantiles {
  /** Quantiles in percent, as `supported_quantiles` lists them (0, 25, 50, ..., 99.9, 100). */
  readonly supported: readonly number[];
  /** Since the last stats flush; `null` where nothing was recorded in it. */
  readonly interval: readonly (number | null)[];
  /** Since the server started; `null` where nothing was ever recorded. */
  readonly cumulative: readonly (number | null)[];
}

export interface StatsSample {
  /** Counters and gauges by full name (`cluster.web.upstream_rq_total`). */
  readonly values: ReadonlyMap<string, number>;
  readonly histograms: ReadonlyMap<string, HistogramQuantiles>;
}

const asQuantile = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Parses Envoy's `/stats?format=json` body (already `JSON.parse`d). Text readouts are skipped;
 * the bucket forms of histograms (`histogram_buckets=cumulative|disjoint`) carry no quantiles and
 * are skipped too. Throws {@link AdminShapeError} when the body is not `{"stats": [...]}`.
 */
export function parseStatsJson(json: unknown): StatsSample {
  if (!isObject(json) || !Array.isArray(json.stats)) {
    throw new AdminShapeError('/stats?format=json did not answer {"stats": [...]} (is this an Envoy admin address?)');
  }
  const values = new Map<string, number>();
  const histograms = new Map<string, HistogramQuantiles>();
  for (const entry of json.stats as unknown[]) {
    if (!isObject(entry)) continue;
    if (typeof entry.name === 'string') {
      const v = entry.value;
      if (typeof v === 'number' && Number.isFinite(v)) values.set(entry.name, v);
      continue;
    }
    const h = entry.histograms;
    if (!isObject(h) || !Array.isArray(h.supported_quantiles) || !Array.isArray(h.computed_quantiles)) continue;
    const supported = (h.supported_quantiles as unknown[]).filter((q): q is number => typeof q === 'number');
    for (const cq of h.computed_quantiles as unknown[]) {
      if (!isObject(cq) || typeof cq.name !== 'string' || !Array.isArray(cq.values)) continue;
      const interval: (number | null)[] = [];
      const cumulative: (number | null)[] = [];
      for (const pair of cq.values as unknown[]) {
        interval.push(isObject(pair) ? asQuantile(pair.interval) : null);
        cumulative.push(isObject(pair) ? asQuantile(pair.cumulative) : null);
      }
      histograms.set(cq.name, { supported, interval, cumulative });
    }
  }
  return { values, histograms };
}
