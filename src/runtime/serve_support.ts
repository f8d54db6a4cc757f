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
 */
import type { Diagnostic, Severity } from '../config/diagnostic.js';
import type {
  Any,
  CircuitBreakerThresholds,
  Cluster,
  FilterChain,
  HttpConnectionManager,
  HttpProtocolOptions,
  Listener,
  LoadedConfig,
  RetryPolicy,
  Route,
  RouteAction,
  RouteConfiguration,
  VirtualHost,
} from '../config/types.js';
import { fieldPositionOf, jsonPathOf, positionOf } from '../config/position.js';
import { findHttpConnectionManager } from '../core/listener_match.js';
import { clusterSpecifierPluginLabel, clusterSpecifierPluginOf } from '../core/cluster_specifier_plugin.js';
import { isOriginalDstListenerFilter } from '../core/original_dst_handoff.js';
import { isEnvoyType } from '../config/extension_catalogue.js';
import { serveNotModelled } from './serve_not_modelled.js';
import {
  DOWNSTREAM_TLS_CONTEXT_TYPE,
  UPSTREAM_TLS_CONTEXT_TYPE,
  transportSocketKind,
  type DownstreamTlsContext,
  type UpstreamTlsContext,
} from '../config/tls_types.js';
import { compiledTlsContext } from './network/tls_compile_cache.js';
import { hasTlsInspector, isTlsInspector } from './network/listener_tls.js';

/** The rule id of every diagnostic this module returns. */
export const SERVE_UNSUPPORTED_RULE = 'serve/unsupported';

/** `retry_on` conditions the router implements (router_retry.ts). */
const SUPPORTED_RETRY_ON: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes', 'reset',
]);
const SUPPORTED_LB: ReadonlySet<string> = new Set(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV']);
const SUPPORTED_DISCOVERY: ReadonlySet<string> = new Set(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'ORIGINAL_DST']);
/** Invalid ORIGINAL_DST clusters (Envoy refuses them). */
const ORIGINAL_DST_RULE = 'serve/original-dst';
const UPSTREAM_HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';

/** `type.googleapis.com/a.b.C` -> `a.b.C`. */
function typeName(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const i = url.lastIndexOf('/');
  return i >= 0 ? url.slice(i + 1) : url;
}

/** A raw (undecoded) object's field, in snake_case or lowerCamelCase. */
function rawField(obj: unknown, snake: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if (o[snake] !== undefined) return o[snake];
  return o[snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())];
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

class Collector {
  readonly out: Diagnostic[] = [];
  constructor(private readonly file: string) {}

  /**
   * A diagnostic at `node.field` (where the user wrote the field; the node itself when `field`
   * is undefined). `basePath` is the node's JSON path when the decoder did not record one.
   */
  add(severity: Severity, node: object, field: string | undefined, basePath: string, message: string, rule = SERVE_UNSUPPORTED_RULE): void {
    // A field that is absent (a required one missing) is reported at its message.
    const pos = (field === undefined ? undefined : fieldPositionOf(node, field)) ?? positionOf(node);
    const base = jsonPathOf(node) ?? basePath;
    this.out.push({
      file: pos?.file ?? this.file,
      line: pos?.line ?? 1,
      col: pos?.col ?? 1,
      ...(pos?.endLine !== undefined ? { endLine: pos.endLine, endCol: pos.endCol } : {}),
      severity,
      rule,
      message,
      path: field === undefined ? base : /^\d+$/.test(field) ? `${base}[${field}]` : `${base}.${field}`,
    });
  }

  warn(node: object, field: string, basePath: string, message: string): void {
    this.add('warning', node, field, basePath, message);
  }
}

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

// ---------------------------------------------------------------------------------------------
// bootstrap
// ---------------------------------------------------------------------------------------------

function bootstrapChecks(c: Collector, config: LoadedConfig): void {
  const b = config.bootstrap;
  if (!b || config.kind !== 'bootstrap') return;
  for (const f of ['use_tcp_for_dns_lookups', 'dns_resolution_config', 'typed_dns_resolver_config']) {
    if (isSet(b[f])) c.warn(b, f, '$', `${f}: custom DNS resolver settings are not implemented by serve; DNS clusters resolve with the system resolver`);
  }
}

// ---------------------------------------------------------------------------------------------
// listeners, filter chains, HTTP connection managers
// ---------------------------------------------------------------------------------------------

function listenerChecks(c: Collector, l: Listener, path: string): void {
  const name = `listener "${l.name ?? ''}"`;
  const raw = l as unknown as Record<string, unknown>;
  (l.listener_filters ?? []).forEach((f, i) => {
    const t = typeName(f.typed_config?.['@type']);
    // The original destination listener filter runs (network/original_dst_listener.ts).
    if (isOriginalDstListenerFilter(f)) return;
    // The TLS inspector runs (network/tls_inspector.ts); JA3/JA4 fingerprints are not computed.
    if (isTlsInspector(f)) {
      const tc = f.typed_config as Record<string, unknown> | undefined;
      for (const k of ['enable_ja3_fingerprinting', 'enable_ja4_fingerprinting']) {
        if (tc?.[k] === true) c.warn(tc, k, `${path}.listener_filters[${i}].typed_config`, `${name}: tls_inspector ${k} is not implemented by serve; %TLS_JA3_FINGERPRINT%/%TLS_JA4_FINGERPRINT% stay empty`);
      }
      return;
    }
    const what = t !== undefined && isEnvoyType(t) ? `listener filter "${f.name}" (${t})` : `listener filter "${f.name}"`;
    c.warn(l.listener_filters!, String(i), `${path}.listener_filters`, `${name}: ${what} is not implemented by serve; it does not run`);
  });
  if (isSet(l.access_log)) {
    c.warn(l, 'access_log', path, `${name}: listener access_log is not written by serve (only the HTTP connection manager's access_log is)`);
  }
  if (l.per_connection_buffer_limit_bytes !== undefined) {
    c.warn(l, 'per_connection_buffer_limit_bytes', path, `${name}: per_connection_buffer_limit_bytes is not implemented by serve; request bodies are buffered up to Envoy's default 1 MiB`);
  }
  for (const f of ['freebind', 'tcp_fast_open_queue_length', 'tcp_backlog_size', 'enable_mptcp']) {
    const v = raw[f];
    if (v !== undefined && v !== false) c.warn(l, f, path, `${name}: ${f} is not implemented by serve; the socket is opened without it`);
  }
  const chains: Array<{ chain: FilterChain; path: string }> = (l.filter_chains ?? []).map((chain, i) => ({ chain, path: `${path}.filter_chains[${i}]` }));
  if (l.default_filter_chain) chains.push({ chain: l.default_filter_chain, path: `${path}.default_filter_chain` });
  const inspector = hasTlsInspector(l);
  for (const { chain, path: cpath } of chains) filterChainChecks(c, chain, cpath, name, inspector);
}

/** Rule of TLS settings serve cannot honour (or material it cannot load): errors. */
export const SERVE_TLS_RULE = 'serve/tls';

/**
 * Transport socket checks shared by filter chains and clusters: raw_buffer is fine; TLS is
 * compiled (network/tls_context.ts) and every setting Node cannot honour, or certificate it
 * cannot load, is an error at its field; any other transport socket is an error.
 */
function transportSocketCheck(c: Collector, owner: object, ts: { name?: string; typed_config?: Any } | undefined, path: string, who: string, downstream: boolean): void {
  if (!ts) return;
  const kind = transportSocketKind({ name: ts.name ?? '', ...(ts.typed_config ? { typed_config: ts.typed_config } : {}) });
  if (kind === 'raw_buffer') return;
  const t = typeName(ts.typed_config?.['@type']);
  if (kind === 'other') {
    c.add('error', owner, 'transport_socket', path, `${who}: the transport socket "${t ?? ts.name ?? ''}" (transport_socket) is not implemented by serve; the bytes on the wire would not be what the peer expects; refusing to start`);
    return;
  }
  const want = downstream ? DOWNSTREAM_TLS_CONTEXT_TYPE : UPSTREAM_TLS_CONTEXT_TYPE;
  if (t !== undefined && t !== want) {
    c.add('error', owner, 'transport_socket', path, `${who}: a ${downstream ? 'listener' : 'cluster'} transport socket takes ${want.slice(want.lastIndexOf('.') + 1)}, not ${t.slice(t.lastIndexOf('.') + 1)}`, SERVE_TLS_RULE);
    return;
  }
  const cfg = (ts.typed_config ?? {}) as DownstreamTlsContext | UpstreamTlsContext;
  const r = compiledTlsContext(cfg, downstream ? 'downstream' : 'upstream');
  const base = `${path}.transport_socket.typed_config`;
  for (const p of r.problems) c.add('error', p.node, p.field, p.path ? `${base}.${p.path}` : base, `${who}: TLS ${p.message}`, SERVE_TLS_RULE);
}

function filterChainChecks(c: Collector, chain: FilterChain, path: string, who: string, inspector: boolean): HttpConnectionManager | undefined {
  const chainWho = chain.name ? `${who}, filter chain "${chain.name}"` : who;
  transportSocketCheck(c, chain, chain.transport_socket, path, chainWho, true);
  const m = chain.filter_chain_match;
  if (m) {
    const mpath = `${path}.filter_chain_match`;
    // SNI, ALPN and the `tls` transport protocol come from the tls_inspector listener filter (as in Envoy).
    const noInspector = 'the listener has no envoy.filters.listener.tls_inspector, so this filter chain never matches (as in Envoy)';
    if (!inspector && isSet(m.server_names)) c.warn(m, 'server_names', mpath, `${chainWho}: filter_chain_match.server_names needs the SNI; ${noInspector}`);
    if (!inspector && isSet(m.application_protocols)) c.warn(m, 'application_protocols', mpath, `${chainWho}: filter_chain_match.application_protocols needs the ALPN; ${noInspector}`);
    if (m.transport_protocol === 'tls' && !inspector) {
      c.warn(m, 'transport_protocol', mpath, `${chainWho}: filter_chain_match.transport_protocol "tls" needs TLS detection; ${noInspector}`);
    } else if (m.transport_protocol !== undefined && m.transport_protocol !== 'raw_buffer' && m.transport_protocol !== 'tls') {
      c.warn(m, 'transport_protocol', mpath, `${chainWho}: filter_chain_match.transport_protocol "${m.transport_protocol}" is never detected by serve (only tls and raw_buffer are); this filter chain never matches`);
    }
  }
  const found = findHttpConnectionManager(chain);
  if (!found) return undefined; // the server refuses such a chain itself (serve/no-hcm)
  (chain.filters ?? []).forEach((f, i) => {
    if (i === found.index) return;
    const t = typeName(f.typed_config?.['@type']) ?? f.name;
    c.add('error', chain.filters!, String(i), `${path}.filters`, `${chainWho}: network filter "${f.name}" (${t}) cannot run in tsproxy serve; refusing to start rather than skip it`);
  });
  hcmChecks(c, found.hcm, `${path}.filters[${found.index}].typed_config`);
  return found.hcm;
}

function hcmChecks(c: Collector, hcm: HttpConnectionManager, path: string): void {
  const who = `HTTP connection manager "${hcm.stat_prefix}"`;
  const raw = hcm as unknown as Record<string, unknown>;
  const w = (field: string, message: string): void => c.warn(hcm, field, path, `${who}: ${message}`);
  if (hcm.add_user_agent === true) w('add_user_agent', 'add_user_agent is not implemented by serve; x-envoy-downstream-service-cluster/-node are not added');
  if (hcm.proxy_100_continue === true) w('proxy_100_continue', 'proxy_100_continue is not implemented by serve; serve answers Expect: 100-continue itself');
  if (hcm.represent_ipv4_remote_address_as_ipv4_mapped_ipv6 === true) w('represent_ipv4_remote_address_as_ipv4_mapped_ipv6', 'represent_ipv4_remote_address_as_ipv4_mapped_ipv6 is not implemented by serve; IPv4 addresses stay IPv4');
  if ((hcm.upgrade_configs ?? []).some((u) => (u.filters ?? []).length > 0)) w('upgrade_configs', 'upgrade_configs[].filters are not run by serve; an upgrade goes through the connection manager\'s own http_filters');
  if (hcm.request_id_extension !== undefined) w('request_id_extension', 'request_id_extension is not implemented by serve; x-request-id is a random UUID');
  if (hcm.stream_error_on_invalid_http_message === true) w('stream_error_on_invalid_http_message', 'stream_error_on_invalid_http_message is not implemented by serve; a malformed request closes the connection');
  if (hcm.delayed_close_timeout !== undefined) w('delayed_close_timeout', 'delayed_close_timeout is not implemented by serve; connections close as soon as the response is written');
  if (raw['append_local_overload'] === true) w('append_local_overload', 'append_local_overload is not implemented by serve (no overload manager)');
  for (const f of ['access_log_flush_interval', 'flush_access_log_on_new_request']) {
    if (raw[f] !== undefined && raw[f] !== false) w(f, `${f} is not implemented by serve; access log lines are written when a stream ends`);
  }
  protocolOptionsChecks(c, hcm.common_http_protocol_options, `${path}.common_http_protocol_options`, who, true);
  const h1 = hcm.http_protocol_options as Record<string, unknown> | undefined;
  if (h1) http1OptionsChecks(c, h1, `${path}.http_protocol_options`, who);
  (hcm.http_filters ?? []).forEach((f, i) => {
    if (f.disabled || typeName(f.typed_config?.['@type']) !== ROUTER_TYPE) return;
    routerChecks(c, f.typed_config!, `${path}.http_filters[${i}].typed_config`, `${who}, router filter`);
  });
  if (hcm.route_config) routeConfigChecks(c, hcm.route_config, `${path}.route_config`);
}

/** `HttpProtocolOptions` (HCM common_http_protocol_options, cluster upstream options). */
function protocolOptionsChecks(c: Collector, o: HttpProtocolOptions | undefined, path: string, who: string, downstream: boolean): void {
  if (!o) return;
  const raw = o as unknown as Record<string, unknown>;
  const w = (f: string, m: string): void => c.warn(o, f, path, `${who}: common_http_protocol_options.${f} ${m}`);
  if (o.max_connection_duration !== undefined) w('max_connection_duration', 'is not implemented by serve; connections are not closed after a maximum duration');
  if (!downstream && o.max_stream_duration !== undefined) w('max_stream_duration', 'is not implemented by serve for upstream streams (the downstream one is)');
  if (raw['max_response_headers_kb'] !== undefined) w('max_response_headers_kb', 'is not implemented by serve; upstream response headers are limited to 60 KiB');
  if (!downstream && o.max_headers_count !== undefined) w('max_headers_count', 'is not implemented by serve for upstream responses');
}

/**
 * `Http1ProtocolOptions` flags serve does not honour when turned on. `upstream`: a cluster's
 * options, where enable_trailers is implemented (request trailers are written upstream).
 */
function http1OptionsChecks(c: Collector, h1: Record<string, unknown>, path: string, who: string, upstream = false): void {
  for (const f of [...(upstream ? [] : ['enable_trailers']), 'allow_chunked_length', 'allow_custom_methods', 'override_stream_error_on_invalid_http_message', 'send_fully_qualified_url']) {
    if (h1[f] === true) c.warn(h1, f, path, `${who}: http_protocol_options.${f} is not implemented by serve; HTTP/1.1 behaves as with ${f}: false`);
  }
}

function routerChecks(c: Collector, r: Any, path: string, who: string): void {
  const w = (f: string, m: string): void => c.warn(r, f, path, `${who}: ${f} ${m}`);
  if (isSet(r['upstream_log'])) w('upstream_log', 'is not implemented by serve; no upstream log is written');
  if (r['upstream_log_options'] !== undefined) w('upstream_log_options', 'is not implemented by serve');
  if (isSet(r['strict_check_headers'])) w('strict_check_headers', 'is not implemented by serve; x-envoy-* request headers are not validated');
  if (r['respect_expected_rq_timeout'] === true) w('respect_expected_rq_timeout', 'is not implemented by serve; x-envoy-expected-rq-timeout-ms from the client is not used as the timeout');
  if (r['dynamic_stats'] === false) w('dynamic_stats', 'false is not implemented by serve; per-response-code stats are always kept');
}

// ---------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------

function mirrorCheck(c: Collector, node: { request_mirror_policies?: unknown[] }, path: string, who: string): void {
  if (isSet(node.request_mirror_policies)) {
    c.warn(node, 'request_mirror_policies', path, `${who}: request_mirror_policies (request shadowing) are not implemented by serve; requests are not mirrored`);
  }
}

function routeConfigChecks(c: Collector, rc: RouteConfiguration, path: string): void {
  const who = `route configuration${rc.name ? ` "${rc.name}"` : ''}`;
  mirrorCheck(c, rc, path, who);
  (rc.virtual_hosts ?? []).forEach((vh, i) => virtualHostChecks(c, vh, `${path}.virtual_hosts[${i}]`));
  clusterSpecifierPluginChecks(c, rc, path);
}

/**
 * Cluster specifier plugins: serve runs none. One that is not `is_optional` makes Envoy refuse a
 * config it cannot load, so serve refuses to start rather than answer 503 to every request routed
 * to it; an optional one starts, and requests routed to it get 503 NC (cluster_not_found).
 */
function clusterSpecifierPluginChecks(c: Collector, rc: RouteConfiguration, path: string): void {
  (rc.virtual_hosts ?? []).forEach((vh, vi) => {
    (vh.routes ?? []).forEach((r, ri) => {
      const p = r.route === undefined ? undefined : clusterSpecifierPluginOf(r.route, rc);
      if (p === undefined) return;
      const rpath = `${path}.virtual_hosts[${vi}].routes[${ri}].route`;
      const who = `virtual host "${vh.name}", ${r.name ? `route "${r.name}"` : `routes[${ri}]`}`;
      const what = clusterSpecifierPluginLabel(p);
      if (!p.defined) {
        c.add('error', r.route!, p.field, rpath, `${who}: ${what} is not defined in cluster_specifier_plugins; Envoy refuses this config; refusing to start`);
      } else if (p.optional) {
        c.warn(r.route!, p.field, rpath, `${who}: ${what} cannot run in tsproxy serve; it is is_optional, so serve starts and requests routed here get 503 NC (cluster_not_found)`);
      } else {
        c.add('error', r.route!, p.field, rpath, `${who}: ${what} cannot run in tsproxy serve; refusing to start rather than answer 503 to every request routed here (mark it is_optional to start anyway)`);
      }
    });
  });
}

function bufferLimitChecks(c: Collector, node: object, path: string, who: string): void {
  const raw = node as Record<string, unknown>;
  for (const f of ['per_request_buffer_limit_bytes', 'request_body_buffer_limit']) {
    if (raw[f] !== undefined) c.warn(node, f, path, `${who}: ${f} is not implemented by serve; request bodies are buffered up to Envoy's default 1 MiB`);
  }
}

function virtualHostChecks(c: Collector, vh: VirtualHost, path: string): void {
  const who = `virtual host "${vh.name}"`;
  mirrorCheck(c, vh, path, who);
  if (isSet(vh.virtual_clusters)) {
    c.warn(vh, 'virtual_clusters', path, `${who}: virtual_clusters stats (vhost.${vh.name}.vcluster.*) are not kept by serve; the name reaches the access log only`);
  }
  if ((vh as unknown as Record<string, unknown>)['include_is_timeout_retry_header'] === true) {
    c.warn(vh, 'include_is_timeout_retry_header', path, `${who}: include_is_timeout_retry_header is not implemented by serve; x-envoy-is-timeout-retry is not added`);
  }
  bufferLimitChecks(c, vh, path, who);
  if (vh.retry_policy) retryPolicyChecks(c, vh.retry_policy, `${path}.retry_policy`, who);
  (vh.routes ?? []).forEach((r, i) => routeChecks(c, r, `${path}.routes[${i}]`, vh.name));
}

function routeChecks(c: Collector, r: Route, path: string, vhName: string): void {
  const who = `virtual host "${vhName}", ${r.name ? `route "${r.name}"` : path.slice(path.lastIndexOf('.') + 1)}`;
  if (r.stat_prefix !== undefined) c.warn(r, 'stat_prefix', path, `${who}: route stat_prefix is not implemented by serve; no per-route stats are kept`);
  bufferLimitChecks(c, r, path, who);
  if (isSet(r.match?.dynamic_metadata)) {
    c.warn(r.match, 'dynamic_metadata', `${path}.match`, `${who}: match.dynamic_metadata never sees metadata in serve (no filter of tsproxy sets dynamic metadata)`);
  }
  if (r.route) routeActionChecks(c, r.route, `${path}.route`, who);
}

function routeActionChecks(c: Collector, a: RouteAction, path: string, who: string): void {
  const raw = a as unknown as Record<string, unknown>;
  const w = (f: string, m: string): void => c.warn(a, f, path, `${who}: ${m}`);
  mirrorCheck(c, a, path, who);
  if (a.idle_timeout !== undefined) w('idle_timeout', 'route idle_timeout is not implemented by serve; the connection manager\'s stream_idle_timeout applies');
  if ((a.upgrade_configs ?? []).some((u) => (u as { connect_config?: unknown }).connect_config !== undefined)) w('upgrade_configs', 'upgrade_configs[].connect_config (CONNECT termination options) is not implemented by serve; CONNECT is tunnelled to the cluster\'s host as is');
  if (a.internal_redirect_policy !== undefined) w('internal_redirect_policy', 'internal_redirect_policy is not implemented by serve; upstream redirects are passed to the client');
  if (raw['internal_redirect_action'] === 'HANDLE_INTERNAL_REDIRECT') w('internal_redirect_action', 'internal_redirect_action HANDLE_INTERNAL_REDIRECT is not implemented by serve; upstream redirects are passed to the client');
  if (a.priority === 'HIGH') w('priority', 'priority HIGH is not implemented by serve; the cluster\'s DEFAULT priority circuit breakers apply');
  (a.hash_policy ?? []).forEach((h, i) => {
    if (h.cookie?.ttl !== undefined) {
      c.warn(h.cookie, 'ttl', `${path}.hash_policy[${i}].cookie`, `${who}: hash_policy cookie "${h.cookie.name}": generating the cookie (ttl) is not implemented by serve; a request without it is not hashed by it`);
    }
  });
  if (a.retry_policy) retryPolicyChecks(c, a.retry_policy, `${path}.retry_policy`, who);
}

function retryPolicyChecks(c: Collector, p: RetryPolicy, path: string, who: string): void {
  const w = (f: string, m: string): void => c.warn(p, f, path, `${who}: retry_policy.${m}`);
  if (p.retry_on) {
    const bad = p.retry_on.split(',').map((s) => s.trim()).filter((s) => s !== '' && !SUPPORTED_RETRY_ON.has(s));
    if (bad.length > 0) w('retry_on', `retry_on ${bad.map((s) => `"${s}"`).join(', ')} is not implemented by serve; those failures are not retried`);
  }
  if (isSet(p.retriable_headers)) w('retriable_headers', 'retriable_headers is not implemented by serve; responses are not retried on their headers');
  if (isSet(p.retriable_request_headers)) w('retriable_request_headers', 'retriable_request_headers is not implemented by serve; every request is eligible for retry');
  if (p.per_try_idle_timeout !== undefined) w('per_try_idle_timeout', 'per_try_idle_timeout is not implemented by serve; only per_try_timeout applies');
  if (p.host_selection_retry_max_attempts !== undefined && Number(p.host_selection_retry_max_attempts) > 1) {
    w('host_selection_retry_max_attempts', 'host_selection_retry_max_attempts above 1 is not implemented by serve; a retry re-picks a host once');
  }
}

// ---------------------------------------------------------------------------------------------
// clusters
// ---------------------------------------------------------------------------------------------

function clusterChecks(c: Collector, cl: Cluster, path: string): void {
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

/**
 * `auto_config` picks the protocol by TLS ALPN: Envoy refuses it on a cluster whose transport
 * socket (or one of its transport_socket_matches) is not TLS, with these words.
 */
function alpnTransportCheck(c: Collector, cl: Cluster, ext: Record<string, unknown>, path: string): void {
  const kind = (ts: unknown): string => transportSocketKind(ts as Parameters<typeof transportSocketKind>[0]);
  if (kind(cl.transport_socket) !== 'tls') {
    c.add('error', ext, 'auto_config', path, `ALPN configured for cluster ${cl.name} which has a non-ALPN transport socket (auto_config needs an UpstreamTlsContext)`);
  } else if ((cl.transport_socket_matches ?? []).some((m) => kind(m.transport_socket) !== 'tls')) {
    c.add('error', ext, 'auto_config', path, `ALPN configured for cluster ${cl.name} which has a non-ALPN transport socket matcher (every transport_socket_matches entry must be TLS)`);
  }
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
