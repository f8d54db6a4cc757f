/**
 * Descriptors of envoy.config.listener.v3 (Listener, FilterChain, FilterChainMatch, Filter),
 * envoy.config.accesslog.v3.AccessLog and the HttpConnectionManager network filter.
 */
import {
  any, bool, dur, enm, message, msg, raw, str, u32, unsupported,
  type MessageDescriptor,
} from './descriptor.js';
import {
  ADDRESS, FRACTIONAL_PERCENT, HTTP1_PROTOCOL_OPTIONS, HTTP2_PROTOCOL_OPTIONS, HTTP_PROTOCOL_OPTIONS, METADATA,
  RUNTIME_UINT32, TRANSPORT_SOCKET,
} from './common.js';
import { HEADER_MATCHER, METADATA_MATCHER, ROUTE_CONFIGURATION } from './route.js';
import { HCM_TRACING } from './tracing.js';
import { XDS_MATCHER } from './matcher.js';

const CIDR_RANGE: MessageDescriptor = message('envoy.config.core.v3.CidrRange', {
  address_prefix: str({ required: true }),
  prefix_len: u32(),
});

export const FILTER_CHAIN_MATCH: MessageDescriptor = message('envoy.config.listener.v3.FilterChainMatch', {
  destination_port: u32(),
  prefix_ranges: msg(() => CIDR_RANGE, { repeated: true }),
  address_suffix: str(),
  suffix_len: u32(),
  direct_source_prefix_ranges: msg(() => CIDR_RANGE, { repeated: true }),
  source_type: enm(['ANY', 'SAME_IP_OR_LOOPBACK', 'EXTERNAL']),
  source_prefix_ranges: msg(() => CIDR_RANGE, { repeated: true }),
  source_ports: u32({ repeated: true }),
  server_names: str({ repeated: true }),
  transport_protocol: str(),
  application_protocols: str({ repeated: true }),
});

export const NETWORK_FILTER: MessageDescriptor = message('envoy.config.listener.v3.Filter', {
  name: str({ required: true }),
  typed_config: any({ oneof: 'config_type' }),
  config_discovery: unsupported('extension config discovery (Filter.config_discovery)', { oneof: 'config_type' }),
});

export const FILTER_CHAIN: MessageDescriptor = message('envoy.config.listener.v3.FilterChain', {
  filter_chain_match: msg(() => FILTER_CHAIN_MATCH),
  filters: msg(() => NETWORK_FILTER, { repeated: true }),
  use_proxy_proto: bool({ deprecated: 'use the proxy_protocol listener filter', unsupported: 'PROXY protocol' }),
  metadata: msg(() => METADATA),
  transport_socket: msg(() => TRANSPORT_SOCKET),
  transport_socket_connect_timeout: dur(),
  name: str(),
  on_demand_configuration: unsupported('on-demand filter chains'),
});

const AL = 'envoy.config.accesslog.v3';

const COMPARISON_FILTER: MessageDescriptor = message(`${AL}.ComparisonFilter`, {
  op: enm(['EQ', 'GE', 'LE', 'NE']),
  value: msg(() => RUNTIME_UINT32, { required: true }),
});

const GRPC_STATUSES = [
  'OK', 'CANCELED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

const ACCESS_LOG_TYPES = [
  'NotSet', 'TcpUpstreamConnected', 'TcpPeriodic', 'TcpConnectionEnd', 'DownstreamStart', 'DownstreamPeriodic',
  'DownstreamEnd', 'UpstreamPoolReady', 'UpstreamPeriodic', 'UpstreamEnd', 'DownstreamTunnelSuccessfullyEstablished',
  'UdpTunnelUpstreamConnected', 'UdpPeriodic', 'UdpSessionEnd',
] as const;

const F = { oneof: 'filter_specifier' } as const;

/**
 * `envoy.config.accesslog.v3.AccessLogFilter`: every filter type decodes (snake_case, unknown
 * fields are errors); the access log runtime refuses the ones it does not implement.
 */
export const ACCESS_LOG_FILTER: MessageDescriptor = message(`${AL}.AccessLogFilter`, {
  status_code_filter: msg(() => message(`${AL}.StatusCodeFilter`, { comparison: msg(() => COMPARISON_FILTER, { required: true }) }), F),
  duration_filter: msg(() => message(`${AL}.DurationFilter`, { comparison: msg(() => COMPARISON_FILTER, { required: true }) }), F),
  not_health_check_filter: msg(() => message(`${AL}.NotHealthCheckFilter`, {}), F),
  traceable_filter: msg(() => message(`${AL}.TraceableFilter`, {}), F),
  runtime_filter: msg(() => message(`${AL}.RuntimeFilter`, {
    runtime_key: str({ required: true, check: { minLen: 1 } }),
    percent_sampled: msg(() => FRACTIONAL_PERCENT),
    use_independent_randomness: bool(),
  }), F),
  and_filter: msg(() => message(`${AL}.AndFilter`, { filters: msg(() => ACCESS_LOG_FILTER, { repeated: true }) }), F),
  or_filter: msg(() => message(`${AL}.OrFilter`, { filters: msg(() => ACCESS_LOG_FILTER, { repeated: true }) }), F),
  header_filter: msg(() => message(`${AL}.HeaderFilter`, { header: msg(() => HEADER_MATCHER, { required: true }) }), F),
  response_flag_filter: msg(() => message(`${AL}.ResponseFlagFilter`, { flags: str({ repeated: true }) }), F),
  grpc_status_filter: msg(() => message(`${AL}.GrpcStatusFilter`, {
    statuses: enm(GRPC_STATUSES, { repeated: true }),
    exclude: bool(),
  }), F),
  extension_filter: msg(() => message(`${AL}.ExtensionFilter`, {
    name: str(),
    typed_config: any({ oneof: 'config_type' }),
  }), F),
  metadata_filter: msg(() => message(`${AL}.MetadataFilter`, {
    matcher: msg(() => METADATA_MATCHER),
    match_if_key_not_found: bool(),
  }), F),
  log_type_filter: msg(() => message(`${AL}.LogTypeFilter`, {
    types: enm(ACCESS_LOG_TYPES, { repeated: true }),
    exclude: bool(),
  }), F),
}, { requiredOneofs: ['filter_specifier'] });

export const ACCESS_LOG: MessageDescriptor = message(`${AL}.AccessLog`, {
  name: str(),
  filter: msg(() => ACCESS_LOG_FILTER),
  typed_config: any({ oneof: 'config_type' }),
});

const LISTENER_FILTER: MessageDescriptor = message('envoy.config.listener.v3.ListenerFilter', {
  name: str({ required: true }),
  typed_config: any({ oneof: 'config_type' }),
  config_discovery: unsupported('extension config discovery', { oneof: 'config_type' }),
  filter_disabled: raw(),
});

export const LISTENER: MessageDescriptor = message('envoy.config.listener.v3.Listener', {
  name: str(),
  address: msg(() => ADDRESS),
  additional_addresses: unsupported('Listener.additional_addresses', { repeated: true }),
  stat_prefix: str(),
  filter_chains: msg(() => FILTER_CHAIN, { repeated: true }),
  filter_chain_matcher: msg(() => XDS_MATCHER),
  use_original_dst: bool(),
  default_filter_chain: msg(() => FILTER_CHAIN),
  per_connection_buffer_limit_bytes: u32(),
  metadata: msg(() => METADATA),
  deprecated_v1: raw({ deprecated: 'removed from Envoy' }),
  drain_type: enm(['DEFAULT', 'MODIFY_ONLY']),
  listener_filters: msg(() => LISTENER_FILTER, { repeated: true }),
  listener_filters_timeout: dur(),
  continue_on_listener_filters_timeout: bool(),
  transparent: bool({ unsupported: 'transparent listeners' }),
  freebind: bool(),
  socket_options: unsupported('socket options (Listener.socket_options)', { repeated: true }),
  tcp_fast_open_queue_length: u32(),
  traffic_direction: enm(['UNSPECIFIED', 'INBOUND', 'OUTBOUND']),
  udp_listener_config: unsupported('UDP listeners'),
  api_listener: unsupported('API listeners'),
  connection_balance_config: unsupported('connection balancing (Listener.connection_balance_config)'),
  reuse_port: bool({ deprecated: 'use enable_reuse_port' }),
  enable_reuse_port: bool(),
  access_log: msg(() => ACCESS_LOG, { repeated: true }),
  tcp_backlog_size: u32(),
  max_connections_to_accept_per_socket_event: u32(),
  bind_to_port: bool(),
  internal_listener: unsupported('internal listeners'),
  enable_mptcp: bool(),
  ignore_global_conn_limit: bool(),
  bypass_overload_manager: bool(),
});

export const HTTP_FILTER: MessageDescriptor = message('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', {
  name: str({ required: true }),
  typed_config: any({ oneof: 'config_type' }),
  config_discovery: unsupported('extension config discovery (HttpFilter.config_discovery)', { oneof: 'config_type' }),
  is_optional: bool(),
  disabled: bool(),
});

const RDS: MessageDescriptor = message('envoy.extensions.filters.network.http_connection_manager.v3.Rds', {
  config_source: raw(),
  route_config_name: str({ required: true }),
});

const UPGRADE_CONFIG: MessageDescriptor = message('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig', {
  upgrade_type: str({ required: true }),
  filters: msg(() => HTTP_FILTER, { repeated: true }),
  enabled: bool(),
});

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

const INTERNAL_ADDRESS_CONFIG: MessageDescriptor = message(`${HCM}.InternalAddressConfig`, {
  unix_sockets: bool(),
  cidr_ranges: msg(() => CIDR_RANGE, { repeated: true }),
});

const SCHEME_HEADER_TRANSFORMATION: MessageDescriptor = message('envoy.config.core.v3.SchemeHeaderTransformation', {
  scheme_to_overwrite: str({ oneof: 'transformation' }),
  match_upstream: bool(),
});

export const HTTP_CONNECTION_MANAGER: MessageDescriptor = message(HCM, {
  codec_type: enm(['AUTO', 'HTTP1', 'HTTP2', 'HTTP3']),
  stat_prefix: str({ required: true, check: { minLen: 1 } }),
  rds: msg(() => RDS, { oneof: 'route_specifier' }),
  route_config: msg(() => ROUTE_CONFIGURATION, { oneof: 'route_specifier' }),
  scoped_routes: unsupported('scoped routes (HttpConnectionManager.scoped_routes)', { oneof: 'route_specifier' }),
  http_filters: msg(() => HTTP_FILTER, { repeated: true }),
  add_user_agent: bool(),
  tracing: msg(() => HCM_TRACING),
  common_http_protocol_options: msg(() => HTTP_PROTOCOL_OPTIONS),
  http1_safe_max_connection_duration: bool(),
  http_protocol_options: msg(() => HTTP1_PROTOCOL_OPTIONS),
  http2_protocol_options: HTTP2_PROTOCOL_OPTIONS,
  http3_protocol_options: unsupported('HTTP/3'),
  server_name: str(),
  server_header_transformation: enm(['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH']),
  scheme_header_transformation: msg(() => SCHEME_HEADER_TRANSFORMATION),
  max_request_headers_kb: u32({ check: { min: 1, max: 8192 } }),
  stream_idle_timeout: dur(),
  request_timeout: dur(),
  request_headers_timeout: dur(),
  drain_timeout: dur(),
  delayed_close_timeout: dur(),
  access_log: msg(() => ACCESS_LOG, { repeated: true }),
  access_log_flush_interval: dur({ deprecated: 'use access_log_options.access_log_flush_interval' }),
  flush_access_log_on_new_request: bool({ deprecated: 'use access_log_options.flush_access_log_on_new_request' }),
  access_log_options: unsupported('periodic access log flushing (HttpConnectionManager.access_log_options)'),
  use_remote_address: bool(),
  xff_num_trusted_hops: u32(),
  original_ip_detection_extensions: unsupported('original IP detection extensions', { repeated: true }),
  early_header_mutation_extensions: unsupported('early header mutation extensions', { repeated: true }),
  internal_address_config: msg(() => INTERNAL_ADDRESS_CONFIG),
  skip_xff_append: bool(),
  via: str(),
  generate_request_id: bool(),
  preserve_external_request_id: bool(),
  always_set_request_id_in_response: bool(),
  forward_client_cert_details: enm(['SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY']),
  set_current_client_cert_details: msg(() => message(
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails',
    { subject: bool(), cert: bool(), chain: bool(), dns: bool(), uri: bool() },
  )),
  proxy_100_continue: bool(),
  represent_ipv4_remote_address_as_ipv4_mapped_ipv6: bool(),
  upgrade_configs: msg(() => UPGRADE_CONFIG, { repeated: true }),
  normalize_path: bool(),
  merge_slashes: bool(),
  path_with_escaped_slashes_action: enm(['IMPLEMENTATION_SPECIFIC_DEFAULT', 'KEEP_UNCHANGED', 'REJECT_REQUEST', 'UNESCAPE_AND_REDIRECT', 'UNESCAPE_AND_FORWARD']),
  request_id_extension: raw(),
  local_reply_config: unsupported('custom local replies (HttpConnectionManager.local_reply_config)'),
  strip_matching_host_port: bool({ oneof: 'strip_port_mode' }),
  strip_any_host_port: bool({ oneof: 'strip_port_mode' }),
  stream_error_on_invalid_http_message: bool(),
  path_normalization_options: unsupported('HttpConnectionManager.path_normalization_options'),
  strip_trailing_host_dot: bool(),
  proxy_status_config: unsupported('the Proxy-Status header (HttpConnectionManager.proxy_status_config)'),
  typed_header_validation_config: unsupported('header validation extensions'),
  append_x_forwarded_port: bool(),
  append_local_overload: bool(),
  add_proxy_protocol_connection_state: bool(),
});
