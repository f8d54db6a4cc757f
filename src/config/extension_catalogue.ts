/**
 * Envoy's extension catalogue: every type URL Envoy's API defines, known by name. The data is
 * generated from Envoy's own `extensions_metadata.yaml` (and its API) into
 * extension_catalogue.generated.ts by scripts/gen_extension_catalogue.mjs; this module answers
 * questions about it. It is the one list of "what Envoy defines": the schema registry, the HTTP
 * filter kinds (filters.ts) and serve's support checks all ask here.
 *
 * What tsproxy models (decodes field by field) is a different question, answered by the schema
 * registry (schema/registry.ts): a type known here but not modelled there is accepted and named.
 */
import { ENVOY_API_TYPES, ENVOY_EXTENSIONS } from './extension_catalogue.generated.js';

/** One Envoy type, as the catalogue knows it. */
export interface EnvoyTypeInfo {
  /** `envoy.extensions.filters.http.rbac.v3.RBAC`. */
  readonly typeName: string;
  /** The extension that registers the type (`envoy.filters.http.rbac`); undefined for API types. */
  readonly extension?: string;
  /** Extension categories (`envoy.filters.http`); empty for API types. */
  readonly categories: readonly string[];
  /** Envoy's status of the extension (`stable`, `alpha`, `wip`); undefined for API types. */
  readonly status?: string;
  /** From Envoy's contrib build (contrib/extensions_metadata.yaml). */
  readonly contrib: boolean;
  /** In words, for messages: `the HTTP filter envoy.filters.http.rbac`, `xDS resource`. */
  readonly what: string;
}

/** What a category's extensions are called, in Envoy's words. */
const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  'envoy.filters.http': 'HTTP filter',
  'envoy.filters.http.upstream': 'upstream HTTP filter',
  'envoy.filters.network': 'network filter',
  'envoy.filters.listener': 'listener filter',
  'envoy.filters.udp_listener': 'UDP listener filter',
  'envoy.filters.udp.session': 'UDP session filter',
  'envoy.transport_sockets.downstream': 'transport socket',
  'envoy.transport_sockets.upstream': 'transport socket',
  'envoy.access_loggers': 'access logger',
  'envoy.access_loggers.extension_filters': 'access log filter',
  'envoy.tracers': 'tracer',
  'envoy.stats_sinks': 'stats sink',
  'envoy.clusters': 'cluster type',
  'envoy.load_balancing_policies': 'load balancing policy',
  'envoy.health_checkers': 'health checker',
  'envoy.retry_host_predicates': 'retry host predicate',
  'envoy.retry_priorities': 'retry priority',
  'envoy.internal_redirect_predicates': 'internal redirect predicate',
  'envoy.path.match': 'path matcher',
  'envoy.path.rewrite': 'path rewriter',
  'envoy.router.cluster_specifier_plugin': 'cluster specifier plugin',
  'envoy.compression.compressor': 'compressor',
  'envoy.compression.decompressor': 'decompressor',
  'envoy.formatter': 'access log formatter',
  'envoy.matching.http.input': 'matching input',
  'envoy.matching.network.input': 'matching input',
  'envoy.matching.input_matchers': 'input matcher',
  'envoy.matching.action': 'matching action',
  'envoy.bootstrap': 'bootstrap extension',
  'envoy.resource_monitors': 'resource monitor',
  'envoy.network.dns_resolver': 'DNS resolver',
  'envoy.request_id': 'request id extension',
};

let byType: Map<string, EnvoyTypeInfo> | undefined;
let byExtension: Map<string, EnvoyTypeInfo[]> | undefined;

function words(extension: string, categories: readonly string[]): string {
  const kind = categories.map((c) => CATEGORY_WORDS[c]).find((w) => w !== undefined) ?? (categories[0] ? `${categories[0]} extension` : 'extension');
  return `the ${kind} ${extension}`;
}

function build(): void {
  byType = new Map();
  byExtension = new Map();
  for (const [extension, categories, status, types, contrib] of ENVOY_EXTENSIONS) {
    const list: EnvoyTypeInfo[] = [];
    for (const typeName of types) {
      const info: EnvoyTypeInfo = { typeName, extension, categories, status, contrib, what: words(extension, categories) };
      if (!byType.has(typeName)) byType.set(typeName, info);
      list.push(info);
    }
    byExtension.set(extension, list);
  }
  for (const [typeName, what] of ENVOY_API_TYPES) {
    if (!byType.has(typeName)) byType.set(typeName, { typeName, categories: [], contrib: false, what });
  }
}

/** The catalogue's entry for a type name (the part of a type URL after the last `/`); undefined: Envoy does not define it. */
export function envoyType(typeName: string): EnvoyTypeInfo | undefined {
  if (!byType) build();
  return byType!.get(typeName);
}

/** Whether Envoy's API defines `typeName`. */
export function isEnvoyType(typeName: string): boolean {
  return envoyType(typeName) !== undefined;
}

/**
 * The types of an extension, by its name (`envoy.filters.http.ext_authz`) or its legacy alias
 * (`envoy.ext_authz`, Envoy's pre-v3 well-known names); the first is the extension's own config,
 * later ones its per-route configs. Empty when the name is not an Envoy extension.
 */
export function envoyExtensionTypes(name: string): readonly EnvoyTypeInfo[] {
  if (!byExtension) build();
  const direct = byExtension!.get(name);
  if (direct) return direct;
  const m = /^envoy\.([a-z0-9_]+)$/.exec(name);
  if (m) {
    for (const prefix of ['envoy.filters.http.', 'envoy.filters.network.', 'envoy.filters.listener.']) {
      const aliased = byExtension!.get(prefix + m[1]);
      if (aliased) return aliased;
    }
  }
  return [];
}

/** Whether `name` names an Envoy extension (or a legacy alias of one). */
export function isEnvoyExtensionName(name: string): boolean {
  if (!byExtension) build();
  return byExtension!.has(name) || envoyExtensionTypes(name).length > 0;
}

/** Every type name Envoy defines (for "did you mean"). */
export function envoyTypeNames(): Iterable<string> {
  if (!byType) build();
  return byType!.keys();
}

/** Whether the type belongs to an extension of `category` (`envoy.filters.http`). */
export function isEnvoyTypeOf(typeName: string, category: string): boolean {
  return envoyType(typeName)?.categories.includes(category) === true;
}
