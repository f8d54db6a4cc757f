/**
 * What `tsproxy serve` does not implement yet, said out loud. The config loader decodes many
 * fields that the offline tools read (match prints mirror policies, explain shows hash policies,
 * lint checks health checks) but that the data plane does not act on. `serveUnsupported` walks a
 * LoadedConfig and returns one `serve/unsupported` diagnostic per such configured feature, at the
 * position where the user wrote it, naming the field and what serve does instead. Project rule:
 * a known Envoy feature tsproxy does not implement is a warning that names it, never silently
 * ignored.
 *
 * Severity: a warning, and serve still starts, except where running without the feature would be
 * a security hole. Those are errors and serve refuses to start:
 *  - a `transport_socket` other than raw_buffer or TLS on a filter chain or a cluster (also inside
 *    `transport_socket_matches`); a TLS setting Node cannot honour, or certificate material that
 *    cannot be loaded (rule `serve/tls`, network/tls_context.ts): never a silently weaker TLS;
 *  - a network filter other than the HTTP connection manager in a served filter chain
 *    (network rbac, ext_authz, ratelimit ... would be skipped), as for HTTP filters;
 *  - a route's cluster specifier plugin that is not `is_optional` (serve runs none).
 * An ORIGINAL_DST cluster Envoy would refuse to load (lb_policy other than CLUSTER_PROVIDED,
 * load_assignment, http_header_name without use_http_header) is an error too (rule
 * `serve/original-dst`).
 *
 * Tracing providers serve cannot run are refused by runtime/tracing/tracer_manager.ts.
 * A cluster's `auto_config` upstream protocol selection without a TLS transport socket is an
 * error, as Envoy refuses it (ALPN needs TLS).
 *
 * Fields the loader itself flags (`schema/unsupported`: the HCM's http2_protocol_options,
 * hedge_policy, rate_limits, retry_priority, lb_subset_config, ...) and what the data plane
 * already refuses (codec_type HTTP2, rds, unknown HTTP filters) are not repeated here.
 * Pure: reads the config and positions only. Exhaustiveness comes from reading src/runtime; when
 * the runtime learns a feature, delete its check here (and its line in docs/serve.md).
 *
 * The checks, one part of the config per file: serve_unsupported_listener.ts (listeners, filter
 * chains, the HTTP connection manager, the router filter), serve_unsupported_route.ts (route
 * configurations), serve_unsupported_cluster.ts (clusters), with what they share in
 * serve_unsupported_transport.ts (transport sockets, TLS), serve_unsupported_protocol.ts (HTTP
 * protocol options) and serve_unsupported_collector.ts (the positioned diagnostics).
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { LoadedConfig } from '../config/types.js';
import { serveNotModelled } from './serve_not_modelled.js';
import { Collector, isSet, SERVE_UNSUPPORTED_RULE } from './serve_unsupported_collector.js';
import { listenerChecks } from './serve_unsupported_listener.js';
import { clusterChecks } from './serve_unsupported_cluster.js';

export { SERVE_UNSUPPORTED_RULE } from './serve_unsupported_collector.js';
export { SERVE_TLS_RULE } from './serve_unsupported_transport.js';

/**
 * Every configured feature of `config` that `tsproxy serve` does not implement: warnings (serve
 * starts without the feature) and errors (serve refuses to start). Sorted by position.
 */
export function serveUnsupported(config: LoadedConfig): Diagnostic[] {
  const c = new Collector(config.file);
  bootstrapChecks(c, config);
  config.listeners.forEach((l, i) => listenerChecks(c, l, `$.static_resources.listeners[${i}]`));
  config.clusters.forEach((cl, i) => clusterChecks(c, cl, `$.static_resources.clusters[${i}]`));
  c.out.push(...serveNotModelled(config, SERVE_UNSUPPORTED_RULE));
  return c.out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** The bootstrap's DNS resolver settings: DNS clusters resolve with the system resolver. */
function bootstrapChecks(c: Collector, config: LoadedConfig): void {
  const b = config.bootstrap;
  if (!b || config.kind !== 'bootstrap') return;
  for (const f of ['use_tcp_for_dns_lookups', 'dns_resolution_config', 'typed_dns_resolver_config']) {
    if (isSet(b[f])) c.warn(b, f, '$', `${f}: custom DNS resolver settings are not implemented by serve; DNS clusters resolve with the system resolver`);
  }
}

/**
 * The cluster manager's own warnings (`ClusterManagerImpl.warnings`, plain strings of the form
 * `cluster '<name>': ...`) that `diagnostics` do not already report with a position, so startup
 * logs each problem once. A warning is covered when a serve/unsupported diagnostic names the
 * same cluster and the same feature.
 */
export function uncoveredClusterManagerWarnings(warnings: readonly string[], diagnostics: readonly Diagnostic[]): string[] {
  const FEATURES = ['lb_policy', 'EDS', 'per_host_thresholds', 'MURMUR_HASH_2', 'health_checks', 'outlier_detection'];
  return warnings.filter((wm) => {
    const m = /^cluster '([^']*)'/.exec(wm);
    if (!m) return true;
    const feature = FEATURES.find((f) => wm.includes(f));
    if (feature === undefined) return true;
    return !diagnostics.some((d) => d.rule === SERVE_UNSUPPORTED_RULE && d.message.startsWith(`cluster "${m[1]}":`) && d.message.includes(feature));
  });
}
