/**
 * The small Envoy messages other config types are built from (Any, FractionalPercent,
 * HeaderValueOption, Metadata, Address, runtime-keyed values...), apart so that types.ts and its
 * companion files (matcher_types.ts, route_config_types.ts, listener_types.ts, protocol_types.ts,
 * cluster_types.ts, tracing_types.ts) import them without importing each other. types.ts
 * re-exports them.
 */
/** `google.protobuf.Any` as decoded. */
export interface Any {
  '@type': string;
  [field: string]: unknown;
}

export type FractionalPercentDenominator = 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';

/** `envoy.type.v3.FractionalPercent`. `denominator` defaults to HUNDRED. */
export interface FractionalPercent {
  numerator?: number;
  denominator?: FractionalPercentDenominator;
}

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: string;
}

export type HeaderAppendAction =
  | 'APPEND_IF_EXISTS_OR_ADD'
  | 'ADD_IF_ABSENT'
  | 'OVERWRITE_IF_EXISTS_OR_ADD'
  | 'OVERWRITE_IF_EXISTS';

/** `envoy.config.core.v3.HeaderValueOption`. `append` defaults to true (deprecated field). */
export interface HeaderValueOption {
  header: HeaderValue;
  append?: boolean;
  append_action?: HeaderAppendAction;
  keep_empty_value?: boolean;
}

/** Milliseconds. */
export type DurationMs = number;

/** `envoy.config.core.v3.Metadata` (`filter_metadata`: namespace -> Struct). */
export interface Metadata {
  filter_metadata?: Record<string, Record<string, unknown>>;
  typed_filter_metadata?: Record<string, Any>;
}

// type: percent and runtime

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

/** `envoy.config.core.v3.TypedExtensionConfig` (and `xds.core.v3`'s, the same shape): an extension by name and typed config. */
export interface TypedExtensionConfig {
  name: string;
  typed_config?: Any;
}
