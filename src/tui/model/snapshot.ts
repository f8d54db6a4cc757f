/**
 * One snapshot of a {@link TopView} as text (what `tsproxy top` prints when stdout is not a
 * terminal, or with `--once`) and as JSON (`--json`). The text uses the dashboard's own table
 * layout, so a snapshot reads like a frame of the live view.
 */
import { fmtRate } from './format.js';
import { EMPTY_HISTORY, type History } from './history.js';
import { topFlags, type FlagReading } from './response_flags.js';
import { shortUptime, shortVersion } from './server_info.js';
import { CLUSTER_COLUMNS, DOWNSTREAM_COLUMNS, formatTableLine, layoutTable, sortRows } from './table.js';
import type { ClusterRow, DownstreamRow, TopView } from './view.js';

/** The title line: what is polled, its version/state/uptime, and the window the rates cover. */
export function titleLine(view: TopView, admin: string): string {
  const parts = [`tsproxy top  ${admin}`];
  if (view.server) {
    const s = view.server;
    const bits = [s.version ? shortVersion(s.version) : '', s.state, s.uptime ? `up ${shortUptime(s.uptime)}` : ''].filter((b) => b !== '');
    if (bits.length > 0) parts.push(bits.join(' '));
  }
  parts.push(view.seconds === null ? 'first poll: no rates yet' : `rates over ${view.seconds.toFixed(1)}s`);
  return parts.join('  |  ');
}

/** `rps 418  5xx/s 2.0  cx 12  rq 3`: the totals line (sparklines are the live view's). */
export function totalsLine(view: TopView): string {
  const t = view.totals;
  return `downstream  rps ${fmtRate(t.rps)}  5xx/s ${fmtRate(t.errorsPerS)}  cx ${t.cxActive}  rq ${t.rqActive}`;
}

/** `UH  3.0/s  (412 total)  no healthy host in the cluster (503)  mostly cluster.web`. */
export function flagLine(r: FlagReading): string {
  const where = r.topScope ? `  mostly ${r.source.scope === 'cluster' ? 'cluster' : 'http'}.${r.topScope}` : '';
  return `${r.source.flag.padEnd(5)} ${`${fmtRate(r.rate)}/s`.padStart(8)}  ${`(${r.total} total)`.padEnd(14)} ${r.source.meaning}${where}`;
}

/** Envoy's response flags are derived from counters; this says so wherever they are shown. */
export const FLAGS_NOTE = 'response flags (derived from counters; ? explains each)';

/** The text snapshot: title, totals, downstream and cluster tables, the busiest flags. */
export function formatSnapshotText(view: TopView, admin: string, width = 200, history: History = EMPTY_HISTORY): string {
  const out: string[] = [titleLine(view, admin), totalsLine(view), ''];
  const down = layoutTable(DOWNSTREAM_COLUMNS, width);
  out.push(formatTableLine(down, undefined, history));
  for (const r of view.downstream) out.push(formatTableLine(down, r, history));
  if (view.downstream.length === 0) out.push('(no listeners or HTTP connection managers in the stats)');
  out.push('');
  const clusters = layoutTable(CLUSTER_COLUMNS.filter((c) => c.key !== 'trend'), width);
  out.push(formatTableLine(clusters, undefined, history));
  for (const r of sortRows(view.clusters, 'rps', false)) out.push(formatTableLine(clusters, r, history));
  if (view.clusters.length === 0) out.push('(no clusters)');
  if (view.clusters.some((c) => c.p50?.window === 'cumulative' || c.p99?.window === 'cumulative')) {
    out.push("* since start: no samples in Envoy's last stats flush interval");
  }
  out.push('');
  const flags = topFlags(view.flags, view.flags.length);
  out.push(flags.length > 0 ? FLAGS_NOTE : `${FLAGS_NOTE}: none seen`);
  for (const f of flags) out.push(flagLine(f));
  return out.join('\n') + '\n';
}

/** Rates rounded to 3 decimals: a snapshot, not a measurement to re-derive. */
const r3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

function quantileJson(q: ClusterRow['p50']): { ms: number; window: string } | null {
  return q === null ? null : { ms: q.ms, window: q.window };
}

function downstreamJson(r: DownstreamRow): Record<string, unknown> {
  const common = { name: r.name, rps: r3(r.rps), errors_5xx_per_s: r3(r.errorsPerS), cx_per_s: r3(r.cxPerS), cx_active: r.cxActive };
  return r.kind === 'http' ? { ...common, rq_active: r.rqActive } : { ...common, address: r.address };
}

/**
 * The JSON snapshot (`--json`): snake_case like Envoy's own admin output, rates per second,
 * `null` where there is no figure, success rate as a 0..1 fraction, quantiles in ms with the
 * window they come from. Rates are rounded to 3 decimals.
 */
export function snapshotJson(view: TopView, admin: string): Record<string, unknown> {
  return {
    admin,
    interval_s: r3(view.seconds),
    server: view.server ? { version: view.server.version, state: view.server.state, uptime: view.server.uptime } : null,
    totals: { rps: r3(view.totals.rps), errors_5xx_per_s: r3(view.totals.errorsPerS), cx_active: view.totals.cxActive, rq_active: view.totals.rqActive },
    listeners: view.downstream.filter((r) => r.kind === 'listener').map(downstreamJson),
    http: view.downstream.filter((r) => r.kind === 'http').map(downstreamJson),
    clusters: view.clusters.map((c) => ({
      name: c.name,
      rps: r3(c.rps),
      success_rate: c.successRate === null ? null : Math.round(c.successRate * 1e6) / 1e6,
      errors_5xx_per_s: r3(c.errorsPerS),
      upstream_rq_time_p50: quantileJson(c.p50),
      upstream_rq_time_p99: quantileJson(c.p99),
      rq_active: c.rqActive,
      cx_active: c.cxActive,
      hosts: { healthy: c.hostsHealthy, degraded: c.hostsDegraded, total: c.hostsTotal },
      circuit_breakers_open: c.breakersOpen,
      outlier_ejections_active: c.ejectionsActive,
      retries_per_s: r3(c.retriesPerS),
    })),
    response_flags: view.flags.map((f) => ({
      flag: f.source.flag,
      long: f.source.long,
      meaning: f.source.meaning,
      per_s: r3(f.rate),
      total: f.total,
      top: f.topScope === undefined ? null : `${f.source.scope}.${f.topScope}`,
      derived_from: f.source.stats.map((s) => `${f.source.scope}.*.${s}`),
    })),
  };
}
