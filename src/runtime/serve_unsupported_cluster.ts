/**
 * serve's startup checks of clusters: discovery types and load balancing policies serve does not
 * run, health checking and outlier detection (not implemented: every host is healthy), circuit
 * breaker settings, transport sockets (serve_unsupported_transport.ts), common_lb_config and DNS
 * options, the upstream HTTP protocol options, and ORIGINAL_DST clusters Envoy would refuse
 * (errors, rule `serve/original-dst`). Pure: reads the config and positions only.
 */
import type { CircuitBreakerThresholds, Cluster, HttpProtocolOptions } from '../config/types.js';
import { isSet, rawField, type Collector } from './serve_unsupported_collector.js';
import { alpnTransportCheck, transportSocketCheck } from './serve_unsupported_transport.js';
import { http1OptionsChecks, protocolOptionsChecks } from './serve_unsupported_protocol.js';

const SUPPORTED_LB: ReadonlySet<string> = new Set(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV']);
const SUPPORTED_DISCOVERY: ReadonlySet<string> = new Set(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'ORIGINAL_DST']);
/** Invalid ORIGINAL_DST clusters (Envoy refuses them). */
const ORIGINAL_DST_RULE = 'serve/original-dst';
const UPSTREAM_HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Every check of one cluster (`path`: its JSON path). */
export function clusterChecks(c: Collector, cl: Cluster, path: string): void {
  const who = `cluster "${cl.name}"`;
  const raw = cl as unknown as Record<string, unknown>;
  const w = (node: object, f: string, npath: string, m: string): void => c.warn(node, f, npath, `${who}: ${m}`);
  const type = cl.type ?? 'STATIC';
  if (!SUPPORTED_DISCOVERY.has(type)) w(cl, 'type', path, `discovery type ${type} is not implemented by serve; the cluster has no hosts (503 UH)`);
  const lb = cl.lb_policy ?? 'ROUND_ROBIN';
  if (type === 'ORIGINAL_DST') originalDstClusterChecks(c, cl, path, who);
  else if (!SUPPORTED_LB.has(lb)) w(cl, 'lb_policy', path, `lb_policy ${lb} is not implemented by serve; using ROUND_ROBIN`);
  if (cl.ring_hash_lb_config?.hash_function === 'MURMUR_HASH_2') {
    w(cl.ring_hash_lb_config, 'hash_function', `${path}.ring_hash_lb_config`, 'ring_hash_lb_config.hash_function MURMUR_HASH_2 is not implemented by serve; using XX_HASH');
  }
  if (isSet(cl.health_checks)) w(cl, 'health_checks', path, 'health_checks (active health checking) are not implemented by serve; every host counts as healthy unless its health_status says otherwise');
  if (cl.outlier_detection !== undefined) w(cl, 'outlier_detection', path, 'outlier_detection is not implemented by serve; no host is ever ejected');
  const cb = cl.circuit_breakers;
  if (cb) {
    const cbPath = `${path}.circuit_breakers`;
    (cb.thresholds ?? []).forEach((t, i) => thresholdChecks(c, t, `${cbPath}.thresholds[${i}]`, who));
    if (isSet(cb.per_host_thresholds)) w(cb, 'per_host_thresholds', cbPath, 'circuit_breakers.per_host_thresholds is not implemented by serve; only the cluster-wide thresholds apply');
  }
  transportSocketCheck(c, cl, cl.transport_socket, path, who, false);
  (cl.transport_socket_matches ?? []).forEach((m, i) => {
    transportSocketCheck(c, m, m.transport_socket, `${path}.transport_socket_matches[${i}]`, `${who} (transport_socket_matches "${m.name}")`, false);
  });
  if (cl.per_connection_buffer_limit_bytes !== undefined) w(cl, 'per_connection_buffer_limit_bytes', path, 'per_connection_buffer_limit_bytes is not implemented by serve; request bodies are buffered up to Envoy\'s default 1 MiB');
  const lbc = cl.common_lb_config as Record<string, unknown> | undefined;
  if (lbc) {
    const lpath = `${path}.common_lb_config`;
    const msgs: Record<string, string> = {
      zone_aware_lb_config: 'zone aware routing is not implemented by serve; localities are ignored',
      locality_weighted_lb_config: 'locality weighted load balancing is not implemented by serve; locality weights are ignored',
      update_merge_window: 'is not implemented by serve; host updates apply at once',
      ignore_new_hosts_until_first_hc: 'is not implemented by serve (no health checks)',
      close_connections_on_host_set_change: 'is not implemented by serve; connections to remaining hosts stay open',
      override_host_status: 'is not implemented by serve',
    };
    for (const [f, m] of Object.entries(msgs)) {
      if (lbc[f] !== undefined && lbc[f] !== false) w(lbc, f, lpath, `common_lb_config.${f} ${m.startsWith('is') ? m : `(${m})`}`);
    }
    if (rawField(lbc['consistent_hashing_lb_config'], 'hash_balance_factor') !== undefined) {
      w(lbc, 'consistent_hashing_lb_config', lpath, 'common_lb_config.consistent_hashing_lb_config.hash_balance_factor (bounded load) is not implemented by serve');
    }
  }
  const policy = cl.load_assignment?.policy as Record<string, unknown> | undefined;
  if (policy?.['weighted_priority_health'] === true) {
    w(policy, 'weighted_priority_health', `${path}.load_assignment.policy`, 'load_assignment.policy.weighted_priority_health is not implemented by serve');
  }
  if (cl.respect_dns_ttl === true) w(cl, 'respect_dns_ttl', path, 'respect_dns_ttl is not implemented by serve; DNS is refreshed every dns_refresh_rate');
  for (const f of ['dns_jitter', 'dns_resolvers', 'typed_dns_resolver_config', 'use_tcp_for_dns_lookups', 'dns_resolution_config']) {
    if (isSet(raw[f]) && raw[f] !== false) w(cl, f, path, `${f} is not implemented by serve; DNS uses the system resolver every dns_refresh_rate`);
  }
  if (raw['connection_pool_per_downstream_connection'] === true) w(cl, 'connection_pool_per_downstream_connection', path, 'connection_pool_per_downstream_connection is not implemented by serve; pools are shared per host');
  if (raw['upstream_config'] !== undefined) w(cl, 'upstream_config', path, 'upstream_config is not implemented by serve; the HTTP/1.1 connection pool is used');
  // Upstream protocol options: typed (HttpProtocolOptions) or the deprecated cluster fields.
  const ext = cl.typed_extension_protocol_options?.[UPSTREAM_HTTP_OPTIONS_KEY] as Record<string, unknown> | undefined;
  if (ext) {
    const epath = `${path}.typed_extension_protocol_options["${UPSTREAM_HTTP_OPTIONS_KEY}"]`;
    protocolOptionsChecks(c, ext['common_http_protocol_options'] as HttpProtocolOptions | undefined, `${epath}.common_http_protocol_options`, who, false);
    for (const holder of ['explicit_http_config', 'use_downstream_protocol_config', 'auto_config']) {
      const h1 = rawField(ext[holder], 'http_protocol_options');
      if (h1 && typeof h1 === 'object') http1OptionsChecks(c, h1 as Record<string, unknown>, `${epath}.${holder}.http_protocol_options`, who, true);
    }
    if (ext['auto_config'] !== undefined) alpnTransportCheck(c, cl, ext, epath);
  }
  protocolOptionsChecks(c, cl.common_http_protocol_options, `${path}.common_http_protocol_options`, who, false);
  if (cl.http_protocol_options) http1OptionsChecks(c, cl.http_protocol_options as Record<string, unknown>, `${path}.http_protocol_options`, who, true);
}

/** What Envoy's OriginalDstClusterFactory refuses, and the override serve never sees. */
function originalDstClusterChecks(c: Collector, cl: Cluster, path: string, who: string): void {
  const lb = cl.lb_policy ?? 'ROUND_ROBIN';
  if (lb !== 'CLUSTER_PROVIDED') {
    c.add('error', cl, cl.lb_policy === undefined ? 'type' : 'lb_policy', path, `${who}: LB policy ${lb} is not valid for Cluster type ORIGINAL_DST. Only 'CLUSTER_PROVIDED' is allowed with cluster type 'ORIGINAL_DST'`, ORIGINAL_DST_RULE);
  }
  if (cl.load_assignment !== undefined) c.add('error', cl, 'load_assignment', path, `${who}: ORIGINAL_DST clusters must have no load assignment configured`, ORIGINAL_DST_RULE);
  const od = cl.original_dst_lb_config;
  if (od === undefined) return;
  const odPath = `${path}.original_dst_lb_config`;
  if (od.use_http_header !== true && od.http_header_name) {
    c.add('error', od, 'http_header_name', odPath, `${who}: ORIGINAL_DST cluster: invalid config http_header_name=${od.http_header_name} and use_http_header is false. Set use_http_header to true if http_header_name is desired.`, ORIGINAL_DST_RULE);
  }
  if (od.metadata_key !== undefined) c.warn(od, 'metadata_key', odPath, `${who}: original_dst_lb_config.metadata_key never finds an address in serve (no filter of tsproxy sets dynamic metadata)`);
}

function thresholdChecks(c: Collector, t: CircuitBreakerThresholds, path: string, who: string): void {
  const raw = t as unknown as Record<string, unknown>;
  if (t.priority === 'HIGH') c.warn(t, 'priority', path, `${who}: circuit breaker thresholds for priority HIGH are not implemented by serve; every request uses the DEFAULT thresholds`);
  if (t.retry_budget !== undefined) c.warn(t, 'retry_budget', path, `${who}: circuit_breakers retry_budget is not implemented by serve; max_retries limits concurrent retries instead`);
  if (raw['max_connection_pools'] !== undefined) c.warn(t, 'max_connection_pools', path, `${who}: circuit_breakers max_connection_pools is not implemented by serve; connection pools are not limited`);
}
