/**
 * Which HTTP filters tsproxy can run, for `match`/`explain`: the runtime's filter registry is the
 * one source of truth (what `serve` would install). Loaded on the first filter that is not the
 * router (the registry pulls in serve's router and connection manager: a config without other
 * filters never loads them), and so that a broken or missing runtime module never stops the
 * offline commands; then only the router counts as runnable.
 */
import { createRequire } from 'node:module';
import type { HttpFilter } from '../../config/types.js';
import type { FilterSupport } from '../../analysis/explain/http_filters.js';

type Lookup = (f: HttpFilter) => unknown;

const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ROUTER_NAMES = new Set(['envoy.filters.http.router', 'envoy.router']);

let lookup: Lookup | null | undefined;

/** The registry's lookup, loaded synchronously on first use (require of an ES module, Node >= 22.12). */
function registryLookup(): Lookup | null {
  if (lookup === undefined) {
    try {
      const mod = createRequire(import.meta.url)('../../runtime/filters/registry.js') as { lookupHttpFilter?: Lookup };
      lookup = mod.lookupHttpFilter ?? null;
    } catch {
      lookup = null;
    }
  }
  return lookup;
}

/** Whether tsproxy can run `f` (as `serve` would decide). */
export function classifyHttpFilter(f: HttpFilter): FilterSupport {
  const t0 = f.typed_config?.['@type'];
  if (t0 === ROUTER_TYPE || (t0 === undefined && ROUTER_NAMES.has(f.name))) return { supported: true };
  const lookup = registryLookup();
  if (lookup) {
    return lookup(f) !== undefined
      ? { supported: true }
      : { supported: false, note: f.is_optional ? 'tsproxy cannot run this filter (is_optional: serve skips it)' : 'tsproxy cannot run this filter (serve refuses to start)' };
  }
  const t = f.typed_config?.['@type'];
  const ok = t === ROUTER_TYPE || (t === undefined && ROUTER_NAMES.has(f.name));
  return ok ? { supported: true } : { supported: false, note: 'tsproxy cannot run this filter' };
}
