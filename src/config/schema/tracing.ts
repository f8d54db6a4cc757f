/**
 * Descriptors of Envoy's tracing config: the HCM's `tracing` block
 * (HttpConnectionManager.Tracing), a route's `tracing` (envoy.config.route.v3.Tracing),
 * `envoy.type.tracing.v3.CustomTag`, the provider (`envoy.config.trace.v3.Tracing.Http`, also
 * Bootstrap.tracing) and the two provider configs serve runs: `envoy.tracers.opentelemetry`
 * (OpenTelemetryConfig) and `envoy.tracers.zipkin` (ZipkinConfig).
 */
import { any, bool, dur, enm, message, msg, pct, raw, str, u32, unsupported, type MessageDescriptor } from './descriptor.js';
import { FRACTIONAL_PERCENT, HEADER_VALUE_OPTION } from './common.js';

const CT = 'envoy.type.tracing.v3.CustomTag';

const METADATA_KEY: MessageDescriptor = message('envoy.type.metadata.v3.MetadataKey', {
  key: str({ required: true, check: { minLen: 1 } }),
  path: msg(() => message('envoy.type.metadata.v3.MetadataKey.PathSegment', { key: str({ oneof: 'segment' }) }), { repeated: true }),
});

const METADATA_KIND: MessageDescriptor = message('envoy.type.metadata.v3.MetadataKind', {
  request: msg(() => message('envoy.type.metadata.v3.MetadataKind.Request', {}), { oneof: 'kind' }),
  route: msg(() => message('envoy.type.metadata.v3.MetadataKind.Route', {}), { oneof: 'kind' }),
  cluster: msg(() => message('envoy.type.metadata.v3.MetadataKind.Cluster', {}), { oneof: 'kind' }),
  host: msg(() => message('envoy.type.metadata.v3.MetadataKind.Host', {}), { oneof: 'kind' }),
});

const T = { oneof: 'type' } as const;

/** `envoy.type.tracing.v3.CustomTag`: exactly one of literal/environment/request_header/metadata/value. */
export const CUSTOM_TAG: MessageDescriptor = message(CT, {
  tag: str({ required: true, check: { minLen: 1 } }),
  literal: msg(() => message(`${CT}.Literal`, { value: str({ required: true }) }), T),
  environment: msg(() => message(`${CT}.Environment`, { name: str({ required: true }), default_value: str() }), T),
  request_header: msg(() => message(`${CT}.Header`, { name: str({ required: true }), default_value: str() }), T),
  metadata: msg(() => message(`${CT}.Metadata`, { kind: msg(() => METADATA_KIND), metadata_key: msg(() => METADATA_KEY), default_value: str() }), T),
  value: str({ ...T, unsupported: 'substitution-format custom tags (CustomTag.value)' }),
}, { requiredOneofs: ['type'] });

/** `envoy.config.trace.v3.Tracing.Http`: the provider, selected by its typed_config `@type`. */
export const TRACING_HTTP: MessageDescriptor = message('envoy.config.trace.v3.Tracing.Http', {
  name: str({ required: true, check: { minLen: 1 } }),
  typed_config: any({ oneof: 'config_type' }),
});

/** `envoy.config.trace.v3.Tracing` (Bootstrap.tracing): the provider HCMs without their own use. */
export const BOOTSTRAP_TRACING: MessageDescriptor = message('envoy.config.trace.v3.Tracing', {
  http: msg(() => TRACING_HTTP),
});

/** `HttpConnectionManager.Tracing`. */
export const HCM_TRACING: MessageDescriptor = message('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing', {
  operation_name: enm(['INGRESS', 'EGRESS'], { deprecated: 'the listener traffic_direction names the span kind' }),
  request_headers_for_tags: str({ repeated: true, deprecated: 'use custom_tags with request_header' }),
  client_sampling: pct(),
  random_sampling: pct(),
  overall_sampling: pct(),
  verbose: bool(),
  max_path_tag_length: u32(),
  custom_tags: msg(() => CUSTOM_TAG, { repeated: true }),
  provider: msg(() => TRACING_HTTP),
  spawn_upstream_span: bool(),
  operation: str({ unsupported: 'substitution-format span names (Tracing.operation)' }),
  upstream_operation: str({ unsupported: 'substitution-format upstream span names (Tracing.upstream_operation)' }),
});

/** `envoy.config.route.v3.Tracing` (Route.tracing): per-route sampling and tags. */
export const ROUTE_TRACING: MessageDescriptor = message('envoy.config.route.v3.Tracing', {
  client_sampling: msg(() => FRACTIONAL_PERCENT),
  random_sampling: msg(() => FRACTIONAL_PERCENT),
  overall_sampling: msg(() => FRACTIONAL_PERCENT),
  custom_tags: msg(() => CUSTOM_TAG, { repeated: true }),
  operation: str({ unsupported: 'substitution-format span names (Route.tracing.operation)' }),
  upstream_operation: str({ unsupported: 'substitution-format upstream span names (Route.tracing.upstream_operation)' }),
});

const HTTP_URI: MessageDescriptor = message('envoy.config.core.v3.HttpUri', {
  uri: str({ required: true, check: { minLen: 1 } }),
  cluster: str({ required: true, check: { minLen: 1 } }),
  timeout: dur({ required: true }),
});

/** `envoy.config.core.v3.HttpService`. */
export const HTTP_SERVICE: MessageDescriptor = message('envoy.config.core.v3.HttpService', {
  http_uri: msg(() => HTTP_URI, { required: true }),
  request_headers_to_add: msg(() => HEADER_VALUE_OPTION, { repeated: true }),
});

/** `envoy.config.trace.v3.OpenTelemetryConfig` (`envoy.tracers.opentelemetry`). */
export const OPENTELEMETRY_CONFIG: MessageDescriptor = message('envoy.config.trace.v3.OpenTelemetryConfig', {
  grpc_service: raw(),
  http_service: msg(() => HTTP_SERVICE),
  service_name: str(),
  resource_detectors: raw({ repeated: true }),
  sampler: raw(),
  max_cache_size: u32(),
});

/** `envoy.config.trace.v3.ZipkinConfig` (`envoy.tracers.zipkin`). */
export const ZIPKIN_CONFIG: MessageDescriptor = message('envoy.config.trace.v3.ZipkinConfig', {
  collector_cluster: str(),
  collector_endpoint: str(),
  trace_id_128bit: bool(),
  shared_span_context: bool(),
  collector_endpoint_version: enm(['DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE', 'HTTP_JSON', 'HTTP_PROTO', 'GRPC']),
  collector_hostname: str(),
  split_spans_for_request: bool(),
  trace_context_option: enm(['USE_B3', 'USE_B3_WITH_W3C_PROPAGATION']),
  collector_service: unsupported('ZipkinConfig.collector_service (use collector_cluster and collector_endpoint)'),
});
