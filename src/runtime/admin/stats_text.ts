/**
 * `/stats` as text and JSON (Envoy's StatsTextRender / StatsJsonRender): counters and gauges
 * together sorted by name (`name: value`), then histograms sorted by name — quantiles
 * `P0(interval,cumulative) P25(...) ... P100(...)`, or with `histogram_buckets` the bucket
 * counts `B0.5(interval,cumulative) ...`; `No recorded values` before the first merge with data.
 */
import type { Histogram } from '../stats/histogram.js';
import type { StatsStore } from '../stats/store.js';
import { fmtG, fmtShortest, fmtSixDigits } from './number_format.js';
import { shouldShow, type StatsParams } from './stats_params.js';

const QUANTILE_LABELS = ['0', '25', '50', '75', '90', '95', '99', '99.5', '99.9', '100'];

interface Selected {
  scalars: Array<[string, number]>;
  histograms: Histogram[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function select(store: StatsStore, p: StatsParams): Selected {
  const scalars: Array<[string, number]> = [];
  if (p.type === 'All' || p.type === 'Counters') {
    for (const c of store.counters.values()) if (shouldShow(p, c.name, c.used)) scalars.push([c.name, c.value]);
  }
  if (p.type === 'All' || p.type === 'Gauges') {
    for (const g of store.gauges.values()) if (shouldShow(p, g.name, g.used)) scalars.push([g.name, g.value]);
  }
  scalars.sort((a, b) => byName(a[0], b[0]));
  const histograms: Histogram[] = [];
  if (p.type === 'All' || p.type === 'Histograms') {
    for (const h of store.histograms.values()) if (shouldShow(p, h.name, h.used)) histograms.push(h);
  }
  histograms.sort((a, b) => byName(a.name, b.name));
  return { scalars, histograms };
}

/** ParentHistogramImpl::quantileSummary. */
export function quantileSummary(h: Histogram): string {
  if (!h.used) return 'No recorded values';
  const iv = h.intervalStatistics.computedQuantiles();
  const cu = h.cumulativeStatistics.computedQuantiles();
  return QUANTILE_LABELS.map((l, i) => `P${l}(${fmtShortest(iv[i]!)},${fmtShortest(cu[i]!)})`).join(' ');
}

function bucketSummary(h: Histogram, disjoint: boolean): string {
  if (!h.used) return 'No recorded values';
  const iv = disjoint ? h.intervalStatistics.computeDisjointBuckets() : h.intervalStatistics.computedBuckets();
  const cu = disjoint ? h.cumulativeStatistics.computeDisjointBuckets() : h.cumulativeStatistics.computedBuckets();
  return h.supportedBuckets.map((b, i) => `B${fmtG(b)}(${iv[i]},${cu[i]})`).join(' ');
}

export function statsAsText(store: StatsStore, p: StatsParams): string {
  const { scalars, histograms } = select(store, p);
  let out = '';
  for (const [name, value] of scalars) out += `${name}: ${value}\n`;
  for (const h of histograms) {
    const summary = p.histogramBuckets === 'none' ? quantileSummary(h) : bucketSummary(h, p.histogramBuckets === 'disjoint');
    out += `${h.name}: ${summary}\n`;
  }
  return out;
}

export function statsAsJson(store: StatsStore, p: StatsParams): string {
  const { scalars, histograms } = select(store, p);
  const stats: unknown[] = scalars.map(([name, value]) => ({ name, value }));
  if (histograms.length > 0) {
    if (p.histogramBuckets === 'none') {
      stats.push({
        histograms: {
          supported_quantiles: [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100],
          computed_quantiles: histograms.map((h) => {
            const iv = h.intervalStatistics.computedQuantiles();
            const cu = h.cumulativeStatistics.computedQuantiles();
            return { name: h.name, values: cu.map((c, i) => ({ cumulative: fmtSixDigits(c), interval: fmtSixDigits(iv[i]!) })) };
          }),
        },
      });
    } else {
      const disjoint = p.histogramBuckets === 'disjoint';
      stats.push({
        histograms: histograms.map((h) => {
          const iv = disjoint ? h.intervalStatistics.computeDisjointBuckets() : h.intervalStatistics.computedBuckets();
          const cu = disjoint ? h.cumulativeStatistics.computeDisjointBuckets() : h.cumulativeStatistics.computedBuckets();
          return { name: h.name, buckets: h.supportedBuckets.map((b, i) => ({ upper_bound: b, interval: iv[i], cumulative: cu[i] })) };
        }),
      });
    }
  }
  return JSON.stringify({ stats });
}
