/**
 * A router_check test file as decoded: Envoy's `envoy.RouterCheckToolSchema.Validation`
 * (test/tools/router_check/validation.proto), in snake_case like the config types.
 *
 * An assertion that the file does not write is `undefined` and is not checked; an empty string is
 * written and asserts "no value" (Envoy uses `google.protobuf.StringValue` wrappers for this).
 */
import type { HeaderMatcher } from '../../config/types.js';

/** `envoy.config.core.v3.HeaderValue` as the test file writes it. */
export interface TestHeaderValue {
  key: string;
  value: string;
}

/**
 * `input.dynamic_metadata[]`: Envoy's set_metadata filter `Metadata` message. With
 * `allow_overwrite` false a namespace that already exists is left as it is; with true the value
 * is merged into it.
 */
export interface TestDynamicMetadata {
  metadata_namespace: string;
  allow_overwrite: boolean;
  value: Record<string, unknown>;
}

/** `ValidationInput`: the request handed to the router. */
export interface ValidationInput {
  authority: string;
  path: string;
  method: string;
  /** Weighted-cluster pick and `runtime_fraction` draw; default 0. */
  random_value: number;
  /** Sets `:scheme` and `x-forwarded-proto` to `https` (else `http`). */
  ssl: boolean;
  /** Adds `x-envoy-internal: true`. */
  internal: boolean;
  /** The single runtime key the tool enables for `runtime_fraction` matchers ("" = none). */
  runtime: string;
  additional_request_headers: TestHeaderValue[];
  additional_response_headers: TestHeaderValue[];
  dynamic_metadata: TestDynamicMetadata[];
}

/** `ValidationAssert.route_metadata[]`: a string value expected in the route's filter metadata. */
export interface RouteMetadataAssert {
  namespace: string;
  key: string;
  value: string;
}

/** `ValidationAssert`: what to check; `undefined` = not checked. */
export interface ValidationAssert {
  cluster_name?: string;
  virtual_cluster_name?: string;
  virtual_host_name?: string;
  host_rewrite?: string;
  path_rewrite?: string;
  /** The full URL of a redirect or direct response (`newUri`); "" for forwarding routes. */
  path_redirect?: string;
  /** Status of a redirect or direct response; 0 when the route forwards. */
  code_redirect?: number;
  request_header_matches: HeaderMatcher[];
  response_header_matches: HeaderMatcher[];
  /** Deprecated in Envoy, still read: exact value of a request header after finalization. */
  request_header_fields: TestHeaderValue[];
  /** Deprecated in Envoy, still read: exact value of a response header after finalization. */
  response_header_fields: TestHeaderValue[];
  /** Route timeout in milliseconds (Envoy compares `routeEntry()->timeout()` in ms). */
  timeout?: number;
  route_metadata: RouteMetadataAssert[];
}

/** `ValidationItem`. */
export interface ValidationItem {
  test_name: string;
  input: ValidationInput;
  validate: ValidationAssert;
}

/** `Validation`: the whole test file. */
export interface RouterCheckSpec {
  tests: ValidationItem[];
  /**
   * Top-level runtime values applied when the route table is built (e.g.
   * `re2.max_program_size.error_level`), as Envoy's `DefaultRuntime` test uses them.
   */
  runtime: Record<string, unknown>;
}

/** The syntaxes a test file may use. */
export type TestFileFormat = 'json' | 'yaml' | 'text_proto';
