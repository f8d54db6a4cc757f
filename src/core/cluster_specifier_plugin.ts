/**
 * A route's cluster specifier plugin (`RouteAction.cluster_specifier_plugin`, a name looked up in
 * `RouteConfiguration.cluster_specifier_plugins`, or `inline_cluster_specifier_plugin`), as far as
 * tsproxy needs to know it: which extension, and whether it is `is_optional`. tsproxy runs no
 * cluster specifier plugin. Envoy's rule for one it cannot load: not `is_optional`, the config is
 * refused (so `serve` refuses to start); `is_optional`, the config loads and a request routed to
 * it fails (serve: 503 NC `cluster_not_found`, the route has no cluster).
 *
 * The plugin fields are kept raw by the loader (keys as written): both spellings are read. Pure.
 */
import type { RouteAction, RouteConfiguration } from '../config/types.js';

/** What a route's cluster specifier plugin is. */
export interface ClusterSpecifierPluginInfo {
  /** `cluster_specifier_plugin` (by name) or `inline_cluster_specifier_plugin`. */
  readonly field: 'cluster_specifier_plugin' | 'inline_cluster_specifier_plugin';
  /** The plugin's name (the route's reference, or the inline extension's name). */
  readonly name: string;
  /** The extension's type name (`envoy.extensions.router.cluster_specifiers.lua.v3.LuaConfig`); undefined when unknown. */
  readonly type: string | undefined;
  readonly optional: boolean;
  /** False when the route names a plugin the route configuration does not define (Envoy refuses the config). */
  readonly defined: boolean;
}

function field(obj: unknown, snake: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  return o[snake] ?? o[snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

function describe(plugin: unknown, fieldName: ClusterSpecifierPluginInfo['field'], name: string | undefined, defined: boolean): ClusterSpecifierPluginInfo {
  const ext = field(plugin, 'extension');
  const url = field(field(ext, 'typed_config'), '@type');
  const extName = field(ext, 'name');
  return {
    field: fieldName,
    name: name ?? (typeof extName === 'string' ? extName : ''),
    type: typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : undefined,
    optional: field(plugin, 'is_optional') === true,
    defined,
  };
}

/** The plugin a route action uses, or undefined when it names its cluster otherwise. */
export function clusterSpecifierPluginOf(action: RouteAction, rc: RouteConfiguration | undefined): ClusterSpecifierPluginInfo | undefined {
  if (action.inline_cluster_specifier_plugin !== undefined) {
    return describe(action.inline_cluster_specifier_plugin, 'inline_cluster_specifier_plugin', undefined, true);
  }
  const name = action.cluster_specifier_plugin;
  if (name === undefined) return undefined;
  const plugins = (rc?.cluster_specifier_plugins ?? []) as unknown[];
  const found = plugins.find((p) => field(field(p, 'extension'), 'name') === name);
  return describe(found, 'cluster_specifier_plugin', name, found !== undefined);
}

/** In words, for messages: `cluster specifier plugin "lua" (envoy.extensions...LuaConfig)`. */
export function clusterSpecifierPluginLabel(p: ClusterSpecifierPluginInfo): string {
  return `cluster specifier plugin "${p.name}"${p.type !== undefined ? ` (${p.type})` : ''}`;
}
