/**
 * serve's startup checks of listeners: listener filters (the original destination filter and the
 * TLS inspector run, any other does not), listener fields serve does not honour, filter chains
 * (transport sockets, matches that need the TLS inspector, network filters other than the HTTP
 * connection manager: errors), the HTTP connection manager's fields and router filter options,
 * then its inline route configuration (serve_unsupported_route.ts). Pure: reads the config and
 * positions only.
 */
import type { Any, FilterChain, HttpConnectionManager, Listener } from '../config/types.js';
import { findHttpConnectionManager } from '../core/listener_match.js';
import { isOriginalDstListenerFilter } from '../core/original_dst_handoff.js';
import { isEnvoyType } from '../config/extension_catalogue.js';
import { hasTlsInspector, isTlsInspector } from './network/listener_tls.js';
import { isSet, typeName, type Collector } from './serve_unsupported_collector.js';
import { transportSocketCheck } from './serve_unsupported_transport.js';
import { http1OptionsChecks, protocolOptionsChecks } from './serve_unsupported_protocol.js';
import { routeConfigChecks } from './serve_unsupported_route.js';

const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';

/** Every check of one listener (`path`: its JSON path), its filter chains included. */
export function listenerChecks(c: Collector, l: Listener, path: string): void {
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

function routerChecks(c: Collector, r: Any, path: string, who: string): void {
  const w = (f: string, m: string): void => c.warn(r, f, path, `${who}: ${f} ${m}`);
  if (isSet(r['upstream_log'])) w('upstream_log', 'is not implemented by serve; no upstream log is written');
  if (r['upstream_log_options'] !== undefined) w('upstream_log_options', 'is not implemented by serve');
  if (isSet(r['strict_check_headers'])) w('strict_check_headers', 'is not implemented by serve; x-envoy-* request headers are not validated');
  if (r['respect_expected_rq_timeout'] === true) w('respect_expected_rq_timeout', 'is not implemented by serve; x-envoy-expected-rq-timeout-ms from the client is not used as the timeout');
  if (r['dynamic_stats'] === false) w('dynamic_stats', 'false is not implemented by serve; per-response-code stats are always kept');
}
