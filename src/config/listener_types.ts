/**
 * Listener, filter chains (with the xDS matcher API of filter_chain_matcher) and the HTTP
 * connection manager as tsproxy decodes them. Contract: types.ts, which re-exports them.
 */
import type { Address, Any, DurationMs, Metadata, TypedExtensionConfig } from './base_types.js';
import type { StringMatcher } from './matcher_types.js';
import type { Http1ProtocolOptions, Http2ProtocolOptions, HttpProtocolOptions } from './protocol_types.js';
import type { RouteConfiguration } from './route_config_types.js';
import type { HcmTracing } from './tracing_types.js';

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
