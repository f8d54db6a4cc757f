/**
 * Descriptors of envoy.config.route.v3: RouteConfiguration and everything beneath it
 * (route_components.proto). Deprecated fields that Envoy still loads are listed with
 * `deprecated`; features tsproxy does not implement with `unsupported`.
 */
import { ROUTE_TRACING } from './tracing.js';
import {
  any, bool, dur, enm, i64, message, msg, raw, str, u32, u64, unsupported, EMPTY,
  type MessageDescriptor,
} from './descriptor.js';
import {
  DATA_SOURCE, HEADER_VALUE_OPTION, INT64_RANGE, METADATA, REGEX_MATCHER,
  REGEX_MATCH_AND_SUBSTITUTE, RUNTIME_FRACTIONAL_PERCENT, STRING_MATCHER, TYPED_EXTENSION_CONFIG,
} from './common.js';

const headerMutations = {
  request_headers_to_add: msg(() => HEADER_VALUE_OPTION, { repeated: true }),
  request_headers_to_remove: str({ repeated: true, check: { minLen: 1 } }),
  response_headers_to_add: msg(() => HEADER_VALUE_OPTION, { repeated: true }),
  response_headers_to_remove: str({ repeated: true, check: { minLen: 1 } }),
};

export const HEADER_MATCHER: MessageDescriptor = message('envoy.config.route.v3.HeaderMatcher', {
  name: str({ required: true, check: { minLen: 1 } }),
  exact_match: str({ oneof: 'header_match_specifier', deprecated: 'use string_match.exact' }),
  safe_regex_match: msg(() => REGEX_MATCHER, { oneof: 'header_match_specifier', deprecated: 'use string_match.safe_regex' }),
  range_match: msg(() => INT64_RANGE, { oneof: 'header_match_specifier' }),
  present_match: bool({ oneof: 'header_match_specifier' }),
  prefix_match: str({ oneof: 'header_match_specifier', deprecated: 'use string_match.prefix' }),
  suffix_match: str({ oneof: 'header_match_specifier', deprecated: 'use string_match.suffix' }),
  contains_match: str({ oneof: 'header_match_specifier', deprecated: 'use string_match.contains' }),
  string_match: msg(() => STRING_MATCHER, { oneof: 'header_match_specifier' }),
  invert_match: bool(),
  treat_missing_header_as_empty: bool(),
});

export const QUERY_PARAMETER_MATCHER: MessageDescriptor = message('envoy.config.route.v3.QueryParameterMatcher', {
  name: str({ required: true }),
  string_match: msg(() => STRING_MATCHER, { oneof: 'query_parameter_match_specifier' }),
  present_match: bool({ oneof: 'query_parameter_match_specifier' }),
});

/** `envoy.type.matcher.v3.MetadataMatcher` (RouteMatch.dynamic_metadata); `value` (ValueMatcher) kept raw. */
export const METADATA_MATCHER: MessageDescriptor = message('envoy.type.matcher.v3.MetadataMatcher', {
  filter: str({ required: true }),
  path: msg(() => message('envoy.type.matcher.v3.MetadataMatcher.PathSegment', { key: str({ required: true }) }), {
    repeated: true,
    required: true,
  }),
  value: raw({ required: true }),
  invert: bool(),
});

export const ROUTE_MATCH: MessageDescriptor = message(
  'envoy.config.route.v3.RouteMatch',
  {
    prefix: str({ oneof: 'path_specifier' }),
    path: str({ oneof: 'path_specifier' }),
    safe_regex: msg(() => REGEX_MATCHER, { oneof: 'path_specifier' }),
    connect_matcher: msg(() => EMPTY, { oneof: 'path_specifier', unsupported: 'CONNECT matching (RouteMatch.connect_matcher)' }),
    path_separated_prefix: str({ oneof: 'path_specifier' }),
    path_match_policy: msg(() => TYPED_EXTENSION_CONFIG, { oneof: 'path_specifier' }),
    case_sensitive: bool(),
    runtime_fraction: msg(() => RUNTIME_FRACTIONAL_PERCENT),
    headers: msg(() => HEADER_MATCHER, { repeated: true }),
    query_parameters: msg(() => QUERY_PARAMETER_MATCHER, { repeated: true }),
    grpc: msg(() => EMPTY),
    tls_context: msg(() => message('envoy.config.route.v3.RouteMatch.TlsContextMatchOptions', { presented: bool(), validated: bool() }), {
      unsupported: 'TLS context matching (RouteMatch.tls_context)',
    }),
    dynamic_metadata: msg(() => METADATA_MATCHER, { repeated: true }),
    filter_state: unsupported('filter state matching (RouteMatch.filter_state)'),
  },
  { requiredOneofs: ['path_specifier'] },
);

export const CORS_POLICY: MessageDescriptor = message('envoy.config.route.v3.CorsPolicy', {
  allow_origin_string_match: msg(() => STRING_MATCHER, { repeated: true }),
  allow_methods: str(),
  allow_headers: str(),
  expose_headers: str(),
  max_age: str(),
  allow_credentials: bool(),
  filter_enabled: msg(() => RUNTIME_FRACTIONAL_PERCENT, { oneof: 'enabled_specifier' }),
  shadow_enabled: msg(() => RUNTIME_FRACTIONAL_PERCENT),
  allow_private_network_access: bool(),
  forward_not_matching_preflights: bool(),
});

const RETRY_BACK_OFF: MessageDescriptor = message('envoy.config.route.v3.RetryPolicy.RetryBackOff', {
  base_interval: dur({ required: true, check: { positive: true } }),
  max_interval: dur({ check: { positive: true } }),
});

export const RETRY_POLICY: MessageDescriptor = message('envoy.config.route.v3.RetryPolicy', {
  retry_on: str(),
  num_retries: u32(),
  per_try_timeout: dur(),
  per_try_idle_timeout: dur(),
  retry_priority: unsupported('retry priority plugins (RetryPolicy.retry_priority)'),
  retry_host_predicate: msg(() => RETRY_HOST_PREDICATE, { repeated: true }),
  retry_options_predicates: unsupported('RetryPolicy.retry_options_predicates'),
  host_selection_retry_max_attempts: i64(),
  retriable_status_codes: u32({ repeated: true }),
  retry_back_off: msg(() => RETRY_BACK_OFF),
  rate_limited_retry_back_off: unsupported('RetryPolicy.rate_limited_retry_back_off'),
  retriable_headers: msg(() => HEADER_MATCHER, { repeated: true }),
  retriable_request_headers: msg(() => HEADER_MATCHER, { repeated: true }),
});

const RETRY_HOST_PREDICATE: MessageDescriptor = message('envoy.config.route.v3.RetryPolicy.RetryHostPredicate', {
  name: str({ required: true }),
  typed_config: any(),
});

export const REQUEST_MIRROR_POLICY: MessageDescriptor = message('envoy.config.route.v3.RouteAction.RequestMirrorPolicy', {
  cluster: str({ oneof: 'cluster_specifier' }),
  cluster_header: str({ oneof: 'cluster_specifier' }),
  runtime_fraction: msg(() => RUNTIME_FRACTIONAL_PERCENT),
  trace_sampled: bool(),
  disable_shadow_host_suffix_append: bool(),
  request_headers_mutations: unsupported('RequestMirrorPolicy.request_headers_mutations'),
  host_rewrite_literal: str(),
});

const HASH_POLICY: MessageDescriptor = message(
  'envoy.config.route.v3.RouteAction.HashPolicy',
  {
    header: msg(() => message('envoy.config.route.v3.RouteAction.HashPolicy.Header', {
      header_name: str({ required: true }),
      regex_rewrite: msg(() => REGEX_MATCH_AND_SUBSTITUTE),
    }), { oneof: 'policy_specifier' }),
    cookie: msg(() => message('envoy.config.route.v3.RouteAction.HashPolicy.Cookie', {
      name: str({ required: true }),
      ttl: dur(),
      path: str(),
      attributes: raw({ repeated: true }),
    }), { oneof: 'policy_specifier' }),
    connection_properties: msg(() => message('envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties', {
      source_ip: bool(),
    }), { oneof: 'policy_specifier' }),
    query_parameter: msg(() => message('envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter', {
      name: str({ required: true }),
    }), { oneof: 'policy_specifier' }),
    filter_state: msg(() => message('envoy.config.route.v3.RouteAction.HashPolicy.FilterState', {
      key: str({ required: true }),
    }), { oneof: 'policy_specifier', unsupported: 'filter state hashing (HashPolicy.filter_state)' }),
    terminal: bool(),
  },
  { requiredOneofs: ['policy_specifier'] },
);

export const CLUSTER_WEIGHT: MessageDescriptor = message('envoy.config.route.v3.WeightedCluster.ClusterWeight', {
  name: str({ oneof: 'cluster_specifier' }),
  cluster_header: str({ oneof: 'cluster_specifier' }),
  weight: u32(),
  metadata_match: msg(() => METADATA),
  ...headerMutations,
  typed_per_filter_config: any({ map: true }),
  host_rewrite_literal: str({ oneof: 'host_rewrite_specifier' }),
});

export const WEIGHTED_CLUSTER: MessageDescriptor = message('envoy.config.route.v3.WeightedCluster', {
  clusters: msg(() => CLUSTER_WEIGHT, { repeated: true, required: true }),
  total_weight: u32({ deprecated: 'the total is the sum of the cluster weights' }),
  runtime_key_prefix: str({ deprecated: 'runtime keys for weights are deprecated in Envoy', unsupported: 'WeightedCluster.runtime_key_prefix' }),
  header_name: str({ oneof: 'random_value_specifier' }),
  use_hash_policy: bool({ oneof: 'random_value_specifier', unsupported: 'WeightedCluster.use_hash_policy' }),
});

const UPGRADE_CONFIG: MessageDescriptor = message('envoy.config.route.v3.RouteAction.UpgradeConfig', {
  upgrade_type: str({ required: true }),
  enabled: bool(),
  connect_config: raw(),
});

export const INTERNAL_REDIRECT_POLICY: MessageDescriptor = message('envoy.config.route.v3.InternalRedirectPolicy', {
  max_internal_redirects: u32(),
  redirect_response_codes: u32({ repeated: true }),
  predicates: msg(() => TYPED_EXTENSION_CONFIG, { repeated: true }),
  allow_cross_scheme_redirect: bool(),
  response_headers_to_copy: str({ repeated: true }),
});

const MAX_STREAM_DURATION: MessageDescriptor = message('envoy.config.route.v3.RouteAction.MaxStreamDuration', {
  max_stream_duration: dur(),
  grpc_timeout_header_max: dur(),
  grpc_timeout_header_offset: dur(),
});

export const ROUTE_ACTION: MessageDescriptor = message(
  'envoy.config.route.v3.RouteAction',
  {
    cluster: str({ oneof: 'cluster_specifier' }),
    cluster_header: str({ oneof: 'cluster_specifier' }),
    weighted_clusters: msg(() => WEIGHTED_CLUSTER, { oneof: 'cluster_specifier' }),
    cluster_specifier_plugin: str({ oneof: 'cluster_specifier', unsupported: 'cluster specifier plugins' }),
    inline_cluster_specifier_plugin: unsupported('cluster specifier plugins', { oneof: 'cluster_specifier' }),
    cluster_not_found_response_code: enm(['SERVICE_UNAVAILABLE', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR']),
    metadata_match: msg(() => METADATA),
    prefix_rewrite: str(),
    regex_rewrite: msg(() => REGEX_MATCH_AND_SUBSTITUTE),
    path_rewrite_policy: msg(() => TYPED_EXTENSION_CONFIG),
    host_rewrite_literal: str({ oneof: 'host_rewrite_specifier' }),
    auto_host_rewrite: bool({ oneof: 'host_rewrite_specifier' }),
    host_rewrite_header: str({ oneof: 'host_rewrite_specifier' }),
    host_rewrite_path_regex: msg(() => REGEX_MATCH_AND_SUBSTITUTE, { oneof: 'host_rewrite_specifier' }),
    append_x_forwarded_host: bool(),
    timeout: dur(),
    idle_timeout: dur(),
    early_data_policy: unsupported('RouteAction.early_data_policy'),
    retry_policy: msg(() => RETRY_POLICY),
    retry_policy_typed_config: unsupported('RouteAction.retry_policy_typed_config'),
    request_mirror_policies: msg(() => REQUEST_MIRROR_POLICY, { repeated: true }),
    priority: enm(['DEFAULT', 'HIGH']),
    rate_limits: unsupported('rate limiting (RouteAction.rate_limits)', { repeated: true }),
    include_vh_rate_limits: bool({ deprecated: 'rate limit settings moved to the rate limit filter' }),
    hash_policy: msg(() => HASH_POLICY, { repeated: true }),
    cors: msg(() => CORS_POLICY, { deprecated: 'use typed_per_filter_config with envoy.filters.http.cors' }),
    max_grpc_timeout: dur({ deprecated: 'use max_stream_duration.grpc_timeout_header_max' }),
    grpc_timeout_offset: dur({ deprecated: 'use max_stream_duration.grpc_timeout_header_offset' }),
    upgrade_configs: msg(() => UPGRADE_CONFIG, { repeated: true }),
    internal_redirect_policy: msg(() => INTERNAL_REDIRECT_POLICY),
    internal_redirect_action: enm(['PASS_THROUGH_INTERNAL_REDIRECT', 'HANDLE_INTERNAL_REDIRECT'], { deprecated: 'use internal_redirect_policy' }),
    max_internal_redirects: u32({ deprecated: 'use internal_redirect_policy.max_internal_redirects' }),
    hedge_policy: unsupported('request hedging (RouteAction.hedge_policy)'),
    max_stream_duration: msg(() => MAX_STREAM_DURATION),
  },
  { requiredOneofs: ['cluster_specifier'] },
);

export const REDIRECT_ACTION: MessageDescriptor = message('envoy.config.route.v3.RedirectAction', {
  https_redirect: bool({ oneof: 'scheme_rewrite_specifier' }),
  scheme_redirect: str({ oneof: 'scheme_rewrite_specifier' }),
  host_redirect: str(),
  port_redirect: u32({ check: { max: 65535 } }),
  path_redirect: str({ oneof: 'path_rewrite_specifier' }),
  prefix_rewrite: str({ oneof: 'path_rewrite_specifier' }),
  regex_rewrite: msg(() => REGEX_MATCH_AND_SUBSTITUTE, { oneof: 'path_rewrite_specifier' }),
  response_code: enm(['MOVED_PERMANENTLY', 'FOUND', 'SEE_OTHER', 'TEMPORARY_REDIRECT', 'PERMANENT_REDIRECT']),
  strip_query: bool(),
});

export const DIRECT_RESPONSE_ACTION: MessageDescriptor = message('envoy.config.route.v3.DirectResponseAction', {
  status: u32({ required: true, check: { min: 100, max: 599 } }),
  body: msg(() => DATA_SOURCE),
  body_format: unsupported('DirectResponseAction.body_format'),
});

const DECORATOR: MessageDescriptor = message('envoy.config.route.v3.Decorator', {
  operation: str({ required: true }),
  propagate: bool(),
});

export const ROUTE: MessageDescriptor = message(
  'envoy.config.route.v3.Route',
  {
    name: str(),
    match: msg(() => ROUTE_MATCH, { required: true }),
    route: msg(() => ROUTE_ACTION, { oneof: 'action' }),
    redirect: msg(() => REDIRECT_ACTION, { oneof: 'action' }),
    direct_response: msg(() => DIRECT_RESPONSE_ACTION, { oneof: 'action' }),
    filter_action: unsupported('Route.filter_action', { oneof: 'action' }),
    non_forwarding_action: unsupported('Route.non_forwarding_action', { oneof: 'action' }),
    metadata: msg(() => METADATA),
    decorator: msg(() => DECORATOR),
    typed_per_filter_config: any({ map: true }),
    ...headerMutations,
    tracing: msg(() => ROUTE_TRACING),
    per_request_buffer_limit_bytes: u32(),
    request_body_buffer_limit: u64(),
    stat_prefix: str(),
  },
  { requiredOneofs: ['action'] },
);

export const VIRTUAL_CLUSTER: MessageDescriptor = message('envoy.config.route.v3.VirtualCluster', {
  headers: msg(() => HEADER_MATCHER, { repeated: true }),
  name: str({ required: true }),
});

export const VIRTUAL_HOST: MessageDescriptor = message('envoy.config.route.v3.VirtualHost', {
  name: str({ required: true, check: { minLen: 1 } }),
  domains: str({ repeated: true, required: true, check: { minLen: 1 } }),
  routes: msg(() => ROUTE, { repeated: true }),
  matcher: unsupported('the generic matcher tree (VirtualHost.matcher)'),
  require_tls: enm(['NONE', 'EXTERNAL_ONLY', 'ALL']),
  virtual_clusters: msg(() => VIRTUAL_CLUSTER, { repeated: true }),
  rate_limits: unsupported('rate limiting (VirtualHost.rate_limits)', { repeated: true }),
  ...headerMutations,
  cors: msg(() => CORS_POLICY, { deprecated: 'use typed_per_filter_config with envoy.filters.http.cors' }),
  typed_per_filter_config: any({ map: true }),
  include_request_attempt_count: bool(),
  include_attempt_count_in_response: bool(),
  retry_policy: msg(() => RETRY_POLICY),
  retry_policy_typed_config: unsupported('VirtualHost.retry_policy_typed_config'),
  hedge_policy: unsupported('request hedging (VirtualHost.hedge_policy)'),
  include_is_timeout_retry_header: bool(),
  per_request_buffer_limit_bytes: u32(),
  request_body_buffer_limit: u64(),
  request_mirror_policies: msg(() => REQUEST_MIRROR_POLICY, { repeated: true }),
  metadata: msg(() => METADATA),
});

export const ROUTE_CONFIGURATION: MessageDescriptor = message('envoy.config.route.v3.RouteConfiguration', {
  name: str(),
  virtual_hosts: msg(() => VIRTUAL_HOST, { repeated: true }),
  vhds: unsupported('virtual host discovery (RouteConfiguration.vhds)'),
  internal_only_headers: str({ repeated: true }),
  ...headerMutations,
  most_specific_header_mutations_wins: bool(),
  validate_clusters: bool(),
  max_direct_response_body_size_bytes: u32(),
  cluster_specifier_plugins: unsupported('cluster specifier plugins', { repeated: true }),
  request_mirror_policies: msg(() => REQUEST_MIRROR_POLICY, { repeated: true }),
  ignore_port_in_host_matching: bool(),
  ignore_path_parameters_in_path_matching: bool(),
  typed_per_filter_config: any({ map: true }),
  metadata: msg(() => METADATA),
});

/** `envoy.config.route.v3.FilterConfig`: a per-route config wrapper with `is_optional`/`disabled`. */
export const FILTER_CONFIG: MessageDescriptor = message('envoy.config.route.v3.FilterConfig', {
  config: any(),
  is_optional: bool(),
  disabled: bool(),
});
