/**
 * What a cluster's endpoints say about the load balancer's answer, offline: how many endpoints
 * there are by `health_status`, and whether Envoy's load balancer would find a host (Envoy's
 * LoadBalancerBase with the panic threshold, src/core/lb/priority_load.ts) or answer 503 UH
 * `no_healthy_upstream`. Health comes from EDS (`LbEndpoint.health_status`), as `serve` reads it
 * (UNHEALTHY, DRAINING and TIMEOUT are unhealthy, DEGRADED degraded, HEALTHY and UNKNOWN healthy).
 *
 * A priority below `healthy_panic_threshold` (default 50 %) is in panic: Envoy then balances over
 * all its hosts, unhealthy ones included, so a cluster whose endpoints are all unhealthy still
 * forwards — unless the threshold is 0 (panic disabled) or zone aware routing's
 * `fail_traffic_on_panic` is set. Pure.
 */
import type { Cluster } from '../config/types.js';
import type { HostHealth, HostSet, LbHost } from './lb/types.js';
import { computePriorityLoad } from './lb/priority_load.js';
import { DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT, DEFAULT_OVERPROVISIONING_FACTOR } from '../config/defaults.js';

/** `LbEndpoint.health_status` -> the load balancer's health (as the runtime's hosts read it). */
export function hostHealthOf(status: string | undefined): HostHealth {
  switch (status) {
    case 'UNHEALTHY':
    case 'DRAINING':
    case 'TIMEOUT':
      return 'unhealthy';
    case 'DEGRADED':
      return 'degraded';
    default:
      return 'healthy';
  }
}

export interface EndpointHealth {
  /** Endpoints over every locality and priority. */
  readonly total: number;
  /** `health_status` as written (`UNKNOWN` when unset) -> count, in first-seen order. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly healthy: number;
  readonly degraded: number;
  readonly unhealthy: number;
  /** `common_lb_config.healthy_panic_threshold`, percent (default 50; 0 disables panic). */
  readonly panicThresholdPercent: number;
  /** Envoy's load balancer finds no host: 503 UH `no_healthy_upstream`. */
  readonly noHealthyUpstream: boolean;
  /** Every priority with hosts is in panic: picks use all hosts, unhealthy ones included. */
  readonly panic: boolean;
  /** `3 endpoints: 2 UNHEALTHY, 1 DRAINING`. */
  readonly text: string;
}

interface Endpoint extends LbHost {
  readonly priority: number;
}

/** The health of `cluster`'s endpoints (its `load_assignment`, EDS endpoints attached from a dump included). */
export function endpointHealth(cluster: Cluster): EndpointHealth {
  const statuses: Record<string, number> = {};
  const byPriority = new Map<number, Endpoint[]>();
  let healthy = 0;
  let degraded = 0;
  let unhealthy = 0;
  for (const l of cluster.load_assignment?.endpoints ?? []) {
    const priority = l.priority ?? 0;
    for (const e of l.lb_endpoints ?? []) {
      const status = e.health_status ?? 'UNKNOWN';
      statuses[status] = (statuses[status] ?? 0) + 1;
      const health = hostHealthOf(e.health_status);
      if (health === 'healthy') healthy++;
      else if (health === 'degraded') degraded++;
      else unhealthy++;
      const list = byPriority.get(priority) ?? [];
      list.push({ priority, weight: 1, health, activeRequests: 0, hashKey: '' });
      byPriority.set(priority, list);
    }
  }
  const total = healthy + degraded + unhealthy;
  const threshold = cluster.common_lb_config?.healthy_panic_threshold ?? DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT;
  const maxPriority = Math.max(0, ...byPriority.keys());
  const sets: HostSet<Endpoint>[] = [];
  for (let p = 0; p <= maxPriority; p++) {
    const hosts = byPriority.get(p) ?? [];
    sets.push({ priority: p, hosts, healthyHosts: hosts.filter((h) => h.health === 'healthy'), degradedHosts: hosts.filter((h) => h.health === 'degraded') });
  }
  const overprovisioning = cluster.load_assignment?.policy?.overprovisioning_factor ?? DEFAULT_OVERPROVISIONING_FACTOR;
  const load = computePriorityLoad(sets, threshold, overprovisioning);
  const panic = total > 0 && sets.every((s, i) => s.hosts.length === 0 || load.panic[i]);
  const zone = cluster.common_lb_config?.['zone_aware_lb_config'] as { fail_traffic_on_panic?: boolean } | undefined;
  const noHealthyUpstream = total === 0 || (threshold === 0 && healthy + degraded === 0) || (panic && zone?.fail_traffic_on_panic === true);
  const parts = Object.entries(statuses).map(([s, n]) => `${n} ${s}`);
  const text = `${total} endpoint${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
  return { total, statuses, healthy, degraded, unhealthy, panicThresholdPercent: threshold, noHealthyUpstream, panic, text };
}
