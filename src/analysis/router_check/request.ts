/**
 * The request Envoy's router_check_tool builds from a test's `input` (router.cc
 * `ToolConfig::create`), as a core `RouteRequest`:
 * `:authority`, `:path`, `:method` as given; `:scheme` and `x-forwarded-proto` `https` when `ssl`,
 * else `http`; `x-envoy-internal: true` when `internal`; then `additional_request_headers` in
 * order (a repeated name becomes several values). The downstream address is 127.0.0.1, the
 * tool's canonical loopback (what `%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%` formats to).
 *
 * Runtime: the tool mocks `Runtime::Snapshot::featureEnabled` so that only the key named by
 * `input.runtime` is enabled, by its default fraction against the test's random value
 * (`random_value % denominator < numerator`); every other key is disabled. Pure.
 */
import type { RouteRequest } from '../../core/route_types.js';
import type { TestDynamicMetadata, ValidationInput } from './spec.js';

/** Builds the RouteRequest of a test input. */
export function routeRequestFor(input: ValidationInput): RouteRequest {
  const scheme = input.ssl ? 'https' : 'http';
  const headers: Record<string, string | string[]> = { 'x-forwarded-proto': scheme };
  if (input.internal) headers['x-envoy-internal'] = 'true';
  for (const h of input.additional_request_headers) addHeader(headers, h.key.toLowerCase(), h.value);
  const activeRuntime = input.runtime;
  return {
    authority: input.authority,
    path: input.path,
    method: input.method,
    scheme,
    headers,
    remoteAddress: '127.0.0.1',
    dynamicMetadata: dynamicMetadataOf(input.dynamic_metadata),
    featureEnabled: (key, numerator, denominator, randomValue) =>
      activeRuntime !== '' && key === activeRuntime && denominator > 0 && randomValue % denominator < numerator,
  };
}

/** Appends a header value (Envoy's `addCopy`: a second value makes a second entry). */
export function addHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const cur = headers[name];
  if (cur === undefined) headers[name] = value;
  else headers[name] = Array.isArray(cur) ? [...cur, value] : [cur, value];
}

/**
 * Dynamic metadata from `input.dynamic_metadata`, with the set_metadata filter's semantics: a
 * namespace already present is left alone unless `allow_overwrite`, which merges the new value
 * into it (nested structs merged, lists appended, other values replaced).
 */
export function dynamicMetadataOf(entries: readonly TestDynamicMetadata[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    const has = Object.prototype.hasOwnProperty.call(out, e.metadata_namespace);
    if (has && !e.allow_overwrite) continue;
    const base = has ? (out[e.metadata_namespace] as Record<string, unknown>) : {};
    Object.defineProperty(out, e.metadata_namespace, { value: mergeStruct(base, e.value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isStruct(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeStruct(base: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(update)) {
    const cur = out[k];
    let next: unknown = v;
    if (isStruct(cur) && isStruct(v)) next = mergeStruct(cur, v);
    else if (Array.isArray(cur) && Array.isArray(v)) next = [...cur, ...v];
    Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
