/**
 * The `action` of a match/explain report: what the decision does with the request (route,
 * redirect, direct response, no route), with the cluster pick, final path and Host, timeouts,
 * policies and the route's request header changes, from the core's finalizeRequest. Pure.
 */
import type { HashPolicy, LoadedConfig } from '../../config/types.js';
import { DEFAULT_NUM_RETRIES, DEFAULT_RETRY_BASE_INTERVAL_MS, RETRY_MAX_INTERVAL_FACTOR } from '../../config/defaults.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import { finalPathAndHost } from './core_adapter.js';
import { staticEndpointCount } from './outcome.js';
import type { ActionJson, ClusterJson } from './report_types.js';

/** The action of a request that routes nowhere (or before the route's effects). */
export function emptyAction(kind: ActionJson['kind'], r: RouteRequest): ActionJson {
  return {
    kind,
    cluster: null,
    path: null,
    host: null,
    original_path: r.path,
    original_host: r.authority ?? null,
    timeout_ms: null,
    idle_timeout_ms: null,
    retry_policy: null,
    mirror_policies: [],
    hash_policies: [],
    virtual_cluster: null,
    request_header_changes: [],
    location: null,
    status: null,
    body: null,
  };
}

/** The action of a route decision; notes get what only serve can know (auto_host_rewrite). */
export function actionOf(d: RouteDecision, request: RouteRequest, config: LoadedConfig, notes: string[]): ActionJson {
  switch (d.kind) {
    case 'no_route':
      return emptyAction('no_route', request);
    case 'redirect':
      return { ...emptyAction('redirect', request), location: d.location, status: d.status, virtual_cluster: d.virtualClusterName ?? null };
    case 'direct_response':
      return { ...emptyAction('direct_response', request), status: d.status, body: d.body ?? null, virtual_cluster: d.virtualClusterName ?? null };
    case 'forward':
      break;
  }
  const r = d.route;
  const fin = finalPathAndHost(d, request);
  if (fin.autoHostRewrite) notes.push('auto_host_rewrite: serve sets Host to the chosen upstream host\'s hostname');
  const res = d.resolution;
  const clustersKnown = config.kind !== 'route_configuration';
  const def = clustersKnown ? config.clusters.find((c) => c.name === d.cluster) : undefined;
  const cluster: ClusterJson = {
    name: d.cluster,
    specifier: res.specifier,
    header: res.specifier === 'cluster_header' ? res.header : res.specifier === 'weighted_clusters' ? (res.header ?? null) : null,
    weighted:
      res.specifier === 'weighted_clusters'
        ? {
            clusters: res.clusters.map((c) => ({ name: c.name, weight: c.weight, cluster_header: c.clusterHeader ?? null })),
            total_weight: res.totalWeight,
            value: res.value,
            value_source: res.valueSource,
            selector: res.selector,
            picked_index: res.pickedIndex,
          }
        : null,
    defined: clustersKnown ? def !== undefined : null,
    endpoints: def ? staticEndpointCount(def) : null,
  };
  const rp = r.retryPolicy;
  const base = rp?.retry_back_off?.base_interval ?? DEFAULT_RETRY_BASE_INTERVAL_MS;
  return {
    ...emptyAction('route', request),
    cluster,
    path: fin.path,
    host: fin.host ?? null,
    timeout_ms: r.timeoutMs,
    idle_timeout_ms: r.idleTimeoutMs ?? null,
    retry_policy: rp
      ? {
          retry_on: rp.retry_on ?? null,
          num_retries: rp.num_retries ?? DEFAULT_NUM_RETRIES,
          per_try_timeout_ms: rp.per_try_timeout ?? null,
          retriable_status_codes: [...(rp.retriable_status_codes ?? [])],
          retry_back_off: { base_interval_ms: base, max_interval_ms: rp.retry_back_off?.max_interval ?? base * RETRY_MAX_INTERVAL_FACTOR },
        }
      : null,
    mirror_policies: r.mirrorPolicies.map((m) => ({
      cluster: m.cluster ?? null,
      cluster_header: m.cluster_header ?? null,
      runtime_fraction: m.runtime_fraction
        ? `${m.runtime_fraction.default_value?.numerator ?? 0}/${m.runtime_fraction.default_value?.denominator ?? 'HUNDRED'}`
        : null,
      runtime_key: m.runtime_fraction?.runtime_key ?? null,
    })),
    hash_policies: r.hashPolicies.map(describeHashPolicy),
    virtual_cluster: d.virtualClusterName ?? null,
    request_header_changes: fin.headerChanges.map((c) => ({ op: c.op, name: c.name, value: c.value })),
  };
}

function describeHashPolicy(h: HashPolicy): string {
  const t = h.terminal ? ' (terminal)' : '';
  if (h.header) return `header ${h.header.header_name}${t}`;
  if (h.cookie) return `cookie ${h.cookie.name}${h.cookie.ttl !== undefined ? ` ttl ${h.cookie.ttl}ms` : ''}${t}`;
  if (h.connection_properties?.source_ip) return `source_ip${t}`;
  if (h.query_parameter) return `query_parameter ${h.query_parameter.name}${t}`;
  if (h.filter_state) return `filter_state ${h.filter_state.key}${t}`;
  return `unknown${t}`;
}
