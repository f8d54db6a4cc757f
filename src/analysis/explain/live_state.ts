/**
 * Live facts for `match|explain --admin URL`: what a running tsproxy or Envoy says about the
 * cluster a request is routed to, read from its admin API (`/clusters?format=json` and
 * `/stats?format=json`), and what they mean for this request now — why a 503 UH
 * (`no_healthy_upstream`) or UO (`upstream_rq_pending_overflow`, `upstream_rq_overflow`) happens.
 *
 * Pure: the CLI fetches; this module parses the JSON it got (Envoy's shapes: admin/v3
 * clusters.proto printed with proto field names; StatsJsonRender's `{"stats": [{name, value}]}`)
 * and reasons over it with the cluster's config (healthy_panic_threshold).
 */
import type { Cluster, LoadedConfig } from '../../config/types.js';
import { DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT } from '../../config/defaults.js';
import type { ExplainReport, MatchReport } from './report_types.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A host as the load balancer sees it now. */
export interface LiveHostJson {
  address: string;
  health: 'healthy' | 'degraded' | 'unhealthy';
  /** Why it is not healthy: `failed_active_hc`, `failed_outlier_check` (ejected), `eds_health:UNHEALTHY` ... */
  reasons: string[];
}

/** The live part of a match/explain report (`live` in `--json`). */
export interface LiveJson {
  /** The admin address read. */
  source: string;
  cluster: string;
  /** False when the running proxy has no such cluster. */
  known: boolean;
  hosts: { total: number; healthy: number; degraded: number };
  unhealthy_hosts: LiveHostJson[];
  /** Hosts ejected by outlier detection now. */
  ejected_hosts: string[];
  /** `circuit_breakers.<priority>.<resource>_open` gauges at 1, e.g. `default.rq_pending_open`. */
  circuit_breakers_open: string[];
  /** Healthy share below healthy_panic_threshold: the load balancer uses every host. */
  panic: boolean;
  /** What this request gets now when the live state decides it (else null: the config verdict stands). */
  predicted: { status: number; response_flag: string; details: string } | null;
  /** Plain-language conclusions, most important first. */
  verdict: string[];
}

/** One cluster's live state, parsed. */
export interface LiveCluster {
  readonly name: string;
  readonly statName: string;
  readonly hosts: readonly LiveHostJson[];
}

const UNHEALTHY_EDS = new Set(['UNHEALTHY', 'DRAINING', 'TIMEOUT']);

function addressText(a: unknown): string {
  if (!isObj(a)) return '?';
  const sa = a['socket_address'];
  if (isObj(sa)) {
    const host = String(sa['address'] ?? '?');
    return `${host.includes(':') ? `[${host}]` : host}:${String(sa['port_value'] ?? 0)}`;
  }
  const pipe = a['pipe'];
  if (isObj(pipe)) return `unix:${String(pipe['path'] ?? '')}`;
  return '?';
}

/** A host's health and reasons from its admin/v3 HostHealthStatus. */
function hostOf(h: Json): LiveHostJson {
  const hs = isObj(h['health_status']) ? h['health_status'] : {};
  const reasons: string[] = [];
  if (hs['failed_active_health_check'] === true) reasons.push('failed_active_hc');
  if (hs['failed_outlier_check'] === true) reasons.push('failed_outlier_check');
  if (hs['pending_active_hc'] === true) reasons.push('pending_active_hc');
  if (hs['excluded_via_immediate_hc_fail'] === true) reasons.push('excluded_via_immediate_hc_fail');
  if (hs['active_hc_timeout'] === true) reasons.push('active_hc_timeout');
  const eds = typeof hs['eds_health_status'] === 'string' ? hs['eds_health_status'] : undefined;
  if (eds !== undefined && UNHEALTHY_EDS.has(eds)) reasons.push(`eds_health:${eds}`);
  const degraded = hs['failed_active_degraded_check'] === true || eds === 'DEGRADED';
  const health = reasons.length > 0 ? 'unhealthy' : degraded ? 'degraded' : 'healthy';
  if (degraded && health === 'degraded') reasons.push(eds === 'DEGRADED' ? 'eds_health:DEGRADED' : 'failed_active_degraded_check');
  return { address: addressText(h['address']), health, reasons };
}

/** Parses `/clusters?format=json`; throws a TypeError naming the endpoint when it is not that shape. */
export function parseLiveClusters(json: unknown): Map<string, LiveCluster> {
  if (!isObj(json)) throw new TypeError('/clusters?format=json did not answer a JSON object');
  const out = new Map<string, LiveCluster>();
  const list = json['cluster_statuses'];
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw new TypeError('/clusters?format=json: cluster_statuses is not a list');
  for (const c of list) {
    if (!isObj(c) || typeof c['name'] !== 'string') continue;
    const hosts = Array.isArray(c['host_statuses']) ? c['host_statuses'].filter(isObj).map(hostOf) : [];
    const obs = typeof c['observability_name'] === 'string' && c['observability_name'] !== '' ? c['observability_name'] : c['name'];
    out.set(c['name'], { name: c['name'], statName: obs.replace(/:/g, '_'), hosts });
  }
  return out;
}

/** Parses `/stats?format=json` into name -> number (counters and gauges; histograms skipped). */
export function parseStatValues(json: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!isObj(json) || !Array.isArray(json['stats'])) return out;
  for (const s of json['stats']) {
    if (isObj(s) && typeof s['name'] === 'string' && typeof s['value'] === 'number') out.set(s['name'], s['value']);
  }
  return out;
}

const BREAKERS: ReadonlyArray<readonly [string, string]> = [
  ['rq_open', 'max_requests'],
  ['rq_pending_open', 'max_pending_requests'],
  ['cx_open', 'max_connections'],
  ['rq_retry_open', 'max_retries'],
];

/** The routed cluster of a report, or undefined (no route, redirect, direct response). */
export function routedCluster(report: MatchReport | ExplainReport): string | undefined {
  const c = report.action.cluster;
  return c !== null && c.name !== '' ? c.name : undefined;
}

/**
 * The live facts about `clusterName` and what they mean for the request. `stats` may be empty
 * (an admin without /stats): breaker and ejection facts then come from /clusters only.
 */
export function liveFacts(
  source: string,
  clusterName: string,
  clusters: ReadonlyMap<string, LiveCluster>,
  stats: ReadonlyMap<string, number>,
  config: LoadedConfig | undefined,
  report: MatchReport | ExplainReport,
): LiveJson {
  const live = clusters.get(clusterName);
  const base: LiveJson = {
    source, cluster: clusterName, known: live !== undefined, hosts: { total: 0, healthy: 0, degraded: 0 },
    unhealthy_hosts: [], ejected_hosts: [], circuit_breakers_open: [], panic: false, predicted: null, verdict: [],
  };
  if (live === undefined) {
    base.verdict.push(`the running proxy at ${source} has no cluster "${clusterName}": it answers 503 NC cluster_not_found now`);
    base.predicted = { status: 503, response_flag: 'NC', details: 'cluster_not_found' };
    return base;
  }
  const healthy = live.hosts.filter((h) => h.health === 'healthy').length;
  const degraded = live.hosts.filter((h) => h.health === 'degraded').length;
  const total = live.hosts.length;
  base.hosts = { total, healthy, degraded };
  base.unhealthy_hosts = live.hosts.filter((h) => h.health !== 'healthy');
  base.ejected_hosts = live.hosts.filter((h) => h.reasons.includes('failed_outlier_check')).map((h) => h.address);
  for (const priority of ['default', 'high']) {
    for (const [gauge] of BREAKERS) {
      if ((stats.get(`cluster.${live.statName}.circuit_breakers.${priority}.${gauge}`) ?? 0) > 0) base.circuit_breakers_open.push(`${priority}.${gauge}`);
    }
  }
  const cfg: Cluster | undefined = config?.clusters.find((c) => c.name === clusterName);
  const threshold = cfg?.common_lb_config?.healthy_panic_threshold ?? DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT;
  const usable = healthy + degraded;
  const v = base.verdict;
  v.push(`${healthy} of ${total} host${total === 1 ? '' : 's'} healthy${degraded > 0 ? `, ${degraded} degraded` : ''}`);
  if (base.ejected_hosts.length > 0) v.push(`ejected by outlier detection: ${base.ejected_hosts.join(', ')}`);
  for (const h of base.unhealthy_hosts) if (!h.reasons.includes('failed_outlier_check') || h.reasons.length > 1) v.push(`${h.address} is ${h.health}: ${h.reasons.join(', ')}`);
  // A local reply decided before the cluster (not UH/UO, which the live state explains) stands.
  const o = report.outcome;
  const routed = o.status === null || o.response_flag === 'UH' || o.response_flag === 'UO';
  if (total === 0) {
    v.unshift('the cluster has no hosts: this request gets 503 UH no_healthy_upstream now');
    base.predicted = { status: 503, response_flag: 'UH', details: 'no_healthy_upstream' };
  } else if (total > 0 && (usable * 100) / total < threshold) {
    base.panic = true;
    v.unshift(
      usable === 0
        ? `no healthy host, below healthy_panic_threshold ${threshold}%: the load balancer is in panic mode and sends this request to any host, unhealthy ones included (expect 503 UF/URX or upstream errors)`
        : `only ${usable} of ${total} hosts usable, below healthy_panic_threshold ${threshold}%: panic mode, this request may go to an unhealthy host`,
    );
  } else if (usable === 0 && threshold === 0) {
    v.unshift('no healthy host and healthy_panic_threshold 0% (panic mode disabled): this request gets 503 UH no_healthy_upstream now');
    base.predicted = { status: 503, response_flag: 'UH', details: 'no_healthy_upstream' };
  }
  const open = base.circuit_breakers_open;
  if (open.includes('default.rq_open')) {
    v.unshift('circuit breaker max_requests is open (default priority): this request gets 503 UO upstream_reset_before_response_started{overflow} now');
    base.predicted ??= { status: 503, response_flag: 'UO', details: 'upstream_reset_before_response_started{overflow}' };
  } else if (open.includes('default.rq_pending_open')) {
    v.unshift('circuit breaker max_pending_requests is open (default priority): a request that has to wait for a connection gets 503 UO upstream_reset_before_response_started{overflow} now (upstream_rq_pending_overflow)');
    base.predicted ??= { status: 503, response_flag: 'UO', details: 'upstream_reset_before_response_started{overflow}' };
  } else if (open.includes('default.cx_open')) {
    v.push('circuit breaker max_connections is open (default priority): new requests wait for a free connection (pending), 503 UO once max_pending_requests is reached too');
  }
  if (open.includes('default.rq_retry_open')) v.push('circuit breaker max_retries is open: retries are not attempted now (upstream_rq_retry_overflow)');
  if (!routed) base.predicted = null;
  return base;
}

/** The live section in text. */
export function formatLive(l: LiveJson): string {
  const lines = [`live state (${l.source}), cluster "${l.cluster}":`];
  for (const v of l.verdict) lines.push(`  - ${v}`);
  if (l.circuit_breakers_open.length > 0) lines.push(`  circuit breakers open: ${l.circuit_breakers_open.join(', ')}`);
  if (l.predicted !== null) lines.push(`  now: ${l.predicted.status} ${l.predicted.response_flag} ${l.predicted.details}`);
  return lines.join('\n') + '\n';
}
