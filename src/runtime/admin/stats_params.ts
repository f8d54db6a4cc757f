/**
 * `/stats` and `/stats/prometheus` query parameters (Envoy's StatsParams): `usedonly`, `filter`
 * (RE2, partial match on the full stat name), `type` (All, Counters, Gauges, Histograms,
 * TextReadouts), `format` (text, json, prometheus), `histogram_buckets` (none, cumulative,
 * disjoint). Parse errors carry Envoy's 400 message.
 */
import { compileRegex, regexFullMatch } from '../../core/regex.js';
import type { QueryParams } from './types.js';
import { queryParam } from './query.js';

export type StatsType = 'All' | 'Counters' | 'Gauges' | 'Histograms' | 'TextReadouts';
export type StatsFormat = 'text' | 'json' | 'prometheus';
export type HistogramBucketsMode = 'none' | 'cumulative' | 'disjoint';

export interface StatsParams {
  usedOnly: boolean;
  /** Partial-match predicate on the full name, when `filter` is set. */
  filter?: (name: string) => boolean;
  type: StatsType;
  format: StatsFormat;
  histogramBuckets: HistogramBucketsMode;
}

const TYPES: readonly StatsType[] = ['All', 'Counters', 'Gauges', 'Histograms', 'TextReadouts'];

/**
 * `filter` as RE2::PartialMatch: compiled with the project's RE2 wrapper, which full-matches, so
 * the pattern is wrapped in `.*` on both sides. No program-size limit (Envoy's admin applies none).
 */
export function compilePartialMatch(pattern: string): ((name: string) => boolean) | undefined {
  if (!compileRegex(pattern, undefined, Number.MAX_SAFE_INTEGER).ok) return undefined;
  const r = compileRegex(`(?s:.*)(?:${pattern})(?s:.*)`, undefined, Number.MAX_SAFE_INTEGER);
  if (!r.ok) return undefined;
  const re = r.regex;
  return (name) => regexFullMatch(re, name);
}

/** Parses the query; `{error}` is the 400 body. */
export function parseStatsParams(q: QueryParams): StatsParams | { error: string } {
  const params: StatsParams = { usedOnly: q.has('usedonly'), type: 'All', format: 'text', histogramBuckets: 'none' };
  if (q.has('filter')) {
    const f = compilePartialMatch(q.get('filter') ?? '');
    if (!f) return { error: 'Invalid re2 regex' };
    params.filter = f;
  }
  const hb = queryParam(q, 'histogram_buckets');
  if (hb !== undefined) {
    if (hb !== 'cumulative' && hb !== 'disjoint' && hb !== 'none') return { error: 'usage: /stats?histogram_buckets=(cumulative|disjoint|none)\n' };
    params.histogramBuckets = hb;
  }
  const type = q.get('type');
  if (type !== undefined) {
    if (!TYPES.includes(type as StatsType)) return { error: 'invalid &type= param' };
    params.type = type as StatsType;
  }
  const format = queryParam(q, 'format');
  if (format !== undefined) {
    if (format !== 'text' && format !== 'json' && format !== 'prometheus') return { error: 'usage: /stats?format=(json|prometheus|text)\n\n' };
    params.format = format;
  }
  return params;
}

/** Whether a stat passes `usedonly` and `filter`. */
export function shouldShow(p: StatsParams, name: string, used: boolean): boolean {
  return (!p.usedOnly || used) && (p.filter === undefined || p.filter(name));
}
