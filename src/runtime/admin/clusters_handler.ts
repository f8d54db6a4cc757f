/**
 * `/clusters` (Envoy's ClustersHandler, text and `?format=json`): per cluster its observability
 * name, circuit breaker thresholds (default and high priority), `added_via_api`, and per host
 * its counters and gauges, hostname, health flags (`healthy`, `/failed_eds_health`,
 * `/degraded_eds_health`, and `/failed_active_hc`, `/failed_outlier_check` once those checkers
 * exist), weight, locality, canary, priority and success rates.
 *
 * Host stats printed are the ones the pools keep: cx_active, cx_connect_fail, cx_total,
 * rq_active, rq_total (Envoy also has rq_error, rq_success, rq_timeout: not tracked yet, so not
 * printed rather than printed as a false 0). No outlier detector runs, so no `outlier::` lines
 * and success rates are -1, as Envoy prints them without a detector.
 */
import type { Cluster, CircuitBreakerThresholds } from '../../config/types.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_MAX_RETRIES,
} from '../../config/defaults.js';
import type { ClusterImpl } from '../upstream/cluster.js';
import type { Host } from '../upstream/host.js';
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, prettyJson, textResponse } from './response.js';
import { queryParam } from './query.js';

type Locality = { region?: string; zone?: string; sub_zone?: string };

interface Thresholds {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
}

/** The clusters of the running cluster manager (a production ClusterManagerImpl), in config order. */
export function clustersOf(ctx: AdminServerContext): ClusterImpl[] {
  const cm = ctx.clusterManager as { clusters?: Map<string, ClusterImpl> };
  return cm.clusters instanceof Map ? [...cm.clusters.values()] : [];
}

function thresholds(cluster: ClusterImpl, priority: 'DEFAULT' | 'HIGH'): Thresholds {
  if (priority === 'DEFAULT') {
    const r = cluster.resources;
    return { maxConnections: r.connections.max, maxPendingRequests: r.pendingRequests.max, maxRequests: r.requests.max, maxRetries: r.retries.max };
  }
  const t: CircuitBreakerThresholds | undefined = cluster.config.circuit_breakers?.thresholds?.find((x) => x.priority === 'HIGH');
  return {
    maxConnections: t?.max_connections ?? DEFAULT_MAX_CONNECTIONS,
    maxPendingRequests: t?.max_pending_requests ?? DEFAULT_MAX_PENDING_REQUESTS,
    maxRequests: t?.max_requests ?? DEFAULT_MAX_REQUESTS,
    maxRetries: t?.max_retries ?? DEFAULT_MAX_RETRIES,
  };
}

/** Locality of a host: the LocalityLbEndpoints it was configured in (by address or DNS name and port). */
function localityOf(config: Cluster, host: Host): Locality {
  for (const group of config.load_assignment?.endpoints ?? []) {
    for (const ep of group.lb_endpoints ?? []) {
      const sa = ep.endpoint?.address?.socket_address;
      if (sa && (sa.port_value ?? 0) === host.port && (sa.address === host.address || sa.address === host.hostname)) return group.locality ?? {};
    }
  }
  return {};
}

/** HostUtility::healthFlagsToString. */
export function healthFlags(host: Host): string {
  if (host.health === 'unhealthy') return '/failed_eds_health';
  if (host.health === 'degraded') return '/degraded_eds_health';
  return 'healthy';
}

function hostStats(h: Host): Array<{ name: string; value: number; gauge: boolean }> {
  return [
    { name: 'cx_active', value: h.cxActive, gauge: true },
    { name: 'cx_connect_fail', value: h.cxConnectFail, gauge: false },
    { name: 'cx_total', value: h.cxTotal, gauge: false },
    { name: 'rq_active', value: h.activeRequests, gauge: true },
    { name: 'rq_total', value: h.rqTotal, gauge: false },
  ];
}

function observabilityName(c: ClusterImpl): string {
  return c.config.alt_stat_name ?? c.config.name;
}

function asText(clusters: readonly ClusterImpl[]): string {
  let out = '';
  for (const c of clusters) {
    const name = c.info.name;
    out += `${name}::observability_name::${observabilityName(c)}\n`;
    for (const p of ['default', 'high'] as const) {
      const t = thresholds(c, p === 'default' ? 'DEFAULT' : 'HIGH');
      out += `${name}::${p}_priority::max_connections::${t.maxConnections}\n`;
      out += `${name}::${p}_priority::max_pending_requests::${t.maxPendingRequests}\n`;
      out += `${name}::${p}_priority::max_requests::${t.maxRequests}\n`;
      out += `${name}::${p}_priority::max_retries::${t.maxRetries}\n`;
    }
    out += `${name}::added_via_api::false\n`;
    for (const h of c.allHosts) {
      const a = `${name}::${h.addressString}`;
      for (const s of hostStats(h)) out += `${a}::${s.name}::${s.value}\n`;
      const loc = localityOf(c.config, h);
      out += `${a}::hostname::${h.hostname ?? ''}\n`;
      out += `${a}::health_flags::${healthFlags(h)}\n`;
      out += `${a}::weight::${h.weight}\n`;
      out += `${a}::region::${loc.region ?? ''}\n`;
      out += `${a}::zone::${loc.zone ?? ''}\n`;
      out += `${a}::sub_zone::${loc.sub_zone ?? ''}\n`;
      out += `${a}::canary::false\n`;
      out += `${a}::priority::${h.priority}\n`;
      out += `${a}::success_rate::-1\n`;
      out += `${a}::local_origin_success_rate::-1\n`;
    }
  }
  return out;
}

function asJson(clusters: readonly ClusterImpl[]): unknown {
  return {
    cluster_statuses: clusters.map((c) => {
      const cb = (['DEFAULT', 'HIGH'] as const).map((p) => {
        const t = thresholds(c, p);
        return {
          ...(p === 'HIGH' ? { priority: 'HIGH' } : {}),
          max_connections: t.maxConnections,
          max_pending_requests: t.maxPendingRequests,
          max_requests: t.maxRequests,
          max_retries: t.maxRetries,
        };
      });
      return {
        name: c.info.name,
        observability_name: observabilityName(c),
        circuit_breakers: { thresholds: cb },
        host_statuses: c.allHosts.map((h) => {
          const loc = localityOf(c.config, h);
          const locality = Object.fromEntries(Object.entries(loc).filter(([, v]) => typeof v === 'string' && v !== ''));
          return {
            address: { socket_address: { address: h.address, port_value: h.port } },
            ...(Object.keys(locality).length > 0 ? { locality } : {}),
            stats: hostStats(h).map((s) => ({ name: s.name, value: s.value, ...(s.gauge ? { type: 'GAUGE' } : {}) })),
            health_status: {
              eds_health_status: h.health === 'unhealthy' ? 'UNHEALTHY' : h.health === 'degraded' ? 'DEGRADED' : 'HEALTHY',
            },
            ...(h.hostname ? { hostname: h.hostname } : {}),
            ...(h.weight ? { weight: h.weight } : {}),
            ...(h.priority ? { priority: h.priority } : {}),
          };
        }),
      };
    }),
  };
}

export function clustersHandler(ctx: AdminServerContext): AdminHandler {
  return {
    prefix: '/clusters',
    help: 'upstream cluster status',
    mutatesState: false,
    params: [{ id: 'format', help: 'File format to use', choices: ['text', 'json'] }],
    handle(req) {
      const clusters = clustersOf(ctx);
      if (queryParam(req.query, 'format') === 'json') return jsonResponse(200, prettyJson(asJson(clusters)));
      return textResponse(200, asText(clusters));
    },
  };
}
