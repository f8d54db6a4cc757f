/**
 * `/stats/prometheus` (Envoy's PrometheusStatsFormatter, source/server/admin/prometheus_stats.cc):
 * counters, then gauges, then histograms; within each, one group per tag-extracted name sorted
 * by name, each group a `# TYPE envoy_<name> <type>` line, its series sorted by full stat name,
 * and a blank line. Names are `envoy_` + the tag-extracted name with `[^a-zA-Z0-9_]` -> `_`;
 * tags are labels (`envoy_cluster_name="web"`); counters carry no `_total`; no `# HELP`.
 * Histograms print cumulative `_bucket{le="..."}` counts (`{:.32g}` bounds), `le="+Inf"`,
 * `_sum` (circllhist's approximate sum, `{:.32g}`) and `_count`.
 *
 * DEVIATION: label values are escaped (`\\`, `\"`, `\n`) as the exposition format requires;
 * Envoy writes them raw (identical for every value without those characters).
 */
import type { Histogram } from '../stats/histogram.js';
import type { Counter, Gauge, StatsStore } from '../stats/store.js';
import type { Tag, TagProducer } from '../stats/tag_extractor.js';
import { fmtG } from './number_format.js';
import { shouldShow, type StatsParams } from './stats_params.js';

/** `[^a-zA-Z0-9_]` -> `_` (Envoy's sanitizeName). */
export function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** `envoy_` + sanitized tag-extracted name. */
export function prometheusMetricName(tagExtractedName: string): string {
  return `envoy_${sanitizeName(tagExtractedName)}`;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `name="value",...` (PrometheusStatsFormatter::formattedTags). */
export function formattedTags(tags: readonly Tag[]): string {
  return tags.map((t) => `${sanitizeName(t.name)}="${escapeLabelValue(t.value)}"`).join(',');
}

/** Envoy's StatName ordering: token by token on the `.`-separated elements. */
export function compareStatNames(a: string, b: string): number {
  if (a === b) return 0;
  return compareTokens(a.split('.'), b.split('.'));
}

function compareTokens(ta: readonly string[], tb: readonly string[]): number {
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

interface Named {
  readonly name: string;
}

function outputGroups<T extends Named>(
  metrics: Iterable<T>,
  used: (m: T) => boolean,
  p: StatsParams,
  tags: TagProducer,
  type: string,
  render: (m: T, metric: string, tagText: string, tags: readonly Tag[]) => string,
): string {
  const groups = new Map<string, T[]>();
  for (const m of metrics) {
    if (!shouldShow(p, m.name, used(m))) continue;
    const t = tags.produceTags(m.name).tagExtractedName;
    let g = groups.get(t);
    if (!g) groups.set(t, (g = []));
    g.push(m);
  }
  let out = '';
  for (const name of sortByStatName([...groups.keys()], (n) => n)) {
    const metric = prometheusMetricName(name);
    out += `# TYPE ${metric} ${type}\n`;
    for (const m of sortByStatName(groups.get(name)!, (x) => x.name)) {
      const extracted = tags.produceTags(m.name);
      out += render(m, metric, formattedTags(extracted.tags), extracted.tags);
    }
    out += '\n';
  }
  return out;
}

/** Sorts by Envoy's StatName order, splitting every name once. */
function sortByStatName<T>(items: T[], name: (x: T) => string): T[] {
  if (items.length < 2) return items;
  return items
    .map((x) => ({ x, tokens: name(x).split('.') }))
    .sort((a, b) => compareTokens(a.tokens, b.tokens))
    .map((e) => e.x);
}

/** `le` label text of each bucket bound (`{:.32g}`), per bounds array. */
const leLabels = new WeakMap<readonly number[], string[]>();

function bucketLabels(bounds: readonly number[]): string[] {
  let l = leLabels.get(bounds);
  if (!l) leLabels.set(bounds, (l = bounds.map((b) => fmtG(b, 32))));
  return l;
}

function histogramLines(h: Histogram, metric: string, tagText: string, tags: readonly Tag[]): string {
  const s = h.cumulativeStatistics;
  const prefix = tags.length === 0 ? '' : `${tagText},`;
  const counts = s.computedBuckets();
  const labels = bucketLabels(h.supportedBuckets);
  let out = '';
  for (let i = 0; i < labels.length; i++) out += `${metric}_bucket{${prefix}le="${labels[i]}"} ${counts[i]}\n`;
  out += `${metric}_bucket{${prefix}le="+Inf"} ${s.sampleCount()}\n`;
  out += `${metric}_sum{${tagText}} ${fmtG(s.sampleSum(), 32)}\n`;
  out += `${metric}_count{${tagText}} ${s.sampleCount()}\n`;
  return out;
}

/** The whole exposition. */
export function statsAsPrometheus(store: StatsStore, tags: TagProducer, p: StatsParams): string {
  const scalar = (m: Counter | Gauge, metric: string, tagText: string): string => `${metric}{${tagText}} ${m.value}\n`;
  return (
    outputGroups<Counter>(store.counters.values(), (c) => c.used, p, tags, 'counter', scalar) +
    outputGroups<Gauge>(store.gauges.values(), (g) => g.used, p, tags, 'gauge', scalar) +
    outputGroups<Histogram>(store.histograms.values(), (h) => h.used, p, tags, 'histogram', histogramLines)
  );
}
