/**
 * `envoy.config.cluster.v3` / `endpoint.v3` messages (Cluster, load assignment, circuit breakers,
 * outlier detection, health checks) as tsproxy decodes them. Contract: types.ts, which re-exports them.
 */
import type { Address, Any, DurationMs, HeaderValueOption, Metadata, Percent } from './base_types.js';
import type { Http1ProtocolOptions, Http2ProtocolOptions, HttpProtocolOptions } from './protocol_types.js';

export type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';

export type LbPolicy =
  | 'ROUND_ROBIN'
  | 'LEAST_REQUEST'
  | 'RING_HASH'
  | 'RANDOM'
  | 'MAGLEV'
  | 'CLUSTER_PROVIDED'
  | 'LOAD_BALANCING_POLICY_CONFIG';

/** `envoy.config.endpoint.v3.LbEndpoint`. */
export interface LbEndpoint {
  endpoint?: { address: Address; hostname?: string; health_check_config?: { port_value?: number; hostname?: string } };
  health_status?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';
  metadata?: Metadata;
  /** Default 1. */
  load_balancing_weight?: number;
}

/** `envoy.config.endpoint.v3.LocalityLbEndpoints`. */
export interface LocalityLbEndpoints {
  locality?: { region?: string; zone?: string; sub_zone?: string };
  lb_endpoints?: LbEndpoint[];
  load_balancing_weight?: number;
  /** Default 0 (highest). */
  priority?: number;
}

/** `envoy.config.endpoint.v3.ClusterLoadAssignment`. */
export interface ClusterLoadAssignment {
  cluster_name: string;
  endpoints?: LocalityLbEndpoints[];
  policy?: { overprovisioning_factor?: number; endpoint_stale_after?: DurationMs };
}

export type RoutingPriority = 'DEFAULT' | 'HIGH';

/** `envoy.config.cluster.v3.CircuitBreakers.Thresholds`. Defaults 1024/1024/1024/3. */
export interface CircuitBreakerThresholds {
  priority?: RoutingPriority;
  max_connections?: number;
  max_pending_requests?: number;
  max_requests?: number;
  max_retries?: number;
  retry_budget?: { budget_percent?: Percent; min_retry_concurrency?: number };
  track_remaining?: boolean;
  max_connection_pools?: number;
}

export interface CircuitBreakers {
  thresholds?: CircuitBreakerThresholds[];
  per_host_thresholds?: CircuitBreakerThresholds[];
}

/** `envoy.config.cluster.v3.OutlierDetection`. */
export interface OutlierDetection {
  consecutive_5xx?: number;
  interval?: DurationMs;
  base_ejection_time?: DurationMs;
  max_ejection_percent?: number;
  enforcing_consecutive_5xx?: number;
  enforcing_success_rate?: number;
  success_rate_minimum_hosts?: number;
  success_rate_request_volume?: number;
  success_rate_stdev_factor?: number;
  consecutive_gateway_failure?: number;
  enforcing_consecutive_gateway_failure?: number;
  split_external_local_origin_errors?: boolean;
  consecutive_local_origin_failure?: number;
  max_ejection_time?: DurationMs;
  [field: string]: unknown;
}

/** `envoy.config.core.v3.HealthCheck`. */
export interface HealthCheck {
  timeout: DurationMs;
  interval: DurationMs;
  initial_jitter?: DurationMs;
  interval_jitter?: DurationMs;
  unhealthy_threshold: number;
  healthy_threshold: number;
  no_traffic_interval?: DurationMs;
  unhealthy_interval?: DurationMs;
  http_health_check?: {
    host?: string;
    path: string;
    request_headers_to_add?: HeaderValueOption[];
    expected_statuses?: { start: number; end: number }[];
  };
  tcp_health_check?: Record<string, unknown>;
  [field: string]: unknown;
}

/** `envoy.config.cluster.v3.Cluster`. */
export interface Cluster {
  name: string;
  alt_stat_name?: string;
  type?: DiscoveryType;
  cluster_type?: { name: string; typed_config?: Any };
  eds_cluster_config?: unknown;
  /** Default 5000 ms. */
  connect_timeout?: DurationMs;
  per_connection_buffer_limit_bytes?: number;
  /** Default ROUND_ROBIN. */
  lb_policy?: LbPolicy;
  load_assignment?: ClusterLoadAssignment;
  health_checks?: HealthCheck[];
  max_requests_per_connection?: number;
  circuit_breakers?: CircuitBreakers;
  typed_extension_protocol_options?: Record<string, Any>;
  http_protocol_options?: Http1ProtocolOptions;
  http2_protocol_options?: Http2ProtocolOptions;
  common_http_protocol_options?: HttpProtocolOptions;
  /** Default 5000 ms. */
  dns_refresh_rate?: DurationMs;
  dns_lookup_family?: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  respect_dns_ttl?: boolean;
  outlier_detection?: OutlierDetection;
  common_lb_config?: { healthy_panic_threshold?: Percent; [field: string]: unknown };
  ring_hash_lb_config?: { minimum_ring_size?: number; maximum_ring_size?: number; hash_function?: 'XX_HASH' | 'MURMUR_HASH_2' };
  maglev_lb_config?: { table_size?: number };
  least_request_lb_config?: { choice_count?: number; active_request_bias?: RuntimeDoubleLike };
  round_robin_lb_config?: unknown;
  transport_socket?: { name: string; typed_config?: Any };
  /** Per-endpoint transport sockets, by `envoy.transport_socket_match` endpoint metadata (first match wins). */
  transport_socket_matches?: { name: string; match?: Record<string, unknown>; transport_socket?: { name: string; typed_config?: Any } }[];
  metadata?: Metadata;
  upstream_connection_options?: unknown;
  close_connections_on_host_health_failure?: boolean;
  ignore_health_on_host_removal?: boolean;
  track_timeout_budgets?: boolean;
  /** ORIGINAL_DST: how often unused hosts are removed. Default 5000 ms. */
  cleanup_interval?: DurationMs;
  original_dst_lb_config?: OriginalDstLbConfig;
}

/** `envoy.config.cluster.v3.Cluster.OriginalDstLbConfig`. */
export interface OriginalDstLbConfig {
  /** Take the upstream address from a request header (`x-envoy-original-dst-host` unless `http_header_name`). */
  use_http_header?: boolean;
  http_header_name?: string;
  upstream_port_override?: number;
  metadata_key?: unknown;
}

export interface RuntimeDoubleLike {
  default_value: number;
  runtime_key?: string;
}
