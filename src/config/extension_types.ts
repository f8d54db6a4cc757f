/**
 * Decoded Envoy extension configs tsproxy implements (selected by `@type`), in the same
 * conventions as types.ts: snake_case names, Duration in ms, no defaults filled. Each carries
 * its `'@type'` as decoded.
 */
import type { AccessLog, Any, DataSource, DurationMs, FractionalPercent, HeaderMatcher, HttpProtocolOptions, Http1ProtocolOptions } from './types.js';

/** `envoy.extensions.filters.http.router.v3.Router`. */
export interface RouterConfig {
  '@type'?: string;
  /** Default true. */
  dynamic_stats?: boolean;
  upstream_log?: AccessLog[];
  upstream_log_options?: unknown;
  suppress_envoy_headers?: boolean;
  strict_check_headers?: string[];
  respect_expected_rq_timeout?: boolean;
  suppress_grpc_request_failure_code_stats?: boolean;
}

/** `envoy.extensions.filters.common.fault.v3.FaultDelay`: fixed_delay or header_delay. */
export interface FaultDelay {
  fixed_delay?: DurationMs;
  header_delay?: Record<string, never>;
  percentage?: FractionalPercent;
}

/** `envoy.extensions.filters.http.fault.v3.FaultAbort`: http_status, grpc_status or header_abort. */
export interface FaultAbort {
  http_status?: number;
  grpc_status?: number;
  header_abort?: Record<string, never>;
  percentage?: FractionalPercent;
}

/** `envoy.extensions.filters.http.fault.v3.HTTPFault` (filter config and per-route config). */
export interface HTTPFault {
  '@type'?: string;
  delay?: FaultDelay;
  abort?: FaultAbort;
  upstream_cluster?: string;
  headers?: HeaderMatcher[];
  downstream_nodes?: string[];
  max_active_faults?: number;
  response_rate_limit?: unknown;
  /** Default `fault.http.delay.fixed_delay_percent`. */
  delay_percent_runtime?: string;
  /** Default `fault.http.abort.abort_percent`. */
  abort_percent_runtime?: string;
  /** Default `fault.http.delay.fixed_duration_ms`. */
  delay_duration_runtime?: string;
  /** Default `fault.http.abort.http_status`. */
  abort_http_status_runtime?: string;
  /** Default `fault.http.max_active_faults`. */
  max_active_faults_runtime?: string;
  response_rate_limit_percent_runtime?: string;
  /** Default `fault.http.abort.grpc_status`. */
  abort_grpc_status_runtime?: string;
  disable_downstream_cluster_stats?: boolean;
  filter_metadata?: Record<string, unknown>;
}

/** `envoy.extensions.filters.http.cors.v3.Cors`: no fields; policies are per route. */
export interface CorsConfig {
  '@type'?: string;
}

/** `envoy.config.core.v3.SubstitutionFormatString`. */
export interface SubstitutionFormatString {
  text_format?: string;
  json_format?: Record<string, unknown>;
  text_format_source?: DataSource;
  omit_empty_values?: boolean;
  content_type?: string;
  json_format_options?: { sort_properties?: boolean };
}

/** `envoy.config.accesslog.v3.ComparisonFilter`; `value` is a RuntimeUInt32. */
export interface AccessLogComparisonFilter {
  /** Default `EQ`. */
  op?: 'EQ' | 'GE' | 'LE' | 'NE';
  value?: { default_value?: number; runtime_key?: string };
}

/**
 * `envoy.config.accesslog.v3.AccessLogFilter` (AccessLog.filter), as decoded: exactly one member
 * of the `filter_specifier` oneof is set.
 */
export interface AccessLogFilter {
  status_code_filter?: { comparison?: AccessLogComparisonFilter };
  duration_filter?: { comparison?: AccessLogComparisonFilter };
  not_health_check_filter?: Record<string, never>;
  traceable_filter?: Record<string, never>;
  runtime_filter?: { runtime_key?: string; percent_sampled?: FractionalPercent; use_independent_randomness?: boolean };
  and_filter?: { filters?: AccessLogFilter[] };
  or_filter?: { filters?: AccessLogFilter[] };
  header_filter?: { header?: HeaderMatcher };
  response_flag_filter?: { flags?: string[] };
  grpc_status_filter?: { statuses?: string[]; exclude?: boolean };
  extension_filter?: { name?: string; typed_config?: Any };
  metadata_filter?: { matcher?: unknown; match_if_key_not_found?: boolean };
  log_type_filter?: { types?: string[]; exclude?: boolean };
}

/** `envoy.extensions.access_loggers.file.v3.FileAccessLog`. */
export interface FileAccessLogConfig {
  '@type'?: string;
  path: string;
  /** Deprecated: a text format string. */
  format?: string;
  /** Deprecated: a JSON format. */
  json_format?: Record<string, unknown>;
  typed_json_format?: Record<string, unknown>;
  log_format?: SubstitutionFormatString;
}

/** `envoy.extensions.access_loggers.stream.v3.StdoutAccessLog` / `StderrAccessLog`. */
export interface StreamAccessLogConfig {
  '@type'?: string;
  log_format?: SubstitutionFormatString;
}

/** `envoy.extensions.upstreams.http.v3.HttpProtocolOptions` (Cluster.typed_extension_protocol_options). */
export interface UpstreamHttpProtocolOptions {
  '@type'?: string;
  common_http_protocol_options?: HttpProtocolOptions;
  upstream_http_protocol_options?: unknown;
  explicit_http_config?: { http_protocol_options?: Http1ProtocolOptions; http2_protocol_options?: unknown; http3_protocol_options?: unknown };
  use_downstream_protocol_config?: unknown;
  auto_config?: unknown;
  http_filters?: unknown[];
}

/** `envoy.config.route.v3.FilterConfig`: per-route wrapper with `is_optional` / `disabled`. */
export interface RouteFilterConfig {
  '@type'?: string;
  config?: { '@type': string; [field: string]: unknown };
  is_optional?: boolean;
  disabled?: boolean;
}
