/**
 * Which HTTP filters tsproxy can run, for `match`/`explain`: the runtime's filter registry is the
 * one source of truth (what `serve` would install). Loaded lazily so a broken or missing runtime
 * module never stops the offline commands; then only the router counts as runnable.
 */
import type { HttpFilter } from '../../config/types.js';
import type { FilterSupport } from '../../analysis/explain/http_filters.js';

type Lookup = (f: HttpFilter) => unknown;

const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ROUTER_NAMES = new Set(['envoy.filters.http.router', 'envoy.router']);

let lookup: Lookup | undefined;
try {
  const mod = (await import('../../runtime/filters/registry.js')) as { lookupHttpFilter?: Lookup };
  lookup = mod.lookupHttpFilter;
} catch {
  lookup = undefined;
}

/** Whether tsproxy can run `f` (as `serve` would decide). */
export function classifyHttpFilter(f: HttpFilter): FilterSupport {
  if (lookup) {
    return lookup(f) !== undefined
      ? { supported: true }
      : { supported: false, note: f.is_optional ? 'tsproxy cannot run this filter (is_optional: serve skips it)' : 'tsproxy cannot run this filter (serve refuses to start)' };
  }
  const t = f.typed_config?.['@type'];
  const ok = t === ROUTER_TYPE || (t === undefined && ROUTER_NAMES.has(f.name));
  return ok ? { supported: true } : { supported: false, note: 'tsproxy cannot run this filter' };
}
