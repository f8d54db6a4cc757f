/**
 * Envoy v3 configuration messages as tsproxy decodes them.
 *
 * Contract (shared by config, core, analysis, runtime):
 * - Field names are Envoy's snake_case proto names, whatever spelling the user wrote
 *   (`routeConfig` is decoded to `route_config`).
 * - A field the user did not write is `undefined`; the decoder does NOT fill Envoy's defaults
 *   (so lint and explain can tell "absent" from "set"). Defaults live in `defaults.ts` and are
 *   applied by whoever compiles the message (core route table, runtime cluster manager).
 * - `Duration` is decoded to milliseconds (a number, may be fractional); `google.protobuf.*Value`
 *   wrappers to their plain value; `int64`/`uint64` fields to `bigint` only where precision
 *   matters (range matchers), elsewhere to `number`; enums to their name string.
 * - `Any` (`typed_config`) is decoded to an object carrying `'@type'` and, when tsproxy knows the
 *   type, the decoded fields of that message; an unknown type keeps the raw value.
 * - Every decoded message object has a source position retrievable with `positionOf()` from
 *   `position.ts` (a WeakMap: no extra fields on the objects).
 *
 * Only the messages on the request path are typed in full; others are typed loosely.
 */
import type { BootstrapTracing, HcmTracing, RouteTracing } from './tracing_types.js';
import type { Any, FractionalPercent, FractionalPercentDenominator, HeaderAppendAction, HeaderValue, HeaderValueOption } from './base_types.js';
export type { Any, FractionalPercent, FractionalPercentDenominator, HeaderAppendAction, HeaderValue, HeaderValueOption } from './base_types.js';

/** Milliseconds. */
export type DurationMs = number;

/** `envoy.config.core.v3.Metadata` (`filter_metadata`: namespace -> Struct). */
export interface Metadata {
  filter_metadata?: Record<string, Record<string, unknown>>;
  typed_filter_metadata?: Record<string, Any>;
}

// ---------------------------------------------------------------------------------------------
// type: percent and runtime
// ---------------------------------------------------------------------------------------------

/** `envoy.type.v3.Percent` decoded to its `value` (0..100). */
export type Percent = number;

/** `envoy.config.core.v3.RuntimeFractionalPercent`. */
export interface RuntimeFractionalPercent {
  default_value: FractionalPercent;
  runtime_key?: string;
}

export interface RuntimeUInt32 {
  default_value?: number;
  runtime_key: string;
}

export interface RuntimeFeatureFlag {
  default_value?: boolean;
  runtime_key: string;
}

// ---------------------------------------------------------------------------------------------
// matchers
// ---------------------------------------------------------------------------------------------

/** `envoy.type.matcher.v3.RegexMatcher`. `google_re2` is accepted and ignored. */
export interface RegexMatcher {
  regex: string;
  google_re2?: { max_program_size?: number };
}

/** `envoy.type.matcher.v3.StringMatcher` (exactly one of exact/prefix/suffix/safe_regex/contains). */
export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: RegexMatcher;
  ignore_case?: boolean;
}

/** `envoy.type.v3.Int64Range`: [start, end). */
export interface Int64Range {
  start: bigint;
  end: bigint;
}

/** `envoy.config.route.v3.HeaderMatcher`. Deprecated `exact_match` etc. still load. */
export interface HeaderMatcher {
  name: string;
  exact_match?: string;
  safe_regex_match?: RegexMatcher;
  range_match?: Int64Range;
  present_match?: boolean;
  prefix_match?: string;
  suffix_match?: string;
  contains_match?: string;
  string_match?: StringMatcher;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
}

/** `envoy.config.route.v3.QueryParameterMatcher`. */
export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

// ---------------------------------------------------------------------------------------------
// headers
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// route configuration
// ---------------------------------------------------------------------------------------------

/** `envoy.config.route.v3.RouteConfiguration`. */
export interface RouteConfiguration {
  name?: string;
  virtual_hosts?: VirtualHost[];
  internal_only_headers?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  most_specific_header_mutations_wins?: boolean;
  validate_clusters?: boolean;
  max_direct_response_body_size_bytes?: number;
  ignore_port_in_host_matching?: boolean;
  ignore_path_parameters_in_path_matching?: boolean;
  typed_per_filter_config?: Record<string, Any>;
  request_mirror_policies?: RequestMirrorPolicy[];
  vhds?: unknown;
  cluster_specifier_plugins?: unknown[];
  metadata?: Metadata;
}

export type TlsRequirementType = 'NONE' | 'EXTERNAL_ONLY' | 'ALL';

/** `envoy.config.route.v3.VirtualHost`. */
export interface VirtualHost {
  name: string;
  domains: string[];
  routes?: Route[];
  require_tls?: TlsRequirementType;
  virtual_clusters?: VirtualCluster[];
  rate_limits?: unknown[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  cors?: CorsPolicy;
  typed_per_filter_config?: Record<string, Any>;
  include_request_attempt_count?: boolean;
  include_attempt_count_in_response?: boolean;
  retry_policy?: RetryPolicy;
  hedge_policy?: unknown;
  per_request_buffer_limit_bytes?: number;
  request_mirror_policies?: RequestMirrorPolicy[];
  metadata?: Metadata;
}

/** `envoy.config.route.v3.VirtualCluster`. */
export interface VirtualCluster {
  name: string;
  headers?: HeaderMatcher[];
}

/** `envoy.config.route.v3.Route`: exactly one of route/redirect/direct_response/filter_action/non_forwarding_action. */
export interface Route {
  name?: string;
  match: RouteMatch;
  route?: RouteAction;
  redirect?: RedirectAction;
  direct_response?: DirectResponseAction;
  filter_action?: unknown;
  non_forwarding_action?: unknown;
  metadata?: Metadata;
  decorator?: { operation: string; propagate?: boolean };
  typed_per_filter_config?: Record<string, Any>;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  tracing?: RouteTracing;
  per_request_buffer_limit_bytes?: number;
  stat_prefix?: string;
}

/** `envoy.config.route.v3.RouteMatch`: exactly one path specifier. `case_sensitive` defaults to true. */
export interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: RegexMatcher;
  connect_matcher?: Record<string, never>;
  path_separated_prefix?: string;
  /** `envoy.path.match.uri_template.uri_template_matcher` (UriTemplateMatchConfig `path_template`). */
  path_match_policy?: TypedExtensionConfig;
  case_sensitive?: boolean;
  runtime_fraction?: RuntimeFractionalPercent;
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
  grpc?: Record<string, never>;
  tls_context?: { presented?: boolean; validated?: boolean };
  dynamic_metadata?: unknown[];
  filter_state?: unknown[];
}

export type ClusterNotFoundResponseCode = 'SERVICE_UNAVAILABLE' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';

/** `envoy.config.route.v3.RouteAction`: exactly one cluster specifier. */
export interface RouteAction {
  cluster?: string;
  cluster_header?: string;
  weighted_clusters?: WeightedCluster;
  cluster_specifier_plugin?: string;
  inline_cluster_specifier_plugin?: unknown;
  cluster_not_found_response_code?: ClusterNotFoundResponseCode;
  metadata_match?: Metadata;
  prefix_rewrite?: string;
  regex_rewrite?: RegexMatchAndSubstitute;
  /** `envoy.path.rewrite.uri_template.uri_template_rewriter` (UriTemplateRewriteConfig `path_template_rewrite`). */
  path_rewrite_policy?: TypedExtensionConfig;
  host_rewrite_literal?: string;
  auto_host_rewrite?: boolean;
  host_rewrite_header?: string;
  host_rewrite_path_regex?: RegexMatchAndSubstitute;
  append_x_forwarded_host?: boolean;
  /** Default 15000 ms; 0 disables. */
  timeout?: DurationMs;
  idle_timeout?: DurationMs;
  retry_policy?: RetryPolicy;
  request_mirror_policies?: RequestMirrorPolicy[];
  priority?: 'DEFAULT' | 'HIGH';
  rate_limits?: unknown[];
  include_vh_rate_limits?: boolean;
  hash_policy?: HashPolicy[];
  cors?: CorsPolicy;
  max_grpc_timeout?: DurationMs;
  grpc_timeout_offset?: DurationMs;
  upgrade_configs?: { upgrade_type: string; enabled?: boolean }[];
  internal_redirect_policy?: InternalRedirectPolicy;
  max_internal_redirects?: number;
  hedge_policy?: unknown;
  max_stream_duration?: { max_stream_duration?: DurationMs; grpc_timeout_header_max?: DurationMs; grpc_timeout_header_offset?: DurationMs };
}

/** `envoy.config.route.v3.WeightedCluster`. */
export interface WeightedCluster {
  clusters: ClusterWeight[];
  /** Deprecated; when absent the sum of weights is the total. */
  total_weight?: number;
  runtime_key_prefix?: string;
  header_name?: string;
  random_value_specifier?: unknown;
}

export interface ClusterWeight {
  name?: string;
  cluster_header?: string;
  weight?: number;
  metadata_match?: Metadata;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  typed_per_filter_config?: Record<string, Any>;
  host_rewrite_literal?: string;
}

/** `envoy.type.matcher.v3.RegexMatchAndSubstitute`. */
export interface RegexMatchAndSubstitute {
  pattern: RegexMatcher;
  substitution: string;
}

/** `envoy.config.route.v3.RetryPolicy`. */
export interface RetryPolicy {
  retry_on?: string;
  /** Default 1. */
  num_retries?: number;
  per_try_timeout?: DurationMs;
  per_try_idle_timeout?: DurationMs;
  retry_priority?: unknown;
  retry_host_predicate?: { name: string; typed_config?: Any }[];
  host_selection_retry_max_attempts?: number;
  retriable_status_codes?: number[];
  retry_back_off?: { base_interval: DurationMs; max_interval?: DurationMs };
  rate_limited_retry_back_off?: unknown;
  retriable_headers?: HeaderMatcher[];
  retriable_request_headers?: HeaderMatcher[];
}

/** `envoy.config.route.v3.RouteAction.RequestMirrorPolicy`. */
export interface RequestMirrorPolicy {
  cluster?: string;
  cluster_header?: string;
  runtime_fraction?: RuntimeFractionalPercent;
  trace_sampled?: boolean;
  disable_shadow_host_suffix_append?: boolean;
}

/** `envoy.config.route.v3.RouteAction.HashPolicy`: one policy specifier. */
export interface HashPolicy {
  header?: { header_name: string; regex_rewrite?: RegexMatchAndSubstitute };
  cookie?: { name: string; ttl?: DurationMs; path?: string };
  connection_properties?: { source_ip?: boolean };
  query_parameter?: { name: string };
  filter_state?: { key: string };
  terminal?: boolean;
}

export interface InternalRedirectPolicy {
  max_internal_redirects?: number;
  redirect_response_codes?: number[];
  predicates?: unknown[];
  allow_cross_scheme_redirect?: boolean;
}

export type RedirectResponseCode =
  | 'MOVED_PERMANENTLY'
  | 'FOUND'
  | 'SEE_OTHER'
  | 'TEMPORARY_REDIRECT'
  | 'PERMANENT_REDIRECT';

/** `envoy.config.route.v3.RedirectAction`. */
export interface RedirectAction {
  https_redirect?: boolean;
  scheme_redirect?: string;
  host_redirect?: string;
  port_redirect?: number;
  path_redirect?: string;
  prefix_rewrite?: string;
  regex_rewrite?: RegexMatchAndSubstitute;
  /** Default MOVED_PERMANENTLY (301). */
  response_code?: RedirectResponseCode;
  strip_query?: boolean;
}

/** `envoy.config.core.v3.DataSource`. `inline_bytes` is decoded from base64 to text (latin1-safe Uint8Array kept in `bytes`). */
export interface DataSource {
  filename?: string;
  inline_bytes?: Uint8Array;
  inline_string?: string;
  environment_variable?: string;
}

/** `envoy.config.route.v3.DirectResponseAction`. */
export interface DirectResponseAction {
  status: number;
  body?: DataSource;
}

/** `envoy.config.route.v3.CorsPolicy`. */
export interface CorsPolicy {
  allow_origin_string_match?: StringMatcher[];
  allow_methods?: string;
  allow_headers?: string;
  expose_headers?: string;
  max_age?: string;
  allow_credentials?: boolean;
  filter_enabled?: RuntimeFractionalPercent;
  shadow_enabled?: RuntimeFractionalPercent;
  allow_private_network_access?: boolean;
  forward_not_matching_preflights?: boolean;
}

// ---------------------------------------------------------------------------------------------
// listener and HTTP connection manager
// ---------------------------------------------------------------------------------------------

export interface SocketAddress {
  protocol?: 'TCP' | 'UDP';
  address: string;
  port_value?: number;
  named_port?: string;
  resolver_name?: string;
  ipv4_compat?: boolean;
}

/** `envoy.config.core.v3.Address`. */
export interface Address {
  socket_address?: SocketAddress;
  pipe?: { path: string; mode?: number };
  envoy_internal_address?: unknown;
}

/** `envoy.config.listener.v3.FilterChainMatch`. */
export interface FilterChainMatch {
  destination_port?: number;
  prefix_ranges?: { address_prefix: string; prefix_len?: number }[];
  direct_source_prefix_ranges?: { address_prefix: string; prefix_len?: number }[];
  source_type?: 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
  source_prefix_ranges?: { address_prefix: string; prefix_len?: number }[];
  source_ports?: number[];
  server_names?: string[];
  transport_protocol?: string;
  application_protocols?: string[];
}

/** `envoy.config.listener.v3.Filter` (network filter). */
export interface NetworkFilter {
  name: string;
  typed_config?: Any;
}

/** `envoy.config.listener.v3.FilterChain`. */
export interface FilterChain {
  name?: string;
  filter_chain_match?: FilterChainMatch;
  filters?: NetworkFilter[];
  transport_socket?: { name: string; typed_config?: Any };
  /** TLS handshake timeout of the chain's transport socket (ms); unset: none. */
  transport_socket_connect_timeout?: DurationMs;
  metadata?: Metadata;
}

/** `envoy.config.accesslog.v3.AccessLog`. */
export interface AccessLog {
  name?: string;
  filter?: unknown;
  typed_config?: Any;
}

/** `envoy.config.listener.v3.Listener`. */
export interface Listener {
  name?: string;
  address: Address;
  stat_prefix?: string;
  filter_chains?: FilterChain[];
  default_filter_chain?: FilterChain;
  listener_filters?: { name: string; typed_config?: Any }[];
  per_connection_buffer_limit_bytes?: number;
  access_log?: AccessLog[];
  metadata?: Metadata;
  traffic_direction?: 'UNSPECIFIED' | 'INBOUND' | 'OUTBOUND';
  enable_reuse_port?: boolean;
  connection_balance_config?: unknown;
  listener_filters_timeout?: DurationMs;
  continue_on_listener_filters_timeout?: boolean;
  /** Hand redirected connections to the listener bound to their original destination (default false). */
  use_original_dst?: boolean;
  /** false: the listener is not bound; it receives only connections handed off to it (default true). */
  bind_to_port?: boolean;
  /** The xDS matcher that selects a filter chain by name; when set, `filter_chain_match` is ignored. */
  filter_chain_matcher?: XdsMatcher;
}

/** `xds.core.v3.TypedExtensionConfig`. */
export interface TypedExtensionConfig {
  name: string;
  typed_config?: Any;
}

/** `xds.type.matcher.v3.Matcher`: a list or a tree of matchers, and what to do when none matched. */
export interface XdsMatcher {
  matcher_list?: { matchers: XdsFieldMatcher[] };
  matcher_tree?: XdsMatcherTree;
  on_no_match?: XdsOnMatch;
}

/** `xds.type.matcher.v3.Matcher.OnMatch`: an action or a nested matcher. */
export interface XdsOnMatch {
  matcher?: XdsMatcher;
  action?: TypedExtensionConfig;
  keep_matching?: boolean;
}

/** `xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher`. */
export interface XdsFieldMatcher {
  predicate: XdsPredicate;
  on_match: XdsOnMatch;
}

/** `xds.type.matcher.v3.Matcher.MatcherList.Predicate`. */
export interface XdsPredicate {
  single_predicate?: { input: TypedExtensionConfig; value_match?: StringMatcher; custom_match?: TypedExtensionConfig };
  or_matcher?: { predicate: XdsPredicate[] };
  and_matcher?: { predicate: XdsPredicate[] };
  not_matcher?: XdsPredicate;
}

/** `xds.type.matcher.v3.Matcher.MatcherTree`. */
export interface XdsMatcherTree {
  input: TypedExtensionConfig;
  exact_match_map?: { map: Record<string, XdsOnMatch> };
  prefix_match_map?: { map: Record<string, XdsOnMatch> };
  custom_match?: TypedExtensionConfig;
}

/** `xds.type.matcher.v3.IPMatcher` (the `envoy.matching.custom_matchers.trie_matcher` tree). */
export interface XdsIpMatcher {
  '@type': string;
  range_matchers?: { ranges?: { address_prefix: string; prefix_len?: number }[]; on_match?: XdsOnMatch; exclusive?: boolean }[];
}

/** `envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter`. */
export interface HttpFilter {
  name: string;
  typed_config?: Any;
  is_optional?: boolean;
  disabled?: boolean;
}

/** `envoy.config.core.v3.Http1ProtocolOptions`. */
export interface Http1ProtocolOptions {
  allow_absolute_url?: boolean;
  accept_http_10?: boolean;
  default_host_for_http_10?: string;
  header_key_format?: unknown;
  enable_trailers?: boolean;
  allow_chunked_length?: boolean;
  override_stream_error_on_invalid_http_message?: boolean;
}

/** `envoy.config.core.v3.HttpProtocolOptions`. */
export interface HttpProtocolOptions {
  idle_timeout?: DurationMs;
  max_connection_duration?: DurationMs;
  /** Default 100. */
  max_headers_count?: number;
  max_stream_duration?: DurationMs;
  headers_with_underscores_action?: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
  max_requests_per_connection?: number;
}

export type CodecType = 'AUTO' | 'HTTP1' | 'HTTP2' | 'HTTP3';

/** `envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`. */
export interface HttpConnectionManager {
  codec_type?: CodecType;
  stat_prefix: string;
  rds?: { config_source?: unknown; route_config_name: string };
  route_config?: RouteConfiguration;
  scoped_routes?: unknown;
  http_filters?: HttpFilter[];
  add_user_agent?: boolean;
  tracing?: HcmTracing;
  common_http_protocol_options?: HttpProtocolOptions;
  http_protocol_options?: Http1ProtocolOptions;
  http2_protocol_options?: Http2ProtocolOptions;
  server_name?: string;
  server_header_transformation?: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  scheme_header_transformation?: { scheme_to_overwrite?: string; match_upstream?: boolean };
  /** Default 60 KiB. */
  max_request_headers_kb?: number;
  /** Default 5 minutes. */
  stream_idle_timeout?: DurationMs;
  /** Default 0 (disabled). */
  request_timeout?: DurationMs;
  request_headers_timeout?: DurationMs;
  drain_timeout?: DurationMs;
  delayed_close_timeout?: DurationMs;
  access_log?: AccessLog[];
  use_remote_address?: boolean;
  xff_num_trusted_hops?: number;
  /** Absent: no address is internal (Envoy >= 1.33). */
  internal_address_config?: { unix_sockets?: boolean; cidr_ranges?: { address_prefix: string; prefix_len?: number }[] };
  skip_xff_append?: boolean;
  via?: string;
  generate_request_id?: boolean;
  preserve_external_request_id?: boolean;
  always_set_request_id_in_response?: boolean;
  forward_client_cert_details?: string;
  set_current_client_cert_details?: { subject?: boolean; cert?: boolean; chain?: boolean; dns?: boolean; uri?: boolean };
  proxy_100_continue?: boolean;
  represent_ipv4_remote_address_as_ipv4_mapped_ipv6?: boolean;
  upgrade_configs?: { upgrade_type: string; filters?: HttpFilter[]; enabled?: boolean }[];
  normalize_path?: boolean;
  merge_slashes?: boolean;
  path_with_escaped_slashes_action?: string;
  request_id_extension?: unknown;
  local_reply_config?: unknown;
  strip_matching_host_port?: boolean;
  strip_any_host_port?: boolean;
  stream_error_on_invalid_http_message?: boolean;
  strip_trailing_host_dot?: boolean;
  internal_only_headers?: string[];
}

// ---------------------------------------------------------------------------------------------
// cluster
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// bootstrap and config dump
// ---------------------------------------------------------------------------------------------

/** `envoy.config.bootstrap.v3.Admin`. */
export interface Admin {
  address?: Address;
  access_log?: AccessLog[];
  access_log_path?: string;
  profile_path?: string;
  ignore_global_conn_limit?: boolean;
}

/** `envoy.config.bootstrap.v3.RuntimeLayer`. */
export interface RuntimeLayer {
  name: string;
  static_layer?: Record<string, unknown>;
  disk_layer?: unknown;
  admin_layer?: Record<string, never>;
  rtds_layer?: unknown;
}

/** `envoy.config.bootstrap.v3.Bootstrap` (the parts tsproxy reads). */
export interface Bootstrap {
  node?: { id?: string; cluster?: string; [field: string]: unknown };
  static_resources?: {
    listeners?: Listener[];
    clusters?: Cluster[];
    secrets?: unknown[];
  };
  dynamic_resources?: unknown;
  cluster_manager?: unknown;
  admin?: Admin;
  layered_runtime?: { layers?: RuntimeLayer[] };
  stats_config?: unknown;
  stats_sinks?: unknown[];
  overload_manager?: unknown;
  tracing?: BootstrapTracing;
  [field: string]: unknown;
}

/**
 * What a config file turned out to be, normalized to one shape: the listeners, clusters and route
 * configurations found (from a Bootstrap, a bare RouteConfiguration, or an admin `/config_dump`),
 * plus the static runtime (merged layered_runtime static layers, or a router_check `runtime:`).
 */
export interface LoadedConfig {
  kind: 'bootstrap' | 'route_configuration' | 'config_dump';
  file: string;
  bootstrap?: Bootstrap;
  listeners: Listener[];
  clusters: Cluster[];
  /** Top-level route configurations: bare, from a dump's route sections, and inline in HCMs. */
  routeConfigurations: RouteConfiguration[];
  /** Flattened static runtime: key -> value (numbers, strings, booleans as written). */
  runtime: Record<string, unknown>;
  admin?: Admin;
}

/** `envoy.config.core.v3.TypedExtensionConfig`: an extension by name and typed config. */
export interface TypedExtensionConfig {
  name: string;
  typed_config?: Any;
}

/** envoy.config.core.v3.Http2ProtocolOptions as decoded (durations in ms, Percent as a number). */
export interface Http2ProtocolOptions {
  hpack_table_size?: number;
  max_concurrent_streams?: number;
  initial_stream_window_size?: number;
  initial_connection_window_size?: number;
  max_outbound_frames?: number;
  max_outbound_control_frames?: number;
  max_consecutive_inbound_frames_with_empty_payload?: number;
  max_inbound_priority_frames_per_stream?: number;
  max_inbound_window_update_frames_per_data_frame_sent?: number;
  stream_error_on_invalid_http_messaging?: boolean;
  override_stream_error_on_invalid_http_message?: boolean;
  connection_keepalive?: { interval?: number; timeout?: number; interval_jitter?: number; connection_idle_interval?: number };
  use_oghttp2_codec?: boolean;
  max_metadata_size?: bigint | number;
  allow_connect?: unknown;
  allow_metadata?: unknown;
  custom_settings_parameters?: unknown;
}
