/**
 * What Envoy's router filter does with a route decision: the local reply (status, response flag,
 * %RESPONSE_CODE_DETAILS%) or the upstream request, and the stats that move. Follows
 * source/common/router/router.cc `Filter::decodeHeaders`, in its order:
 *   no route                 -> 404 NR `route_not_found`, `http.<stat_prefix>.no_route`
 *   direct response/redirect -> its status, `direct_response`, `http.<stat_prefix>.rq_direct_response`
 *                               (redirects, require_tls included, are direct-response entries in
 *                               current Envoy; the older `rq_redirect` counter no longer moves)
 *   unknown cluster          -> cluster_not_found_response_code (503) NC `cluster_not_found`,
 *                               `http.<stat_prefix>.no_cluster`
 *   maintenance mode         -> 503 UO `maintenance_mode` + `x-envoy-overloaded: true`,
 *                               `cluster.<name>.upstream_rq_maintenance_mode`
 *   no host                  -> 503 UH `no_healthy_upstream`, `cluster.<name>.upstream_cx_none_healthy`
 * Pure.
 */
import type { Cluster, LoadedConfig } from '../../config/types.js';
import type { RouteDecision } from '../../core/route_types.js';
import type { OutcomeJson } from './report_types.js';
import { hasEdsEndpoints } from '../../config/dump_sections.js';
import { endpointHealth } from '../../core/endpoint_health.js';

/**
 * Endpoints of a cluster, or null when they are not known offline (EDS without the dump's
 * endpoints section, ORIGINAL_DST, cluster extensions).
 */
export function staticEndpointCount(c: Cluster): number | null {
  const type = c.type ?? 'STATIC';
  if ((type === 'EDS' && !hasEdsEndpoints(c)) || type === 'ORIGINAL_DST' || c.cluster_type !== undefined) return null;
  let n = 0;
  for (const l of c.load_assignment?.endpoints ?? []) n += l.lb_endpoints?.length ?? 0;
  return n;
}

/** `upstream.maintenance_mode.<cluster>` as a percentage, or undefined when unset. */
export function maintenancePercent(runtime: Readonly<Record<string, unknown>>, cluster: string): number | undefined {
  const v = runtime[`upstream.maintenance_mode.${cluster}`];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The outcome of a decision. `clustersKnown` is false for a bare RouteConfiguration (its clusters
 * live elsewhere): then a forward is reported as forwarded, unchecked.
 */
export function outcomeOf(
  decision: RouteDecision,
  config: LoadedConfig,
  statPrefix: string | undefined,
  randomValue: number,
  hasAuthority = true,
): OutcomeJson {
  const http = `http.${statPrefix ?? '<stat_prefix>'}.`;
  switch (decision.kind) {
    case 'no_route':
      return {
        status: 404,
        response_flag: 'NR',
        details: 'route_not_found',
        stats: [`${http}no_route`],
        summary: decision.virtualHost
          ? `no route of virtual host "${decision.virtualHost.name}" matches`
          : hasAuthority
            ? 'no virtual host matches the Host'
            : 'the request has no :authority (Host), so no virtual host is selected',
      };
    case 'redirect':
      return {
        status: decision.status,
        response_flag: '-',
        details: 'direct_response',
        stats: [`${http}rq_direct_response`],
        summary: decision.requireTls
          ? `require_tls redirects to ${decision.location} with ${decision.status}`
          : `redirect ${decision.status} to ${decision.location}`,
      };
    case 'direct_response':
      return {
        status: decision.status,
        response_flag: '-',
        details: 'direct_response',
        stats: [`${http}rq_direct_response`],
        summary: `direct response ${decision.status}${decision.body !== undefined ? ` with a ${new TextEncoder().encode(decision.body).length}-byte body` : ''}`,
      };
    case 'forward':
      break;
  }
  if (decision.resolution.specifier === 'unsupported') {
    return {
      status: null,
      response_flag: '-',
      details: 'cluster_unknown_offline',
      stats: [],
      summary: `the route picks its cluster with ${decision.resolution.field}, which tsproxy does not implement: the cluster is not known offline`,
    };
  }
  const name = decision.cluster;
  const clustersKnown = config.kind !== 'route_configuration';
  if (!clustersKnown && name !== '') {
    return {
      status: null,
      response_flag: '-',
      details: 'via_upstream',
      stats: [`cluster.${name}.upstream_rq_total`],
      summary: `forwarded to cluster "${name}" (a bare RouteConfiguration: cluster existence not checked)`,
    };
  }
  // No cluster is named "": a missing cluster_header is cluster_not_found whatever the config.
  const cluster = name === '' ? undefined : config.clusters.find((c) => c.name === name);
  if (!cluster) {
    const status = decision.route.clusterNotFoundResponseCode;
    return {
      status,
      response_flag: 'NC',
      details: 'cluster_not_found',
      stats: [`${http}no_cluster`],
      summary: name === ''
        ? 'the cluster_header is missing: the cluster name is empty'
        : `cluster "${name}" is not defined in this config`,
    };
  }
  const pct = maintenancePercent(config.runtime, name);
  // ClusterInfo::maintenanceMode() is runtime featureEnabled(key, 0): random % 100 < percent.
  if (pct !== undefined && pct > 0 && randomValue % 100 < pct) {
    return {
      status: 503,
      response_flag: 'UO',
      details: 'maintenance_mode',
      stats: [`cluster.${name}.upstream_rq_maintenance_mode`],
      summary: `cluster "${name}" is in maintenance mode (runtime upstream.maintenance_mode.${name} = ${pct}); the reply carries x-envoy-overloaded: true`,
    };
  }
  const endpoints = staticEndpointCount(cluster);
  // Endpoint health (EDS health_status, e.g. from a dump's endpoints section): issue 13.
  const health = endpoints === null ? undefined : endpointHealth(cluster);
  const eds = hasEdsEndpoints(cluster) ? ' (EDS)' : '';
  if (endpoints === 0 || health?.noHealthyUpstream) {
    return {
      status: 503,
      response_flag: 'UH',
      details: 'no_healthy_upstream',
      stats: [`cluster.${name}.upstream_cx_none_healthy`],
      summary: endpoints === 0
        ? `cluster "${name}" has no endpoints${eds}`
        : `cluster "${name}" has no healthy endpoint${eds}: ${health!.text}; ${health!.panicThresholdPercent === 0 ? 'healthy_panic_threshold 0 disables panic mode' : 'fail_traffic_on_panic is set'}, so no host is picked`,
    };
  }
  const unhealthy = health !== undefined && health.unhealthy + health.degraded > 0;
  return {
    status: null,
    response_flag: '-',
    details: 'via_upstream',
    stats: [`cluster.${name}.upstream_rq_total`, ...(health?.panic ? [`cluster.${name}.lb_healthy_panic`] : [])],
    summary: `forwarded to cluster "${name}"${endpoints === null ? ' (endpoints not known offline)' : unhealthy ? ` (${health.text}${eds})` : ` (${endpoints} endpoint${endpoints === 1 ? '' : 's'}${eds})`}` +
      (health?.panic ? `; panic mode: ${health.healthy + health.degraded} of ${health.total} healthy is below healthy_panic_threshold ${health.panicThresholdPercent}%, so Envoy balances over all hosts, unhealthy ones included` : ''),
  };
}
