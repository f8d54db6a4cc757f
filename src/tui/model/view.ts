/**
 * Two admin samples -> {@link TopView}, everything the dashboard, the text snapshot and the JSON
 * snapshot show. Pure: the same two samples always give the same view.
 *
 * How each figure is derived (docs/top.md repeats this for users):
 * - rates are counter deltas between the two samples over the seconds between them;
 * - connection manager rows read `http.<prefix>.downstream_rq_total`, `_5xx`, `downstream_cx_*`;
 * - listener rows read `listener.<key>.downstream_cx_*` and, for requests, Envoy's per-listener
 *   `listener.<key>.http.<prefix>.downstream_rq_completed` / `_5xx` (absent -> no figure);
 * - cluster rows read `cluster.<name>.upstream_rq_1xx..5xx` (rps: requests completed, local
 *   replies charged to the cluster included; `upstream_rq_total` when the admin has no class
 *   counters; success rate = 1 - 5xx / all classes), `upstream_rq_time` quantiles, `upstream_rq_active`,
 *   `upstream_cx_active`, `upstream_rq_retry`, `outlier_detection.ejections_active`, the
 *   `circuit_breakers.<priority>.*_open` gauges, and hosts from `/clusters` (or the
 *   `membership_healthy` / `membership_total` gauges when `/clusters` failed).
 */
import { clusterStatNamesFromStats, httpPrefixes, listenerKeys, perListenerHttpStats } from './scopes.js';
import { readFlags, type FlagReading } from './response_flags.js';
import { counterDelta, elapsedSeconds, perSecond, quantile, statValue, sumDeltas, type AdminSample, type QuantileReading } from './sample.js';
import type { ServerInfo } from './server_info.js';

export interface HttpRow {
  readonly kind: 'http';
  /** The connection manager's `stat_prefix`. */
  readonly name: string;
  readonly rps: number | null;
  readonly errorsPerS: number | null;
  readonly cxPerS: number | null;
  readonly cxActive: number;
  readonly rqActive: number;
}

export interface ListenerRow {
  readonly kind: 'listener';
  /** The listener's name from `/listeners`, else its stat key. */
  readonly name: string;
  readonly address: string;
  /** Null when the admin has no per-listener HTTP stats (or on the first poll). */
  readonly rps: number | null;
  readonly errorsPerS: number | null;
  readonly cxPerS: number | null;
  readonly cxActive: number;
}

export type DownstreamRow = HttpRow | ListenerRow;

/** Circuit breakers Envoy reports as open (`circuit_breakers.<priority>.<name>_open` == 1). */
export const BREAKERS = ['cx', 'cx_pool', 'rq_pending', 'rq', 'rq_retry'] as const;
export const PRIORITIES = ['default', 'high'] as const;

export interface ClusterRow {
  readonly name: string;
  readonly statName: string;
  readonly rps: number | null;
  /** 0..1 over the last poll; null when no response completed in it. */
  readonly successRate: number | null;
  readonly errorsPerS: number | null;
  readonly p50: QuantileReading | null;
  readonly p99: QuantileReading | null;
  readonly rqActive: number;
  readonly cxActive: number;
  readonly hostsHealthy: number;
  readonly hostsDegraded: number;
  readonly hostsTotal: number;
  /** `rq_pending`, `high:rq` ... (the priority is named when not default). */
  readonly breakersOpen: readonly string[];
  readonly ejectionsActive: number;
  readonly retriesPerS: number | null;
}

export interface Totals {
  /** Downstream requests per second over all connection managers (admin excluded). */
  readonly rps: number | null;
  /** Downstream 5xx responses per second. */
  readonly errorsPerS: number | null;
  readonly cxActive: number;
  readonly rqActive: number;
}

export interface TopView {
  readonly atMs: number;
  /** Seconds the rates cover; null on the first poll. */
  readonly seconds: number | null;
  readonly server?: ServerInfo;
  readonly totals: Totals;
  readonly downstream: readonly DownstreamRow[];
  readonly clusters: readonly ClusterRow[];
  /** Every flag of RESPONSE_FLAG_SOURCES, in table order. */
  readonly flags: readonly FlagReading[];
}

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

function rate(prev: AdminSample | undefined, cur: AdminSample, name: string, seconds: number | null): number | null {
  return perSecond(counterDelta(prev, cur, name), seconds);
}

function httpRow(prev: AdminSample | undefined, cur: AdminSample, prefix: string, seconds: number | null): HttpRow {
  const p = `http.${prefix}.`;
  return {
    kind: 'http',
    name: prefix,
    rps: rate(prev, cur, `${p}downstream_rq_total`, seconds),
    errorsPerS: rate(prev, cur, `${p}downstream_rq_5xx`, seconds),
    cxPerS: rate(prev, cur, `${p}downstream_cx_total`, seconds),
    cxActive: statValue(cur, `${p}downstream_cx_active`),
    rqActive: statValue(cur, `${p}downstream_rq_active`),
  };
}

function listenerRows(prev: AdminSample | undefined, cur: AdminSample, seconds: number | null): ListenerRow[] {
  const byKey = new Map<string, { name: string; address: string }>();
  for (const l of cur.listeners ?? []) for (const k of l.statKeys) byKey.set(k, { name: l.name, address: l.address });
  return listenerKeys(cur).map((key) => {
    const p = `listener.${key}.`;
    const known = byKey.get(key);
    const completed = perListenerHttpStats(cur, key, 'downstream_rq_completed');
    const fivexx = perListenerHttpStats(cur, key, 'downstream_rq_5xx');
    return {
      kind: 'listener',
      name: known?.name ?? key,
      address: known?.address ?? '',
      rps: completed.length > 0 ? perSecond(sumDeltas(prev, cur, completed), seconds) : null,
      errorsPerS: completed.length > 0 ? perSecond(sumDeltas(prev, cur, fivexx), seconds) : null,
      cxPerS: rate(prev, cur, `${p}downstream_cx_total`, seconds),
      cxActive: statValue(cur, `${p}downstream_cx_active`),
    };
  });
}

function clusterRow(
  prev: AdminSample | undefined,
  cur: AdminSample,
  c: { name: string; statName: string; hosts?: { healthy: number; degraded: number; total: number } },
  seconds: number | null,
): ClusterRow {
  const p = `cluster.${c.statName}.`;
  const classes = CLASSES.map((k) => `${p}upstream_rq_${k}`);
  const completed = sumDeltas(prev, cur, classes);
  // Requests completed: the final response of each request, local replies the router charges to
  // the cluster (UF 503, UT 504 ...) included. upstream_rq_total would miss every request that
  // never got a connection, so a cluster that is down would read as idle.
  const hasClasses = classes.some((n) => cur.stats.values.has(n));
  const errors = counterDelta(prev, cur, `${p}upstream_rq_5xx`);
  const breakersOpen: string[] = [];
  for (const prio of PRIORITIES) {
    for (const b of BREAKERS) {
      if (statValue(cur, `${p}circuit_breakers.${prio}.${b}_open`) > 0) breakersOpen.push(prio === 'default' ? b : `${prio}:${b}`);
    }
  }
  const hosts = c.hosts ?? {
    healthy: statValue(cur, `${p}membership_healthy`),
    degraded: statValue(cur, `${p}membership_degraded`),
    total: statValue(cur, `${p}membership_total`),
  };
  return {
    name: c.name,
    statName: c.statName,
    rps: hasClasses ? perSecond(completed, seconds) : rate(prev, cur, `${p}upstream_rq_total`, seconds),
    successRate: completed === null || errors === null || completed === 0 ? null : 1 - errors / completed,
    errorsPerS: perSecond(errors, seconds),
    p50: quantile(cur, `${p}upstream_rq_time`, 50),
    p99: quantile(cur, `${p}upstream_rq_time`, 99),
    rqActive: statValue(cur, `${p}upstream_rq_active`),
    cxActive: statValue(cur, `${p}upstream_cx_active`),
    hostsHealthy: hosts.healthy,
    hostsDegraded: hosts.degraded,
    hostsTotal: hosts.total,
    breakersOpen,
    ejectionsActive: statValue(cur, `${p}outlier_detection.ejections_active`),
    retriesPerS: rate(prev, cur, `${p}upstream_rq_retry`, seconds),
  };
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  let total = 0;
  for (const v of values) {
    if (v === null) return null;
    total += v;
  }
  return total;
}

/**
 * The view of `cur`, with rates against `prev` (the previous poll; undefined on the first poll,
 * when every rate is null). Clusters are those `/clusters` lists, in its order (else those found
 * in the stats); connection managers and listeners are those found in the stats.
 */
export function buildView(prev: AdminSample | undefined, cur: AdminSample): TopView {
  const seconds = elapsedSeconds(prev, cur);
  const prefixes = httpPrefixes(cur);
  const http = prefixes.map((p) => httpRow(prev, cur, p, seconds));
  const clusterDefs = cur.clusters
    ? cur.clusters.map((c) => ({ name: c.name, statName: c.statName, hosts: { healthy: c.hostsHealthy, degraded: c.hostsDegraded, total: c.hostsTotal } }))
    : clusterStatNamesFromStats(cur).map((n) => ({ name: n, statName: n }));
  const clusters = clusterDefs.map((c) => clusterRow(prev, cur, c, seconds));
  const totals: Totals = {
    rps: seconds === null ? null : sumOrNull(http.map((r) => r.rps)),
    errorsPerS: seconds === null ? null : sumOrNull(http.map((r) => r.errorsPerS)),
    cxActive: http.reduce((a, r) => a + r.cxActive, 0),
    rqActive: http.reduce((a, r) => a + r.rqActive, 0),
  };
  const view: TopView = {
    atMs: cur.atMs,
    seconds,
    totals,
    downstream: [...listenerRows(prev, cur, seconds), ...http],
    clusters,
    flags: readFlags(prev, cur, seconds, clusterDefs.map((c) => c.statName), prefixes),
  };
  return cur.server ? { ...view, server: cur.server } : view;
}
