/**
 * The small Envoy messages other config types are built from (Any, FractionalPercent,
 * HeaderValueOption), apart so that types.ts and its companion files (tracing_types.ts) import
 * them without importing each other. types.ts re-exports them.
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
