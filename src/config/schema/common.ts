/**
 * Descriptors of shared Envoy messages: envoy.type.v3, envoy.type.matcher.v3 and
 * envoy.config.core.v3 (percentages, runtime values, matchers, headers, data sources,
 * addresses, metadata, protocol options).
 */
import {
  any, bool, bytes, bytesText, dbl, dur, enm, i32, message, msg, pct, raw, str, struct, u32, big, unsupported,
  type MessageDescriptor,
} from './descriptor.js';
import { HTTP2_PROTOCOL_OPTIONS_MESSAGE } from './http2_protocol_options.js';

export const FRACTIONAL_PERCENT: MessageDescriptor = message('envoy.type.v3.FractionalPercent', {
  numerator: u32(),
  denominator: enm(['HUNDRED', 'TEN_THOUSAND', 'MILLION']),
});

export const RUNTIME_FRACTIONAL_PERCENT: MessageDescriptor = message('envoy.config.core.v3.RuntimeFractionalPercent', {
  default_value: msg(() => FRACTIONAL_PERCENT, { required: true }),
  runtime_key: str(),
});

export const RUNTIME_UINT32: MessageDescriptor = message('envoy.config.core.v3.RuntimeUInt32', {
  default_value: u32(),
  runtime_key: str({ required: true }),
});

export const RUNTIME_DOUBLE: MessageDescriptor = message('envoy.config.core.v3.RuntimeDouble', {
  default_value: dbl(),
  runtime_key: str(),
});

export const RUNTIME_PERCENT: MessageDescriptor = message('envoy.config.core.v3.RuntimePercent', {
  default_value: pct(),
  runtime_key: str({ required: true }),
});

export const RUNTIME_FEATURE_FLAG: MessageDescriptor = message('envoy.config.core.v3.RuntimeFeatureFlag', {
  default_value: bool({ required: true }),
  runtime_key: str({ required: true }),
});

export const REGEX_MATCHER: MessageDescriptor = message('envoy.type.matcher.v3.RegexMatcher', {
  // `google_re2` is deprecated; its max_program_size is superseded by runtime keys.
  google_re2: msg(() => GOOGLE_RE2, { oneof: 'engine_type', deprecated: 'use the runtime key re2.max_program_size.error_level' }),
  regex: str({ required: true }),
});

const GOOGLE_RE2: MessageDescriptor = message('envoy.type.matcher.v3.RegexMatcher.GoogleRE2', {
  max_program_size: u32({ deprecated: 'use the runtime key re2.max_program_size.error_level' }),
});

export const REGEX_MATCH_AND_SUBSTITUTE: MessageDescriptor = message('envoy.type.matcher.v3.RegexMatchAndSubstitute', {
  pattern: msg(() => REGEX_MATCHER, { required: true }),
  substitution: str(),
});

export const STRING_MATCHER: MessageDescriptor = message(
  'envoy.type.matcher.v3.StringMatcher',
  {
    exact: str({ oneof: 'match_pattern' }),
    prefix: str({ oneof: 'match_pattern' }),
    suffix: str({ oneof: 'match_pattern' }),
    safe_regex: msg(() => REGEX_MATCHER, { oneof: 'match_pattern' }),
    contains: str({ oneof: 'match_pattern' }),
    custom: unsupported('custom string matcher extensions', { oneof: 'match_pattern' }),
    ignore_case: bool(),
  },
  { requiredOneofs: ['match_pattern'] },
);

export const INT64_RANGE: MessageDescriptor = message('envoy.type.v3.Int64Range', {
  start: big(),
  end: big(),
});

export const INT32_RANGE: MessageDescriptor = message('envoy.type.v3.Int32Range', {
  start: i32(),
  end: i32(),
});

export const HEADER_VALUE: MessageDescriptor = message('envoy.config.core.v3.HeaderValue', {
  key: str({ required: true, check: { minLen: 1 } }),
  value: str(),
  raw_value: bytesText(),
});

export const HEADER_VALUE_OPTION: MessageDescriptor = message('envoy.config.core.v3.HeaderValueOption', {
  header: msg(() => HEADER_VALUE, { required: true }),
  append: bool({ deprecated: 'use append_action' }),
  append_action: enm(['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS']),
  keep_empty_value: bool(),
});

export const DATA_SOURCE: MessageDescriptor = message('envoy.config.core.v3.DataSource', {
  filename: str({ oneof: 'specifier' }),
  inline_bytes: bytes({ oneof: 'specifier' }),
  inline_string: str({ oneof: 'specifier' }),
  environment_variable: str({ oneof: 'specifier' }),
  watched_directory: unsupported('DataSource.watched_directory'),
});

export const METADATA: MessageDescriptor = message('envoy.config.core.v3.Metadata', {
  // Namespaces and their Struct contents are data: kept as written.
  filter_metadata: struct({ map: true }),
  typed_filter_metadata: any({ map: true }),
});

export const SOCKET_ADDRESS: MessageDescriptor = message('envoy.config.core.v3.SocketAddress', {
  protocol: enm(['TCP', 'UDP']),
  address: str({ required: true }),
  port_value: u32({ oneof: 'port_specifier', check: { max: 65535 } }),
  named_port: str({ oneof: 'port_specifier', unsupported: 'SocketAddress.named_port' }),
  resolver_name: str({ unsupported: 'custom resolvers (SocketAddress.resolver_name)' }),
  ipv4_compat: bool(),
  network_namespace_filepath: str({ unsupported: 'SocketAddress.network_namespace_filepath' }),
});

export const ADDRESS: MessageDescriptor = message('envoy.config.core.v3.Address', {
  socket_address: msg(() => SOCKET_ADDRESS, { oneof: 'address' }),
  pipe: msg(() => PIPE, { oneof: 'address', unsupported: 'unix domain socket addresses (Address.pipe)' }),
  envoy_internal_address: unsupported('internal listeners (Address.envoy_internal_address)', { oneof: 'address' }),
});

const PIPE: MessageDescriptor = message('envoy.config.core.v3.Pipe', { path: str({ required: true }), mode: u32() });

export const TRANSPORT_SOCKET: MessageDescriptor = message('envoy.config.core.v3.TransportSocket', {
  name: str({ required: true }),
  typed_config: any(),
});

export const TYPED_EXTENSION_CONFIG: MessageDescriptor = message('envoy.config.core.v3.TypedExtensionConfig', {
  name: str({ required: true }),
  typed_config: any({ required: true }),
});

export const HTTP1_PROTOCOL_OPTIONS: MessageDescriptor = message('envoy.config.core.v3.Http1ProtocolOptions', {
  allow_absolute_url: bool(),
  accept_http_10: bool(),
  default_host_for_http_10: str(),
  header_key_format: unsupported('Http1ProtocolOptions.header_key_format'),
  enable_trailers: bool(),
  allow_chunked_length: bool(),
  override_stream_error_on_invalid_http_message: bool(),
  send_fully_qualified_url: bool(),
  use_balsa_parser: bool(),
  allow_custom_methods: bool(),
  ignore_http_11_upgrade: raw(),
});

export const HTTP_PROTOCOL_OPTIONS: MessageDescriptor = message('envoy.config.core.v3.HttpProtocolOptions', {
  idle_timeout: dur(),
  max_connection_duration: dur(),
  max_headers_count: u32({ check: { min: 1 } }),
  max_response_headers_kb: u32(),
  max_stream_duration: dur(),
  headers_with_underscores_action: enm(['ALLOW', 'REJECT_REQUEST', 'DROP_HEADER']),
  max_requests_per_connection: u32(),
});

/** HTTP/2 options of the HCM (downstream); clusters use the same message (http2_protocol_options.ts). */
export const HTTP2_PROTOCOL_OPTIONS = msg(() => HTTP2_PROTOCOL_OPTIONS_MESSAGE);

