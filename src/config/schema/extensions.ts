/**
 * Descriptors of the Envoy extensions tsproxy implements, selected by `@type`: the HTTP filters
 * router, fault and cors (with their per-route configs), the file/stdout/stderr access loggers,
 * the retry host predicate `previous_hosts`, and the original destination listener filter.
 */
import { bool, dur, enm, message, msg, pct, raw, str, struct, u32, unsupported, type MessageDescriptor } from './descriptor.js';
import { DATA_SOURCE, FRACTIONAL_PERCENT, RUNTIME_FRACTIONAL_PERCENT } from './common.js';
import { CORS_POLICY, HEADER_MATCHER } from './route.js';
import { ACCESS_LOG } from './listener.js';

/** `envoy.filters.http.health_check` (src/runtime/filters/health_check.ts). */
export const HEALTH_CHECK: MessageDescriptor = message('envoy.extensions.filters.http.health_check.v3.HealthCheck', {
  pass_through_mode: bool({ required: true }),
  cache_time: dur({ unsupported: 'health check response caching (HealthCheck.cache_time)' }),
  cluster_min_healthy_percentages: pct({ map: true }),
  headers: msg(() => HEADER_MATCHER, { repeated: true }),
});

export const ROUTER: MessageDescriptor = message('envoy.extensions.filters.http.router.v3.Router', {
  dynamic_stats: bool(),
  start_child_span: bool({ deprecated: 'tracing options moved to the tracing config', unsupported: 'tracing (Router.start_child_span)' }),
  upstream_log: msg(() => ACCESS_LOG, { repeated: true }),
  upstream_log_options: raw(),
  suppress_envoy_headers: bool(),
  strict_check_headers: str({ repeated: true }),
  respect_expected_rq_timeout: bool(),
  suppress_grpc_request_failure_code_stats: bool(),
  upstream_http_filters: unsupported('upstream HTTP filters (Router.upstream_http_filters)', { repeated: true }),
});

const FAULT_DELAY: MessageDescriptor = message('envoy.extensions.filters.common.fault.v3.FaultDelay', {
  fixed_delay: dur({ oneof: 'fault_delay_secifier' }),
  header_delay: msg(() => message('envoy.extensions.filters.common.fault.v3.FaultDelay.HeaderDelay', {}), { oneof: 'fault_delay_secifier' }),
  percentage: msg(() => FRACTIONAL_PERCENT),
}, { requiredOneofs: ['fault_delay_secifier'] });

const FAULT_ABORT: MessageDescriptor = message('envoy.extensions.filters.http.fault.v3.FaultAbort', {
  http_status: u32({ oneof: 'error_type' }),
  grpc_status: u32({ oneof: 'error_type' }),
  header_abort: msg(() => message('envoy.extensions.filters.http.fault.v3.FaultAbort.HeaderAbort', {}), { oneof: 'error_type' }),
  percentage: msg(() => FRACTIONAL_PERCENT),
}, { requiredOneofs: ['error_type'] });

export const HTTP_FAULT: MessageDescriptor = message('envoy.extensions.filters.http.fault.v3.HTTPFault', {
  delay: msg(() => FAULT_DELAY),
  abort: msg(() => FAULT_ABORT),
  upstream_cluster: str(),
  headers: msg(() => HEADER_MATCHER, { repeated: true }),
  downstream_nodes: str({ repeated: true }),
  max_active_faults: u32(),
  response_rate_limit: unsupported('response rate limiting faults (HTTPFault.response_rate_limit)'),
  delay_percent_runtime: str(),
  abort_percent_runtime: str(),
  delay_duration_runtime: str(),
  abort_http_status_runtime: str(),
  max_active_faults_runtime: str(),
  response_rate_limit_percent_runtime: str(),
  abort_grpc_status_runtime: str(),
  disable_downstream_cluster_stats: bool(),
  filter_metadata: struct(),
});

/** The CORS filter's own config: policies live per route (`CorsPolicy`). */
export const CORS: MessageDescriptor = message('envoy.extensions.filters.http.cors.v3.Cors', {});

/** Per-route `envoy.extensions.filters.http.cors.v3.CorsPolicy` (same fields as the route's CorsPolicy). */
export const CORS_POLICY_EXT: MessageDescriptor = message('envoy.extensions.filters.http.cors.v3.CorsPolicy', {
  ...CORS_POLICY.fields,
  filter_enabled: msg(() => RUNTIME_FRACTIONAL_PERCENT),
});

const SUBSTITUTION_FORMAT_STRING: MessageDescriptor = message('envoy.config.core.v3.SubstitutionFormatString', {
  text_format: str({ oneof: 'format', deprecated: 'use text_format_source' }),
  json_format: struct({ oneof: 'format' }),
  text_format_source: msg(() => DATA_SOURCE, { oneof: 'format' }),
  omit_empty_values: bool(),
  content_type: str(),
  formatters: unsupported('custom formatter extensions (SubstitutionFormatString.formatters)', { repeated: true }),
  json_format_options: msg(() => message('envoy.config.core.v3.JsonFormatOptions', { sort_properties: bool() })),
});

export const FILE_ACCESS_LOG: MessageDescriptor = message('envoy.extensions.access_loggers.file.v3.FileAccessLog', {
  path: str({ required: true }),
  format: str({ oneof: 'access_log_format', deprecated: 'use log_format.text_format_source' }),
  json_format: struct({ oneof: 'access_log_format', deprecated: 'use log_format.json_format' }),
  typed_json_format: struct({ oneof: 'access_log_format', deprecated: 'use log_format.json_format' }),
  log_format: msg(() => SUBSTITUTION_FORMAT_STRING, { oneof: 'access_log_format' }),
});

export const STDOUT_ACCESS_LOG: MessageDescriptor = message('envoy.extensions.access_loggers.stream.v3.StdoutAccessLog', {
  log_format: msg(() => SUBSTITUTION_FORMAT_STRING, { oneof: 'access_log_format' }),
});

export const STDERR_ACCESS_LOG: MessageDescriptor = message('envoy.extensions.access_loggers.stream.v3.StderrAccessLog', {
  log_format: msg(() => SUBSTITUTION_FORMAT_STRING, { oneof: 'access_log_format' }),
});

/** `envoy.path.match.uri_template.uri_template_matcher` (RouteMatch.path_match_policy). */
export const URI_TEMPLATE_MATCH_CONFIG: MessageDescriptor = message('envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', {
  path_template: str({ required: true, check: { minLen: 1 } }),
});

/** `envoy.path.rewrite.uri_template.uri_template_rewriter` (RouteAction.path_rewrite_policy). */
export const URI_TEMPLATE_REWRITE_CONFIG: MessageDescriptor = message('envoy.extensions.path.rewrite.uri_template.v3.UriTemplateRewriteConfig', {
  path_template_rewrite: str({ required: true, check: { minLen: 1 } }),
});

export const PREVIOUS_HOSTS_PREDICATE: MessageDescriptor = message('envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate', {});

/**
 * `envoy.filters.listener.original_dst`: the connection's local address becomes its destination
 * before iptables REDIRECT (SO_ORIGINAL_DST). `traffic_direction` matters on Windows only.
 */
export const ORIGINAL_DST_LISTENER_FILTER: MessageDescriptor = message('envoy.extensions.filters.listener.original_dst.v3.OriginalDst', {
  traffic_direction: enm(['UNSPECIFIED', 'INBOUND', 'OUTBOUND']),
});
