/**
 * HTTP filters by type URL: which kind a configured filter is, and the pure config parsers of
 * the filters tsproxy implements ("an explicit table keyed by type URL": the runtime adds the
 * factories; lint, match and explain use only these parsers).
 *
 * A filter is identified by its typed_config `@type`; its `name` is a free label. A filter
 * without typed_config is looked up by name (legacy `envoy.filters.http.router`, `envoy.router`).
 */
import type { Diagnostic } from './diagnostic.js';
import type { Any, HttpFilter } from './types.js';
import type { CorsConfig, HTTPFault, RouteFilterConfig, RouterConfig } from './extension_types.js';
import type { CorsPolicy } from './types.js';
import { envoyExtensionTypes, envoyType } from './extension_catalogue.js';
import { typeNameOf } from './schema/registry.js';
import { fieldPositionOf, positionOf } from './position.js';
import { fractionalPercentDenominator } from './defaults.js';

export const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';
export const FAULT_TYPE = 'envoy.extensions.filters.http.fault.v3.HTTPFault';
export const CORS_TYPE = 'envoy.extensions.filters.http.cors.v3.Cors';
export const HEALTH_CHECK_TYPE = 'envoy.extensions.filters.http.health_check.v3.HealthCheck';
/** Per-route CORS config (typed_per_filter_config). */
export const CORS_POLICY_TYPE = 'envoy.extensions.filters.http.cors.v3.CorsPolicy';
/** Per-route wrapper `envoy.config.route.v3.FilterConfig`. */
export const ROUTE_FILTER_CONFIG_TYPE = 'envoy.config.route.v3.FilterConfig';

/** `known_unsupported`: a type Envoy defines that tsproxy cannot run; `unknown`: Envoy does not define it. */
export type HttpFilterKind = 'router' | 'fault' | 'cors' | 'health_check' | 'known_unsupported' | 'unknown';

const KIND_BY_TYPE: Record<string, HttpFilterKind> = {
  [ROUTER_TYPE]: 'router',
  [FAULT_TYPE]: 'fault',
  [CORS_TYPE]: 'cors',
  [HEALTH_CHECK_TYPE]: 'health_check',
};

/** Legacy filter names (no typed_config): Envoy's well-known names and their pre-v3 aliases. */
const KIND_BY_NAME: Record<string, HttpFilterKind> = {
  'envoy.filters.http.router': 'router',
  'envoy.router': 'router',
  'envoy.filters.http.fault': 'fault',
  'envoy.fault': 'fault',
  'envoy.filters.http.cors': 'cors',
  'envoy.cors': 'cors',
  'envoy.filters.http.health_check': 'health_check',
  'envoy.health_check': 'health_check',
};

/** Which kind of filter `filter` is: by typed_config `@type`, else (legacy) by name. */
export function httpFilterKind(filter: HttpFilter): HttpFilterKind {
  const tc = filter.typed_config;
  if (tc && typeof tc['@type'] === 'string') {
    const name = typeNameOf(tc['@type']);
    return KIND_BY_TYPE[name] ?? (envoyType(name) !== undefined ? 'known_unsupported' : 'unknown');
  }
  return KIND_BY_NAME[filter.name] ?? (envoyExtensionTypes(filter.name).length > 0 ? 'known_unsupported' : 'unknown');
}

/**
 * What an HTTP filter is, in words, for match/explain/lint output: `the HTTP filter
 * envoy.filters.http.ext_authz` (Envoy's extension name, from the catalogue).
 */
export function describeHttpFilter(filter: HttpFilter): string {
  const tc = filter.typed_config;
  const type = tc && typeof tc['@type'] === 'string' ? typeNameOf(tc['@type']) : undefined;
  switch (httpFilterKind(filter)) {
    case 'router':
      return 'router';
    case 'fault':
      return 'fault injection';
    case 'cors':
      return 'CORS';
    case 'health_check':
      return 'health check';
    case 'known_unsupported':
      return (type ? envoyType(type)?.what : envoyExtensionTypes(filter.name)[0]?.what) ?? filter.name;
    case 'unknown':
      return type ? `unknown filter type ${type}` : `unknown filter ${filter.name}`;
  }
}

/** A filter config after semantic validation. */
export interface ParsedFilterConfig<T> {
  config: T;
  diagnostics: Diagnostic[];
}

/**
 * The pure config parser of a filter tsproxy implements. Schema errors were already reported
 * by the loader; these add semantic checks (Envoy's validation rules) on the decoded message.
 */
export interface HttpFilterConfigParser<T = unknown, R = unknown> {
  kind: 'router' | 'fault' | 'cors' | 'health_check';
  /** Type name of the filter config (`http_filters[].typed_config`). */
  typeName: string;
  /** Type names accepted in `typed_per_filter_config` for this filter. */
  perRouteTypeNames: readonly string[];
  parseFilterConfig(config: Any | undefined, path: string): ParsedFilterConfig<T>;
  parsePerRouteConfig(config: Any, path: string): ParsedFilterConfig<R>;
}

const routerParser: HttpFilterConfigParser<RouterConfig, never> = {
  kind: 'router',
  typeName: ROUTER_TYPE,
  perRouteTypeNames: [],
  parseFilterConfig: (config) => ({ config: (config ?? {}) as RouterConfig, diagnostics: [] }),
  parsePerRouteConfig: (config, path) => ({
    config: undefined as never,
    diagnostics: [diag(config, 'schema/type', 'the router filter has no per-route config', path)],
  }),
};

function validateFault(config: HTTPFault, path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const status = config.abort?.http_status;
  // Envoy: FaultAbort.http_status must be in [200, 600).
  if (status !== undefined && (status < 200 || status >= 600)) {
    out.push(diag(config.abort!, 'schema/format', `fault abort http_status must be in [200, 600), got ${status}`, `${path}.abort.http_status`, 'http_status'));
  }
  for (const [name, p] of [['delay', config.delay?.percentage], ['abort', config.abort?.percentage]] as const) {
    if (!p || p.numerator === undefined) continue;
    const den = fractionalPercentDenominator(p.denominator);
    if (p.numerator > den) {
      out.push(diag(p, 'schema/format', `${name}.percentage numerator ${p.numerator} exceeds its denominator ${den} (Envoy caps it at 100%)`, `${path}.${name}.percentage`, undefined, 'warning'));
    }
  }
  return out;
}

const faultParser: HttpFilterConfigParser<HTTPFault, HTTPFault> = {
  kind: 'fault',
  typeName: FAULT_TYPE,
  perRouteTypeNames: [FAULT_TYPE],
  parseFilterConfig: (config, path) => {
    const c = (config ?? {}) as HTTPFault;
    return { config: c, diagnostics: validateFault(c, path) };
  },
  parsePerRouteConfig: (config, path) => expectType(config, path, [FAULT_TYPE], (c) => validateFault(c as HTTPFault, path)),
};

const corsParser: HttpFilterConfigParser<CorsConfig, CorsPolicy> = {
  kind: 'cors',
  typeName: CORS_TYPE,
  perRouteTypeNames: [CORS_POLICY_TYPE],
  parseFilterConfig: (config) => ({ config: (config ?? {}) as CorsConfig, diagnostics: [] }),
  parsePerRouteConfig: (config, path) => expectType(config, path, [CORS_POLICY_TYPE], () => []),
};

/** `HealthCheck` has no per-route config; `pass_through_mode` is required (schema). */
const healthCheckParser: HttpFilterConfigParser<Record<string, unknown>, never> = {
  kind: 'health_check',
  typeName: HEALTH_CHECK_TYPE,
  perRouteTypeNames: [],
  parseFilterConfig: (config) => ({ config: (config ?? {}) as Record<string, unknown>, diagnostics: [] }),
  parsePerRouteConfig: (config, path) => expectType(config, path, [], () => []),
};

function expectType<R>(config: Any, path: string, types: readonly string[], validate: (c: Any) => Diagnostic[]): ParsedFilterConfig<R> {
  const t = typeNameOf(config['@type']);
  if (!types.includes(t)) {
    return { config: config as unknown as R, diagnostics: [diag(config, 'schema/type', `per-route config must be ${types.join(' or ')}, got ${t}`, `${path}["@type"]`, '@type')] };
  }
  return { config: config as unknown as R, diagnostics: validate(config) };
}

/** The parsers, keyed by the filter config's type name (the part of the type URL after `/`). */
export const HTTP_FILTER_CONFIG_PARSERS: ReadonlyMap<string, HttpFilterConfigParser> = new Map<string, HttpFilterConfigParser>([
  [ROUTER_TYPE, routerParser as HttpFilterConfigParser],
  [FAULT_TYPE, faultParser as HttpFilterConfigParser],
  [CORS_TYPE, corsParser as HttpFilterConfigParser],
  [HEALTH_CHECK_TYPE, healthCheckParser as HttpFilterConfigParser],
]);

/** The parser for `filter` (by `@type`, or legacy name), if tsproxy implements it. */
export function httpFilterConfigParser(filter: HttpFilter): HttpFilterConfigParser | undefined {
  const kind = httpFilterKind(filter);
  for (const p of HTTP_FILTER_CONFIG_PARSERS.values()) if (p.kind === kind) return p;
  return undefined;
}

/**
 * A `typed_per_filter_config` entry, unwrapped: the `envoy.config.route.v3.FilterConfig`
 * wrapper carries `is_optional` and `disabled` around the real config.
 */
export function unwrapPerFilterConfig(entry: Any): { config?: Any; disabled: boolean; isOptional: boolean } {
  if (typeNameOf(entry['@type']) === ROUTE_FILTER_CONFIG_TYPE) {
    const w = entry as RouteFilterConfig;
    return { config: w.config as Any | undefined, disabled: w.disabled === true, isOptional: w.is_optional === true };
  }
  return { config: entry, disabled: false, isOptional: false };
}

function diag(node: object, rule: string, message: string, path: string, field?: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const pos = (field ? fieldPositionOf(node, field) : positionOf(node)) ?? { file: '', line: 1, col: 1 };
  return { ...pos, severity, rule, message, path };
}
