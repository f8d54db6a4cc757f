/**
 * `envoy.config.route.v3` messages (RouteConfiguration, VirtualHost, Route and its actions and
 * policies) as tsproxy decodes them. Contract: types.ts, which re-exports them.
 */
import type { Any, DurationMs, HeaderValueOption, Metadata, RuntimeFractionalPercent, TypedExtensionConfig } from './base_types.js';
import type { HeaderMatcher, QueryParameterMatcher, RegexMatcher, StringMatcher } from './matcher_types.js';
import type { RouteTracing } from './tracing_types.js';

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
