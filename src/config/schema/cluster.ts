/**
 * Descriptors of envoy.config.cluster.v3.Cluster and its parts: load assignment
 * (envoy.config.endpoint.v3), circuit breakers, outlier detection, health checks, and the
 * upstream `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`.
 */
import { HTTP2_PROTOCOL_OPTIONS_MESSAGE } from './http2_protocol_options.js';
import {
  any, bool, dur, enm, i64, message, msg, pct, raw, str, struct, u32, u64, unsupported,
  type MessageDescriptor,
} from './descriptor.js';
import {
  ADDRESS, HEADER_VALUE_OPTION, HTTP1_PROTOCOL_OPTIONS, HTTP_PROTOCOL_OPTIONS, METADATA,
  RUNTIME_DOUBLE, STRING_MATCHER, TRANSPORT_SOCKET,
} from './common.js';

const HEALTH_CHECK_CONFIG: MessageDescriptor = message('envoy.config.endpoint.v3.Endpoint.HealthCheckConfig', {
  port_value: u32(),
  hostname: str(),
  address: msg(() => ADDRESS),
  disable_active_health_check: bool(),
});

const ENDPOINT: MessageDescriptor = message('envoy.config.endpoint.v3.Endpoint', {
  address: msg(() => ADDRESS),
  health_check_config: msg(() => HEALTH_CHECK_CONFIG),
  hostname: str(),
  additional_addresses: unsupported('Endpoint.additional_addresses', { repeated: true }),
});

const HEALTH_STATUS = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];

const LB_ENDPOINT: MessageDescriptor = message('envoy.config.endpoint.v3.LbEndpoint', {
  endpoint: msg(() => ENDPOINT, { oneof: 'host_identifier' }),
  endpoint_name: str({ oneof: 'host_identifier', unsupported: 'named endpoints (LbEndpoint.endpoint_name)' }),
  health_status: enm(HEALTH_STATUS),
  metadata: msg(() => METADATA),
  load_balancing_weight: u32({ check: { min: 1 } }),
});

const LOCALITY_LB_ENDPOINTS: MessageDescriptor = message('envoy.config.endpoint.v3.LocalityLbEndpoints', {
  locality: msg(() => message('envoy.config.core.v3.Locality', { region: str(), zone: str(), sub_zone: str() })),
  metadata: msg(() => METADATA),
  lb_endpoints: msg(() => LB_ENDPOINT, { repeated: true }),
  leds_cluster_locality_config: unsupported('LEDS'),
  load_balancing_weight: u32({ check: { min: 1 } }),
  priority: u32({ check: { max: 128 } }),
  proximity: u32(),
});

export const CLUSTER_LOAD_ASSIGNMENT: MessageDescriptor = message('envoy.config.endpoint.v3.ClusterLoadAssignment', {
  cluster_name: str({ required: true, check: { minLen: 1 } }),
  endpoints: msg(() => LOCALITY_LB_ENDPOINTS, { repeated: true }),
  named_endpoints: unsupported('named endpoints (ClusterLoadAssignment.named_endpoints)'),
  policy: msg(() => message('envoy.config.endpoint.v3.ClusterLoadAssignment.Policy', {
    drop_overloads: unsupported('drop overloads', { repeated: true }),
    overprovisioning_factor: u32(),
    endpoint_stale_after: dur(),
    weighted_priority_health: bool(),
  })),
});

const THRESHOLDS: MessageDescriptor = message('envoy.config.cluster.v3.CircuitBreakers.Thresholds', {
  priority: enm(['DEFAULT', 'HIGH']),
  max_connections: u32(),
  max_pending_requests: u32(),
  max_requests: u32(),
  max_retries: u32(),
  retry_budget: msg(() => message('envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget', {
    budget_percent: pct(),
    min_retry_concurrency: u32(),
  })),
  track_remaining: bool(),
  max_connection_pools: u32(),
});

const CIRCUIT_BREAKERS: MessageDescriptor = message('envoy.config.cluster.v3.CircuitBreakers', {
  thresholds: msg(() => THRESHOLDS, { repeated: true }),
  per_host_thresholds: msg(() => THRESHOLDS, { repeated: true }),
});

/** Outlier detection: the many tuning fields are listed; unknown ones stay errors. */
const OUTLIER_DETECTION: MessageDescriptor = message('envoy.config.cluster.v3.OutlierDetection', {
  consecutive_5xx: u32(),
  interval: dur(),
  base_ejection_time: dur(),
  max_ejection_percent: u32({ check: { max: 100 } }),
  enforcing_consecutive_5xx: u32(),
  enforcing_success_rate: u32(),
  success_rate_minimum_hosts: u32(),
  success_rate_request_volume: u32(),
  success_rate_stdev_factor: u32(),
  consecutive_gateway_failure: u32(),
  enforcing_consecutive_gateway_failure: u32(),
  split_external_local_origin_errors: bool(),
  consecutive_local_origin_failure: u32(),
  enforcing_consecutive_local_origin_failure: u32(),
  enforcing_local_origin_success_rate: u32(),
  failure_percentage_threshold: u32(),
  enforcing_failure_percentage: u32(),
  enforcing_failure_percentage_local_origin: u32(),
  failure_percentage_minimum_hosts: u32(),
  failure_percentage_request_volume: u32(),
  max_ejection_time: dur(),
  max_ejection_time_jitter: dur(),
  successful_active_health_check_uneject_host: bool(),
  monitors: unsupported('outlier detection monitors', { repeated: true }),
  always_eject_one_host: bool(),
  detect_degraded_hosts: bool(),
});

const RANGE_STATUSES: MessageDescriptor = message('envoy.type.v3.Int64Range', { start: i64(), end: i64() });

const HTTP_HEALTH_CHECK: MessageDescriptor = message('envoy.config.core.v3.HealthCheck.HttpHealthCheck', {
  host: str(),
  path: str({ required: true }),
  send: raw(),
  receive: raw({ repeated: true }),
  response_buffer_size: u64(),
  request_headers_to_add: msg(() => HEADER_VALUE_OPTION, { repeated: true }),
  request_headers_to_remove: str({ repeated: true }),
  expected_statuses: msg(() => RANGE_STATUSES, { repeated: true }),
  retriable_statuses: msg(() => RANGE_STATUSES, { repeated: true }),
  codec_client_type: enm(['HTTP1', 'HTTP2', 'HTTP3']),
  service_name_matcher: msg(() => STRING_MATCHER),
  method: enm(['METHOD_UNSPECIFIED', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
});

const HEALTH_CHECK: MessageDescriptor = message('envoy.config.core.v3.HealthCheck', {
  timeout: dur({ required: true, check: { positive: true } }),
  interval: dur({ required: true, check: { positive: true } }),
  initial_jitter: dur(),
  interval_jitter: dur(),
  interval_jitter_percent: u32(),
  unhealthy_threshold: u32({ required: true }),
  healthy_threshold: u32({ required: true }),
  alt_port: u32(),
  reuse_connection: bool(),
  http_health_check: msg(() => HTTP_HEALTH_CHECK, { oneof: 'health_checker' }),
  tcp_health_check: raw({ oneof: 'health_checker' }),
  grpc_health_check: unsupported('gRPC health checks', { oneof: 'health_checker' }),
  custom_health_check: unsupported('custom health checkers', { oneof: 'health_checker' }),
  no_traffic_interval: dur(),
  no_traffic_healthy_interval: dur(),
  unhealthy_interval: dur(),
  unhealthy_edge_interval: dur(),
  healthy_edge_interval: dur(),
  event_log_path: str({ deprecated: 'use event_logger' }),
  event_logger: raw({ repeated: true }),
  event_service: raw(),
  always_log_health_check_failures: bool(),
  always_log_health_check_success: bool(),
  tls_options: raw(),
  transport_socket_match_criteria: raw(),
});

const COMMON_LB_CONFIG: MessageDescriptor = message('envoy.config.cluster.v3.Cluster.CommonLbConfig', {
  healthy_panic_threshold: pct(),
  zone_aware_lb_config: raw({ oneof: 'locality_config_specifier' }),
  locality_weighted_lb_config: raw({ oneof: 'locality_config_specifier' }),
  update_merge_window: dur(),
  ignore_new_hosts_until_first_hc: bool(),
  close_connections_on_host_set_change: bool(),
  consistent_hashing_lb_config: raw(),
  override_host_status: raw(),
});

const LB_POLICIES = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'MAGLEV', 'CLUSTER_PROVIDED', 'LOAD_BALANCING_POLICY_CONFIG'];

export const CLUSTER: MessageDescriptor = message('envoy.config.cluster.v3.Cluster', {
  transport_socket_matches: msg(() => message('envoy.config.cluster.v3.Cluster.TransportSocketMatch', {
    name: str({ required: true }),
    match: struct(),
    transport_socket: msg(() => TRANSPORT_SOCKET),
  }), { repeated: true }),
  name: str({ required: true, check: { minLen: 1 } }),
  alt_stat_name: str(),
  type: enm(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'], { oneof: 'cluster_discovery_type' }),
  cluster_type: unsupported('custom cluster types (Cluster.cluster_type)', { oneof: 'cluster_discovery_type' }),
  eds_cluster_config: msg(() => message('envoy.config.cluster.v3.Cluster.EdsClusterConfig', {
    eds_config: raw(),
    service_name: str(),
  })),
  connect_timeout: dur({ check: { positive: true } }),
  per_connection_buffer_limit_bytes: u32(),
  lb_policy: enm(LB_POLICIES),
  load_assignment: msg(() => CLUSTER_LOAD_ASSIGNMENT),
  health_checks: msg(() => HEALTH_CHECK, { repeated: true }),
  max_requests_per_connection: u32({ deprecated: 'use HttpProtocolOptions.common_http_protocol_options.max_requests_per_connection' }),
  circuit_breakers: msg(() => CIRCUIT_BREAKERS),
  upstream_http_protocol_options: raw({ deprecated: 'use typed_extension_protocol_options' }),
  common_http_protocol_options: msg(() => HTTP_PROTOCOL_OPTIONS, { deprecated: 'use typed_extension_protocol_options' }),
  http_protocol_options: msg(() => HTTP1_PROTOCOL_OPTIONS, { deprecated: 'use typed_extension_protocol_options' }),
  http2_protocol_options: msg(() => HTTP2_PROTOCOL_OPTIONS_MESSAGE, { deprecated: 'use typed_extension_protocol_options' }),
  typed_extension_protocol_options: any({ map: true }),
  dns_refresh_rate: dur({ check: { min: 1 } }),
  dns_jitter: dur(),
  dns_failure_refresh_rate: unsupported('Cluster.dns_failure_refresh_rate'),
  respect_dns_ttl: bool(),
  dns_lookup_family: enm(['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL']),
  dns_resolvers: raw({ repeated: true, deprecated: 'use typed_dns_resolver_config' }),
  use_tcp_for_dns_lookups: bool({ deprecated: 'use typed_dns_resolver_config' }),
  dns_resolution_config: raw({ deprecated: 'use typed_dns_resolver_config' }),
  typed_dns_resolver_config: raw(),
  wait_for_warm_on_init: bool(),
  outlier_detection: msg(() => OUTLIER_DETECTION),
  cleanup_interval: dur(),
  upstream_bind_config: unsupported('upstream source address binding (Cluster.upstream_bind_config)'),
  lb_subset_config: unsupported('subset load balancing (Cluster.lb_subset_config)'),
  ring_hash_lb_config: msg(() => message('envoy.config.cluster.v3.Cluster.RingHashLbConfig', {
    minimum_ring_size: u64(),
    hash_function: enm(['XX_HASH', 'MURMUR_HASH_2']),
    maximum_ring_size: u64(),
  }), { oneof: 'lb_config' }),
  maglev_lb_config: msg(() => message('envoy.config.cluster.v3.Cluster.MaglevLbConfig', { table_size: u64() }), { oneof: 'lb_config' }),
  original_dst_lb_config: msg(() => message('envoy.config.cluster.v3.Cluster.OriginalDstLbConfig', {
    use_http_header: bool(),
    http_header_name: str(),
    upstream_port_override: u32({ check: { max: 65535 } }),
    metadata_key: raw(),
  }), { oneof: 'lb_config' }),
  least_request_lb_config: msg(() => message('envoy.config.cluster.v3.Cluster.LeastRequestLbConfig', {
    choice_count: u32(),
    active_request_bias: msg(() => RUNTIME_DOUBLE),
    slow_start_config: unsupported('slow start'),
  }), { oneof: 'lb_config' }),
  round_robin_lb_config: msg(() => message('envoy.config.cluster.v3.Cluster.RoundRobinLbConfig', {
    slow_start_config: unsupported('slow start'),
  }), { oneof: 'lb_config' }),
  common_lb_config: msg(() => COMMON_LB_CONFIG),
  transport_socket: msg(() => TRANSPORT_SOCKET),
  metadata: msg(() => METADATA),
  protocol_selection: enm(['USE_CONFIGURED_PROTOCOL', 'USE_DOWNSTREAM_PROTOCOL'], { deprecated: 'use typed_extension_protocol_options' }),
  upstream_connection_options: unsupported('upstream TCP keepalive (Cluster.upstream_connection_options)'),
  close_connections_on_host_health_failure: bool(),
  ignore_health_on_host_removal: bool(),
  filters: unsupported('upstream network filters (Cluster.filters)', { repeated: true }),
  load_balancing_policy: unsupported('extension load balancing policies (Cluster.load_balancing_policy)'),
  lrs_server: unsupported('load reporting (Cluster.lrs_server)'),
  lrs_report_endpoint_metrics: raw({ repeated: true }),
  track_timeout_budgets: bool({ deprecated: 'use track_cluster_stats' }),
  upstream_config: raw(),
  track_cluster_stats: unsupported('Cluster.track_cluster_stats'),
  preconnect_policy: unsupported('preconnecting (Cluster.preconnect_policy)'),
  connection_pool_per_downstream_connection: bool(),
});

/** `envoy.extensions.upstreams.http.v3.HttpProtocolOptions` (Cluster.typed_extension_protocol_options). */
export const UPSTREAM_HTTP_PROTOCOL_OPTIONS: MessageDescriptor = message('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
  common_http_protocol_options: msg(() => HTTP_PROTOCOL_OPTIONS),
  upstream_http_protocol_options: raw(),
  explicit_http_config: msg(() => message('envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig', {
    http_protocol_options: msg(() => HTTP1_PROTOCOL_OPTIONS, { oneof: 'protocol_config' }),
    http2_protocol_options: msg(() => HTTP2_PROTOCOL_OPTIONS_MESSAGE, { oneof: 'protocol_config' }),
    http3_protocol_options: unsupported('HTTP/3 upstreams', { oneof: 'protocol_config' }),
  }), { oneof: 'upstream_protocol_options' }),
  use_downstream_protocol_config: msg(() => message('envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig', {
    http_protocol_options: msg(() => HTTP1_PROTOCOL_OPTIONS),
    http2_protocol_options: msg(() => HTTP2_PROTOCOL_OPTIONS_MESSAGE),
    http3_protocol_options: unsupported('HTTP/3 upstreams'),
  }), { oneof: 'upstream_protocol_options' }),
  auto_config: msg(() => message('envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig', {
    http_protocol_options: msg(() => HTTP1_PROTOCOL_OPTIONS),
    http2_protocol_options: msg(() => HTTP2_PROTOCOL_OPTIONS_MESSAGE),
    http3_protocol_options: unsupported('HTTP/3 upstreams'),
    alternate_protocols_cache_options: unsupported('alternate protocols cache (HTTP/3 discovery)'),
  }), { oneof: 'upstream_protocol_options' }),
  http_filters: unsupported('upstream HTTP filters', { repeated: true }),
  header_validation_config: raw(),
});

