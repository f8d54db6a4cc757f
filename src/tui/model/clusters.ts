/**
 * `/clusters?format=json` -> {@link ClusterInfo}: per cluster, the name its stats live under and
 * how many hosts are healthy, degraded or unusable, classified from `health_status` the way
 * Envoy's load balancer sees them.
 */
import { AdminShapeError, isObject, type HostHealthStatusJson } from './admin_shapes.js';

export type HostHealth = 'healthy' | 'degraded' | 'unhealthy';

export interface ClusterInfo {
  /** `ClusterStatus.name`. */
  readonly name: string;
  /**
   * The `<name>` in `cluster.<name>.` stats: the observability name (`alt_stat_name`) when set,
   * else the cluster name, with `:` replaced by `_` as Envoy's stat names do.
   */
  readonly statName: string;
  readonly hostsTotal: number;
  readonly hostsHealthy: number;
  readonly hostsDegraded: number;
  readonly addedViaApi: boolean;
}

const UNHEALTHY_EDS = new Set(['UNHEALTHY', 'DRAINING', 'TIMEOUT']);

/**
 * A host's health as the load balancer uses it: failing active health checks (or still awaiting
 * the first one), ejected by outlier detection, excluded by an immediate health-check failure, or
 * EDS-marked UNHEALTHY/DRAINING/TIMEOUT -> `unhealthy`; degraded by active HC or EDS ->
 * `degraded`; otherwise `healthy` (`pending_dynamic_removal` hosts still take traffic).
 */
export function hostHealth(h: HostHealthStatusJson | undefined): HostHealth {
  if (!h) return 'healthy';
  if (h.failed_active_health_check || h.failed_outlier_check || h.pending_active_hc || h.excluded_via_immediate_hc_fail || h.active_hc_timeout) return 'unhealthy';
  if (h.eds_health_status !== undefined && UNHEALTHY_EDS.has(h.eds_health_status)) return 'unhealthy';
  if (h.failed_active_degraded_check || h.eds_health_status === 'DEGRADED') return 'degraded';
  return 'healthy';
}

/** Envoy's stat-name sanitising of a cluster name (`:` -> `_`). */
export function clusterStatName(name: string): string {
  return name.replace(/:/g, '_');
}

/**
 * Parses `/clusters?format=json` (already `JSON.parse`d), in the order Envoy lists the clusters.
 * Throws {@link AdminShapeError} when the body is not `{"cluster_statuses": [...]}` (an admin
 * with no clusters answers `{}`, which parses to an empty list).
 */
export function parseClustersJson(json: unknown): ClusterInfo[] {
  if (!isObject(json)) throw new AdminShapeError('/clusters?format=json did not answer a JSON object');
  const list = json.cluster_statuses;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new AdminShapeError('/clusters?format=json: cluster_statuses is not a list');
  const out: ClusterInfo[] = [];
  for (const c of list as unknown[]) {
    if (!isObject(c) || typeof c.name !== 'string') continue;
    let healthy = 0;
    let degraded = 0;
    let total = 0;
    for (const host of Array.isArray(c.host_statuses) ? (c.host_statuses as unknown[]) : []) {
      if (!isObject(host)) continue;
      total++;
      const health = hostHealth(isObject(host.health_status) ? (host.health_status as HostHealthStatusJson) : undefined);
      if (health === 'healthy') healthy++;
      else if (health === 'degraded') degraded++;
    }
    const obs = typeof c.observability_name === 'string' && c.observability_name !== '' ? c.observability_name : c.name;
    out.push({
      name: c.name,
      statName: clusterStatName(obs),
      hostsTotal: total,
      hostsHealthy: healthy,
      hostsDegraded: degraded,
      addedViaApi: c.added_via_api === true,
    });
  }
  return out;
}
