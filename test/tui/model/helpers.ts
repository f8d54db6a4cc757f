/** Hand-built admin samples for the model tests. Tests only. */
import type { ClusterInfo } from '../../../src/tui/model/clusters.js';
import type { AdminSample } from '../../../src/tui/model/sample.js';
import type { HistogramQuantiles } from '../../../src/tui/model/stats_sample.js';

/** Envoy's supported_quantiles. */
export const SUPPORTED = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100];

export function sample(atMs: number, values: Record<string, number>, extra: { histograms?: Record<string, HistogramQuantiles>; clusters?: ClusterInfo[] } = {}): AdminSample {
  const s: AdminSample = { atMs, stats: { values: new Map(Object.entries(values)), histograms: new Map(Object.entries(extra.histograms ?? {})) } };
  return extra.clusters ? { ...s, clusters: extra.clusters } : s;
}

export function cluster(name: string, hosts: [healthy: number, total: number] = [1, 1]): ClusterInfo {
  return { name, statName: name, hostsHealthy: hosts[0], hostsDegraded: 0, hostsTotal: hosts[1], addedViaApi: false };
}
