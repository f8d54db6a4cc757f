/**
 * Typed configs serve runs without: every `@type` in a loaded config that tsproxy does not model
 * (an Envoy extension it does not implement, or a type Envoy does not define) and that no other
 * check already refuses or names. The loader only notes such types (`info` for Envoy's, a warning
 * for unknown ones) because the offline tools answer without them; `serve` must say out loud that
 * it ignores them. Pure: reads the decoded config and positions.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { LoadedConfig } from '../config/types.js';
import { jsonPathOf, positionOf } from '../config/position.js';
import { lookupType, typeNameOf } from '../config/schema/registry.js';

/**
 * Places other checks own: HTTP filters (the filter registry refuses them unless is_optional),
 * network filters and transport sockets (serve/unsupported errors), listener filters (warned by
 * name), access loggers (the access log builder refuses them), cluster specifier plugins (judged
 * per route, serve_support.ts).
 */
const OWNED_ELSEWHERE = /(\.(filters|http_filters|listener_filters|access_log|upstream_log)\[\d+\]\.typed_config|\.transport_socket\.typed_config)$/;

/**
 * One `serve/unsupported` warning per not-modelled typed config of `config` that serve ignores,
 * at the `@type` the user wrote.
 */
export function serveNotModelled(config: LoadedConfig, rule: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 64 || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    const url = o['@type'];
    if (typeof url === 'string') {
      const name = typeNameOf(url);
      const info = lookupType(name);
      const path = jsonPathOf(o);
      // Cluster specifier plugins are judged per route by serve_support (refused unless is_optional).
      const plugin = info?.envoy?.categories.includes('envoy.router.cluster_specifier_plugin') === true;
      if (!info?.desc && !plugin && !(path && OWNED_ELSEWHERE.test(path))) {
        const pos = positionOf(o);
        const what = info?.envoy ? `${info.envoy.what} (${name})` : `"${name}" (not a type Envoy defines)`;
        out.push({
          file: pos?.file ?? config.file, line: pos?.line ?? 1, col: pos?.col ?? 1,
          ...(pos?.endLine !== undefined ? { endLine: pos.endLine, endCol: pos.endCol } : {}),
          severity: 'warning', rule,
          message: `${what} is not implemented by serve; serve runs without it`,
          path: path ?? '$',
        });
      }
      // A raw (not modelled) config's inside is data, not config tsproxy reads.
      if (!info?.desc) return;
    }
    for (const x of Object.values(o)) visit(x, depth + 1);
  };
  visit(config.listeners, 0);
  visit(config.clusters, 0);
  visit(config.routeConfigurations, 0);
  if (config.bootstrap) visit(config.bootstrap, 0);
  return out;
}
