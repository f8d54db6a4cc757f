/**
 * Envoy's defaults, as named constants. The decoder never fills them in (types.ts: an absent
 * field stays `undefined` so lint and explain can tell "absent" from "set"); whoever compiles a
 * message (core route table, runtime cluster manager, connection manager) applies these.
 *
 * Durations are milliseconds, like every decoded `Duration`.
 */
import type { FractionalPercentDenominator } from './types.js';

// --- route (envoy.config.route.v3) ---------------------------------------------------------

/** `RouteAction.timeout`: 15 s; `0s` disables the route timeout. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** `RetryPolicy.num_retries`: 1 when a retry policy is configured. */
export const DEFAULT_NUM_RETRIES = 1;
/** `RetryPolicy.RetryBackOff.base_interval`: 25 ms. */
export const DEFAULT_RETRY_BASE_INTERVAL_MS = 25;
/** `RetryPolicy.RetryBackOff.max_interval`: 10x base_interval, i.e. 250 ms by default. */
export const DEFAULT_RETRY_MAX_INTERVAL_MS = 250;
/** Factor applied to `base_interval` when `max_interval` is absent. */
export const RETRY_MAX_INTERVAL_FACTOR = 10;
/** `RetryPolicy.host_selection_retry_max_attempts`: 1. */
export const DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS = 1;
/** `RedirectAction.response_code`: MOVED_PERMANENTLY (301). */
export const DEFAULT_REDIRECT_RESPONSE_CODE = 'MOVED_PERMANENTLY';
/** `RouteAction.cluster_not_found_response_code`: SERVICE_UNAVAILABLE (503). */
export const DEFAULT_CLUSTER_NOT_FOUND_RESPONSE_CODE = 'SERVICE_UNAVAILABLE';
/** `RouteMatch.case_sensitive`: true. */
export const DEFAULT_CASE_SENSITIVE = true;
/** `FractionalPercent.denominator`: HUNDRED. */
export const DEFAULT_FRACTIONAL_PERCENT_DENOMINATOR = 'HUNDRED';
/** `FractionalPercent.DenominatorType` values. */
export const FRACTIONAL_PERCENT_DENOMINATORS: Readonly<Record<FractionalPercentDenominator, number>> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };
/** The value of a decoded `FractionalPercent.denominator` (absent: HUNDRED). */
export function fractionalPercentDenominator(d: FractionalPercentDenominator | undefined): number {
  return FRACTIONAL_PERCENT_DENOMINATORS[d ?? DEFAULT_FRACTIONAL_PERCENT_DENOMINATOR];
}
/** `HeaderValueOption.append` (deprecated): true, i.e. APPEND_IF_EXISTS_OR_ADD. */
export const DEFAULT_HEADER_APPEND = true;
/** `RouteConfiguration.max_direct_response_body_size_bytes`: 4096. */
export const DEFAULT_MAX_DIRECT_RESPONSE_BODY_SIZE_BYTES = 4096;
/** `InternalRedirectPolicy.max_internal_redirects`: 1. */
export const DEFAULT_MAX_INTERNAL_REDIRECTS = 1;
/** Runtime key `re2.max_program_size.error_level`: 100. */
export const DEFAULT_RE2_MAX_PROGRAM_SIZE_ERROR_LEVEL = 100;
/** Runtime key `re2.max_program_size.warn_level`: unset (no warning). */
export const RE2_MAX_PROGRAM_SIZE_ERROR_LEVEL_KEY = 're2.max_program_size.error_level';

// --- HTTP connection manager -----------------------------------------------------------------

/** `HttpConnectionManager.max_request_headers_kb`: 60 KiB. */
export const DEFAULT_MAX_REQUEST_HEADERS_KB = 60;
/** `HttpProtocolOptions.max_headers_count`: 100. */
export const DEFAULT_MAX_HEADERS_COUNT = 100;
/** `HttpConnectionManager.stream_idle_timeout`: 5 minutes. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
/** `HttpConnectionManager.request_timeout`: 0 (disabled). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 0;
/** `HttpConnectionManager.request_headers_timeout`: 0 (disabled). */
export const DEFAULT_REQUEST_HEADERS_TIMEOUT_MS = 0;
/** `HttpConnectionManager.common_http_protocol_options.idle_timeout` (downstream): 1 hour. */
export const DEFAULT_HCM_IDLE_TIMEOUT_MS = 3_600_000;
/** `HttpConnectionManager.drain_timeout`: 5 s. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/** `HttpConnectionManager.delayed_close_timeout`: 1 s. */
export const DEFAULT_DELAYED_CLOSE_TIMEOUT_MS = 1_000;
/** `HttpConnectionManager.codec_type`: AUTO. */
export const DEFAULT_CODEC_TYPE = 'AUTO';
/** `HttpConnectionManager.use_remote_address`: false. */
export const DEFAULT_USE_REMOTE_ADDRESS = false;
/** `HttpConnectionManager.xff_num_trusted_hops`: 0. */
export const DEFAULT_XFF_NUM_TRUSTED_HOPS = 0;
/** `HttpConnectionManager.generate_request_id`: true. */
export const DEFAULT_GENERATE_REQUEST_ID = true;
/** `HttpConnectionManager.server_name`: "envoy". */
export const DEFAULT_SERVER_NAME = 'envoy';
/** `HttpConnectionManager.server_header_transformation`: OVERWRITE. */
export const DEFAULT_SERVER_HEADER_TRANSFORMATION = 'OVERWRITE';
/** `HttpProtocolOptions.headers_with_underscores_action`: ALLOW. */
export const DEFAULT_HEADERS_WITH_UNDERSCORES_ACTION = 'ALLOW';
/** `HttpConnectionManager.normalize_path`: false (runtime `http_connection_manager.normalize_path`). */
export const DEFAULT_NORMALIZE_PATH = false;
/** `HttpConnectionManager.merge_slashes`: false. */
export const DEFAULT_MERGE_SLASHES = false;
/** `Http1ProtocolOptions.accept_http_10`: false (HTTP/1.0 gets 426). */
export const DEFAULT_ACCEPT_HTTP_10 = false;

// --- cluster (envoy.config.cluster.v3) -------------------------------------------------------

/** `Cluster.connect_timeout`: 5 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** `Cluster.type`: STATIC. */
export const DEFAULT_DISCOVERY_TYPE = 'STATIC';
/** `Cluster.lb_policy`: ROUND_ROBIN. */
export const DEFAULT_LB_POLICY = 'ROUND_ROBIN';
/** `Cluster.dns_refresh_rate`: 5 s. */
export const DEFAULT_DNS_REFRESH_RATE_MS = 5_000;
/** `Cluster.cleanup_interval`: ORIGINAL_DST clusters drop unused hosts this often. */
export const DEFAULT_ORIGINAL_DST_CLEANUP_INTERVAL_MS = 5_000;
/** `Cluster.dns_lookup_family`: AUTO. */
export const DEFAULT_DNS_LOOKUP_FAMILY = 'AUTO';
/** `Cluster.per_connection_buffer_limit_bytes`: 1 MiB. */
export const DEFAULT_PER_CONNECTION_BUFFER_LIMIT_BYTES = 1_048_576;
/** `CircuitBreakers.Thresholds.max_connections`: 1024. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** `CircuitBreakers.Thresholds.max_pending_requests`: 1024. */
export const DEFAULT_MAX_PENDING_REQUESTS = 1024;
/** `CircuitBreakers.Thresholds.max_requests`: 1024. */
export const DEFAULT_MAX_REQUESTS = 1024;
/** `CircuitBreakers.Thresholds.max_retries`: 3. */
export const DEFAULT_MAX_RETRIES = 3;
/** `LbEndpoint.load_balancing_weight`: 1. */
export const DEFAULT_LOAD_BALANCING_WEIGHT = 1;
/** `Cluster.CommonLbConfig.healthy_panic_threshold`: 50 %. */
export const DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT = 50;
/** `Cluster.LeastRequestLbConfig.choice_count`: 2. */
export const DEFAULT_LEAST_REQUEST_CHOICE_COUNT = 2;
/** `Cluster.RingHashLbConfig.minimum_ring_size`: 1024. */
export const DEFAULT_RING_HASH_MINIMUM_RING_SIZE = 1024;
/** `Cluster.RingHashLbConfig.maximum_ring_size`: 8M (8388608). */
export const DEFAULT_RING_HASH_MAXIMUM_RING_SIZE = 8_388_608;
/** `Cluster.MaglevLbConfig.table_size`: 65537. */
export const DEFAULT_MAGLEV_TABLE_SIZE = 65_537;
/** Upstream `HttpProtocolOptions.idle_timeout` (connection pool idle): 1 hour. */
export const DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS = 3_600_000;
/** `ClusterLoadAssignment.Policy.overprovisioning_factor`: 140 (i.e. 1.4). */
export const DEFAULT_OVERPROVISIONING_FACTOR = 140;

// --- outlier detection (envoy.config.cluster.v3.OutlierDetection) ----------------------------

/** `OutlierDetection.consecutive_5xx`: 5. */
export const DEFAULT_OUTLIER_CONSECUTIVE_5XX = 5;
/** `OutlierDetection.consecutive_gateway_failure`: 5. */
export const DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE = 5;
/** `OutlierDetection.consecutive_local_origin_failure`: 5. */
export const DEFAULT_OUTLIER_CONSECUTIVE_LOCAL_ORIGIN_FAILURE = 5;
/** `OutlierDetection.interval`: 10 s. */
export const DEFAULT_OUTLIER_INTERVAL_MS = 10_000;
/** `OutlierDetection.base_ejection_time`: 30 s. */
export const DEFAULT_OUTLIER_BASE_EJECTION_TIME_MS = 30_000;
/** `OutlierDetection.max_ejection_time`: 300 s. */
export const DEFAULT_OUTLIER_MAX_EJECTION_TIME_MS = 300_000;
/** `OutlierDetection.max_ejection_percent`: 10 %. */
export const DEFAULT_OUTLIER_MAX_EJECTION_PERCENT = 10;
/** `OutlierDetection.enforcing_consecutive_5xx`: 100 %. */
export const DEFAULT_OUTLIER_ENFORCING_CONSECUTIVE_5XX = 100;
/** `OutlierDetection.enforcing_success_rate`: 100 %. */
export const DEFAULT_OUTLIER_ENFORCING_SUCCESS_RATE = 100;
/** `OutlierDetection.enforcing_consecutive_gateway_failure`: 0 %. */
export const DEFAULT_OUTLIER_ENFORCING_CONSECUTIVE_GATEWAY_FAILURE = 0;
/** `OutlierDetection.success_rate_minimum_hosts`: 5. */
export const DEFAULT_OUTLIER_SUCCESS_RATE_MINIMUM_HOSTS = 5;
/** `OutlierDetection.success_rate_request_volume`: 100. */
export const DEFAULT_OUTLIER_SUCCESS_RATE_REQUEST_VOLUME = 100;
/** `OutlierDetection.success_rate_stdev_factor`: 1900 (i.e. 1.9). */
export const DEFAULT_OUTLIER_SUCCESS_RATE_STDEV_FACTOR = 1900;

// --- health checks (envoy.config.core.v3.HealthCheck) ----------------------------------------

/** `HealthCheck.no_traffic_interval`: 60 s. */
export const DEFAULT_HEALTH_CHECK_NO_TRAFFIC_INTERVAL_MS = 60_000;

// --- admin and limits -------------------------------------------------------------------------

/** Envoy's admin port in its example configs (no default in the proto; admin is off without `address`). */
export const EXAMPLE_ADMIN_PORT = 9901;
/** tsproxy refuses config text over 64 MiB (`config/limit`). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
/** tsproxy refuses configs nested deeper than this (`config/limit`). */
export const MAX_CONFIG_DEPTH = 100;
/** tsproxy refuses YAML whose aliases expand to more than this many nodes (`config/limit`). */
export const MAX_ALIAS_EXPANSION_NODES = 1_000_000;
