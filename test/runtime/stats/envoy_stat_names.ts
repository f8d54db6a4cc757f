/**
 * Stat names and types as Envoy's documentation lists them (docs/root/configuration/...):
 * upstream/cluster_manager/cluster_stats.rst, http/http_conn_man/stats.rst,
 * http/http_filters/router_filter.rst, http/http_filters/fault_filter.rst,
 * http/http_filters/cors_filter.rst, listeners/stats.rst, observability/statistics.rst (server).
 * Only the names a plain-HTTP/1 proxy can produce are listed (no TLS, HTTP/2-3, health check,
 * outlier or subset sections).
 */
export type StatType = 'counter' | 'gauge' | 'histogram';

const parse = (text: string): ReadonlyMap<string, StatType> =>
  new Map(
    text
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/,\s*/))
      .map(([name, type]) => [name!, type!.toLowerCase() as StatType]),
  );

/** `cluster.<name>.` (cluster_stats.rst: cluster, dynamic HTTP, retry, circuit breakers, load balancer). */
export const CLUSTER = parse(`
upstream_cx_total, Counter
upstream_cx_active, Gauge
upstream_cx_http1_total, Counter
upstream_cx_http2_total, Counter
upstream_cx_connect_fail, Counter
upstream_cx_connect_timeout, Counter
upstream_cx_idle_timeout, Counter
upstream_cx_max_duration_reached, Counter
upstream_cx_overflow, Counter
upstream_cx_connect_ms, Histogram
upstream_cx_length_ms, Histogram
upstream_cx_destroy, Counter
upstream_cx_destroy_local, Counter
upstream_cx_destroy_remote, Counter
upstream_cx_destroy_with_active_rq, Counter
upstream_cx_destroy_local_with_active_rq, Counter
upstream_cx_destroy_remote_with_active_rq, Counter
upstream_cx_close_notify, Counter
upstream_cx_rx_bytes_total, Counter
upstream_cx_tx_bytes_total, Counter
upstream_cx_pool_overflow, Counter
upstream_cx_protocol_error, Counter
upstream_cx_max_requests, Counter
upstream_cx_none_healthy, Counter
upstream_rq_total, Counter
upstream_rq_active, Gauge
upstream_rq_pending_total, Counter
upstream_rq_pending_overflow, Counter
upstream_rq_pending_failure_eject, Counter
upstream_rq_pending_active, Gauge
upstream_rq_cancelled, Counter
upstream_rq_maintenance_mode, Counter
upstream_rq_timeout, Counter
upstream_rq_max_duration_reached, Counter
upstream_rq_per_try_timeout, Counter
upstream_rq_rx_reset, Counter
upstream_rq_tx_reset, Counter
upstream_rq_retry, Counter
upstream_rq_retry_backoff_exponential, Counter
upstream_rq_retry_backoff_ratelimited, Counter
upstream_rq_retry_limit_exceeded, Counter
upstream_rq_retry_success, Counter
upstream_rq_retry_overflow, Counter
membership_change, Counter
membership_healthy, Gauge
membership_degraded, Gauge
membership_excluded, Gauge
membership_total, Gauge
retry_or_shadow_abandoned, Counter
update_attempt, Counter
update_success, Counter
update_failure, Counter
update_empty, Counter
update_no_rebuild, Counter
upstream_rq_completed, Counter
upstream_rq_time, Histogram
retry.upstream_rq_completed, Counter
lb_healthy_panic, Counter
circuit_breakers.default.cx_open, Gauge
circuit_breakers.default.cx_pool_open, Gauge
circuit_breakers.default.rq_pending_open, Gauge
circuit_breakers.default.rq_open, Gauge
circuit_breakers.default.rq_retry_open, Gauge
circuit_breakers.default.remaining_cx, Gauge
circuit_breakers.default.remaining_pending, Gauge
circuit_breakers.default.remaining_rq, Gauge
circuit_breakers.default.remaining_retries, Gauge
`);

/** `upstream_rq_<*xx>`, `upstream_rq_<*>` (dynamic HTTP statistics), also under `retry.`. */
export const CLUSTER_DYNAMIC = /^(?:retry\.)?upstream_rq_(?:[1-5]xx|[1-5]\d\d)$/;

/** `http.<stat_prefix>.` (http_conn_man/stats.rst, router_filter.rst, fault_filter.rst `fault.`, cors_filter.rst `cors.`). */
export const HTTP = parse(`
downstream_cx_total, Counter
downstream_cx_http1_total, Counter
downstream_cx_http2_total, Counter
downstream_cx_http2_active, Gauge
downstream_cx_destroy, Counter
downstream_cx_destroy_remote, Counter
downstream_cx_destroy_local, Counter
downstream_cx_destroy_active_rq, Counter
downstream_cx_destroy_local_active_rq, Counter
downstream_cx_destroy_remote_active_rq, Counter
downstream_cx_active, Gauge
downstream_cx_http1_active, Gauge
downstream_cx_ssl_total, Counter
downstream_cx_ssl_active, Gauge
downstream_cx_protocol_error, Counter
downstream_cx_length_ms, Histogram
downstream_cx_rx_bytes_total, Counter
downstream_cx_tx_bytes_total, Counter
downstream_cx_drain_close, Counter
downstream_cx_idle_timeout, Counter
downstream_cx_max_duration_reached, Counter
downstream_cx_max_requests_reached, Counter
downstream_flow_control_paused_reading_total, Counter
downstream_flow_control_resumed_reading_total, Counter
downstream_rq_total, Counter
downstream_rq_http1_total, Counter
downstream_rq_http2_total, Counter
downstream_rq_active, Gauge
downstream_rq_response_before_rq_complete, Counter
downstream_rq_rx_reset, Counter
downstream_rq_tx_reset, Counter
downstream_rq_non_relative_path, Counter
downstream_rq_too_large, Counter
downstream_rq_completed, Counter
downstream_rq_failed_path_normalization, Counter
downstream_rq_1xx, Counter
downstream_rq_2xx, Counter
downstream_rq_3xx, Counter
downstream_rq_4xx, Counter
downstream_rq_5xx, Counter
downstream_rq_ws_on_non_ws_route, Counter
downstream_rq_time, Histogram
downstream_rq_idle_timeout, Counter
downstream_rq_header_timeout, Counter
downstream_rq_max_duration_reached, Counter
downstream_rq_timeout, Counter
downstream_rq_overload_close, Counter
downstream_rq_redirected_with_normalized_path, Counter
rs_too_large, Counter
no_route, Counter
no_cluster, Counter
rq_redirect, Counter
rq_direct_response, Counter
rq_total, Counter
rq_reset_after_downstream_response_started, Counter
fault.delays_injected, Counter
fault.aborts_injected, Counter
fault.response_rl_injected, Counter
fault.faults_overflow, Counter
fault.active_faults, Gauge
cors.origin_valid, Counter
cors.origin_invalid, Counter
`);

/** `listener.<address>.` (listeners/stats.rst). */
export const LISTENER = parse(`
downstream_cx_total, Counter
downstream_cx_destroy, Counter
downstream_cx_active, Gauge
downstream_cx_length_ms, Histogram
downstream_cx_transport_socket_connect_timeout, Counter
downstream_cx_overflow, Counter
downstream_listener_filter_remote_close, Counter
downstream_pre_cx_timeout, Counter
downstream_pre_cx_active, Gauge
global_cx_overflow, Counter
no_filter_chain_match, Counter
`);

/** `server.` (observability/statistics.rst). */
export const SERVER = parse(`
uptime, Gauge
concurrency, Gauge
memory_allocated, Gauge
memory_heap_size, Gauge
memory_physical_size, Gauge
live, Gauge
state, Gauge
parent_connections, Gauge
total_connections, Gauge
version, Gauge
days_until_first_cert_expiring, Gauge
hot_restart_epoch, Gauge
`);

/** `filesystem.` (configuration/observability/access_log/stats.rst: file access log statistics). */
export const FILESYSTEM = parse(`
write_buffered, Counter
write_completed, Counter
write_failed, Counter
flushed_by_timer, Counter
reopen_failed, Counter
write_total_buffered, Gauge
`);

/** `http1.` (configuration/http/http_conn_man/stats.rst: HTTP/1 codec statistics, rooted at http1.). */
export const HTTP1 = parse(`
dropped_headers_with_underscores, Counter
metadata_not_supported_error, Counter
requests_rejected_with_underscores_in_headers, Counter
response_flood, Counter
`);
