/**
 * Typed shapes of Envoy's tracing config as the decoder produces them (schema/tracing.ts):
 * snake_case field names, `Percent` decoded to its value, durations to milliseconds.
 */
import type { FractionalPercent, HeaderValueOption, Any } from './base_types.js';

/** `envoy.type.metadata.v3.MetadataKind`: one member set. */
export interface MetadataKind {
  request?: object;
  route?: object;
  cluster?: object;
  host?: object;
}

/** `envoy.type.tracing.v3.CustomTag`: exactly one of literal/environment/request_header/metadata. */
export interface CustomTag {
  tag: string;
  literal?: { value: string };
  environment?: { name: string; default_value?: string };
  request_header?: { name: string; default_value?: string };
  metadata?: { kind?: MetadataKind; metadata_key?: { key: string; path?: Array<{ key?: string }> }; default_value?: string };
  value?: string;
}

/** `envoy.config.trace.v3.Tracing.Http`. */
export interface TracingProvider {
  name: string;
  typed_config?: Any;
}

/** `HttpConnectionManager.Tracing`. Percentages 0..100 (client and overall default 100, random 100). */
export interface HcmTracing {
  operation_name?: 'INGRESS' | 'EGRESS';
  request_headers_for_tags?: string[];
  client_sampling?: number;
  random_sampling?: number;
  overall_sampling?: number;
  verbose?: boolean;
  /** Default 256. */
  max_path_tag_length?: number;
  custom_tags?: CustomTag[];
  provider?: TracingProvider;
  spawn_upstream_span?: boolean;
  operation?: string;
  upstream_operation?: string;
}

/** `envoy.config.route.v3.Tracing`: each sampling defaults to 100%. */
export interface RouteTracing {
  client_sampling?: FractionalPercent;
  random_sampling?: FractionalPercent;
  overall_sampling?: FractionalPercent;
  custom_tags?: CustomTag[];
}

/** `envoy.config.trace.v3.Tracing` (Bootstrap.tracing). */
export interface BootstrapTracing {
  http?: TracingProvider;
}

/** `envoy.config.core.v3.HttpService`. */
export interface HttpService {
  http_uri: { uri: string; cluster: string; timeout: number };
  request_headers_to_add?: HeaderValueOption[];
}

/** `envoy.config.trace.v3.OpenTelemetryConfig`. */
export interface OpenTelemetryConfig {
  grpc_service?: unknown;
  http_service?: HttpService;
  service_name?: string;
  resource_detectors?: unknown[];
  sampler?: unknown;
  max_cache_size?: number;
}

/** `envoy.config.trace.v3.ZipkinConfig`. */
export interface ZipkinConfig {
  collector_cluster?: string;
  collector_endpoint?: string;
  trace_id_128bit?: boolean;
  /** Default true. */
  shared_span_context?: boolean;
  collector_endpoint_version?: 'DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE' | 'HTTP_JSON' | 'HTTP_PROTO' | 'GRPC';
  collector_hostname?: string;
  split_spans_for_request?: boolean;
  trace_context_option?: 'USE_B3' | 'USE_B3_WITH_W3C_PROPAGATION';
}

export const OPENTELEMETRY_CONFIG_TYPE = 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig';
export const ZIPKIN_CONFIG_TYPE = 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig';
