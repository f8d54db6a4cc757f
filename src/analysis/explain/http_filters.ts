/**
 * The HTTP filters a request passes through, in the HCM's order, with the per-route
 * `typed_per_filter_config` of the decision and whether tsproxy can run each one. Pure.
 *
 * Envoy keys typed_per_filter_config by the filter's config name (HttpFilter.name). A filter with
 * `disabled: true` in the HCM is skipped unless a route enables it with
 * `envoy.config.route.v3.FilterConfig{disabled: false}`; a route disables a filter with
 * FilterConfig{disabled: true} or the filter's own per-route `disabled: true` (ext_authz, ...).
 */
import type { Any, HttpFilter } from '../../config/types.js';
import { describeHttpFilter, unwrapPerFilterConfig } from '../../config/filters.js';
import type { HttpFilterJson } from './report_types.js';

/** How tsproxy classifies a filter: runs it, or knows it but cannot run it. */
export interface FilterSupport {
  readonly supported: boolean;
  readonly note?: string;
}

/** Classifies an HCM HTTP filter (config/filters.ts provides the table). */
export type FilterClassifier = (f: HttpFilter) => FilterSupport;

/** Per-route view of the HCM's filters for one decision. */
export function httpFiltersFor(
  filters: readonly HttpFilter[],
  perFilterConfig: Readonly<Record<string, Any>> | undefined,
  classify: FilterClassifier,
): HttpFilterJson[] {
  return filters.map((f) => {
    const per = perFilterConfig?.[f.name];
    const support = classify(f);
    let disabled = f.disabled === true;
    let note: string | null = disabled ? 'disabled in the HTTP connection manager (no route enables it)' : null;
    if (per) {
      const unwrapped = unwrapPerFilterConfig(per);
      // FilterConfig{disabled: true}, or the filter's own per-route `disabled: true` (ext_authz...).
      if (unwrapped.disabled || per['disabled'] === true || unwrapped.config?.['disabled'] === true) {
        disabled = true;
        note = 'disabled on this route (typed_per_filter_config)';
      } else if (f.disabled) {
        // HttpFilter.disabled: "disabled by default and must be explicitly enabled by setting per
        // filter configuration in the route configuration".
        disabled = false;
        note = 'enabled on this route (typed_per_filter_config)';
      } else {
        note = 'runs with per-route config (typed_per_filter_config)';
      }
    }
    if (!support.supported && !disabled) {
      const cannot = support.note ?? 'tsproxy cannot run this filter';
      note = note === null ? cannot : `${cannot}; ${note}`;
    }
    return {
      name: f.name,
      description: describeHttpFilter(f),
      type: (f.typed_config?.['@type'] as string | undefined) ?? null,
      status: disabled ? 'disabled' : support.supported ? 'runs' : 'unsupported',
      supported: support.supported,
      optional: f.is_optional === true,
      per_route_config: per ? toJson(per) : null,
      note,
    };
  });
}

/** Plain JSON copy (bigint as string, byte arrays as base64-free arrays). */
export function toJson(v: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Array.from(x) : x)),
  ) as Record<string, unknown>;
}
