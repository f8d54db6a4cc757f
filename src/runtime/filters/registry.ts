/**
 * The explicit table of HTTP filters tsproxy can run, keyed by their Envoy type URL (Envoy's
 * NamedHttpFilterConfigFactory registry, minus the static-initializer magic). Each entry pairs
 * the runtime factory with the names Envoy also accepts when a filter has no `typed_config`
 * (legacy configs: `envoy.filters.http.router` with no config).
 *
 * Config parsing that lint/explain need is pure and lives in src/config/filters.ts
 * (HTTP_FILTER_CONFIG_PARSERS, same type names): the connection manager runs that parser first
 * (its errors refuse the start), then the runtime factory here, which receives the decoded
 * `typed_config` and returns a per-stream factory (FilterFactoryCb) built once per config
 * snapshot. Lookups are by type name, so `type.googleapis.com/x.y.Z` and `x.y.Z` both match.
 *
 * A filter not in this table cannot run: `serve` refuses to start (a missing auth filter is a
 * security hole) unless the HttpFilter is `is_optional`, in which case it is skipped, as Envoy does.
 */
import type { HttpFilter } from '../../config/types.js';
import type { HttpFilterRegistration } from './filter_registration.js';
import { ROUTER_TYPE_URL } from './router_config.js';
import { createRouterFilterFactory } from './router.js';
import { FAULT_FILTER } from './fault.js';
import { CORS_FILTER } from './cors.js';
import { HEALTH_CHECK_FILTER } from './health_check.js';

const ROUTER: HttpFilterRegistration = {
  typeUrl: ROUTER_TYPE_URL,
  names: ['envoy.filters.http.router', 'envoy.router'],
  terminal: true,
  createFilterFactory: createRouterFilterFactory,
};

/** The table. Filters written elsewhere (fault, cors) are added here as they land. */
const REGISTRATIONS: readonly HttpFilterRegistration[] = [ROUTER, FAULT_FILTER, CORS_FILTER, HEALTH_CHECK_FILTER];

const byTypeUrl = new Map<string, HttpFilterRegistration>();
const byName = new Map<string, HttpFilterRegistration>();
/** `type.googleapis.com/x.y.Z` and `x.y.Z` name the same type. */
function typeName(url: string): string {
  const i = url.lastIndexOf('/');
  return i >= 0 ? url.slice(i + 1) : url;
}
for (const r of REGISTRATIONS) {
  byTypeUrl.set(typeName(r.typeUrl), r);
  for (const n of r.names) byName.set(n, r);
}

/** All registrations (for `lint`/`match` to say which filters tsproxy can run). */
export function httpFilterRegistrations(): readonly HttpFilterRegistration[] {
  return REGISTRATIONS;
}

/**
 * The registration for an HttpFilter: by `typed_config['@type']`, else by `name` (legacy).
 * Undefined means tsproxy cannot run it.
 */
export function lookupHttpFilter(filter: HttpFilter): HttpFilterRegistration | undefined {
  const t = filter.typed_config?.['@type'];
  if (t !== undefined) {
    const r = byTypeUrl.get(typeName(t));
    if (r) return r;
    // A UDPA TypedStruct wrapping a known type is still that type.
    const inner = (filter.typed_config as { type_url?: unknown }).type_url;
    if (typeof inner === 'string') return byTypeUrl.get(typeName(inner));
    return undefined;
  }
  return byName.get(filter.name);
}
