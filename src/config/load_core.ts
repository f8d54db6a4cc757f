/**
 * Config loading: text -> LoadedConfig + diagnostics, with the YAML parser for what the fast path
 * does not take passed in (load.ts binds the `yaml` package's; `match` loads that package only
 * when a file needs it). Pure (reading files is the CLI's job).
 *
 * Accepts what Envoy accepts: YAML or JSON (JSON with trailing commas too), fields in
 * snake_case or lowerCamelCase, as a Bootstrap, a bare RouteConfiguration, or an admin
 * `/config_dump`. Never throws on bad input: every problem is a Diagnostic with file, 1-based
 * line/col and end, and a JSON path.
 */
import type { Diagnostic } from './diagnostic.js';
import type {
  Any, Admin, Bootstrap, HttpConnectionManager, Listener, LoadedConfig, RouteConfiguration,
} from './types.js';
import { LineIndex, type MapNode, type SeqNode, type SrcNode } from './source.js';
import { scanJson } from './json_source.js';
import type { YamlSourceResult } from './yaml_source.js';
import { parseYamlFast } from './fast_yaml.js';
import { Decoder } from './decode.js';
import { compile } from './schema/descriptor.js';
import { BOOTSTRAP, CONFIG_DUMP, DISCOVERY_RESPONSE } from './schema/bootstrap.js';
import { ROUTE_CONFIGURATION } from './schema/route.js';
import { typeNameOf } from './schema/registry.js';
import { addSection, attachEndpoints, type SectionState } from './dump_sections.js';
import { foreignShape } from './file_shape.js';
import { flattenRuntimeLayers } from './runtime.js';
import { MAX_ALIAS_EXPANSION_NODES, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH } from './defaults.js';
import { jsonPathOf, positionOf } from './position.js';

/** What the file is, when the caller knows (`--type`); otherwise it is detected. */
export type ConfigType = 'bootstrap' | 'route' | 'config_dump';

export interface LoadOptions {
  type?: ConfigType;
}

export interface LoadResult {
  /**
   * The decoded config, present whenever the text parsed (even with schema errors: lint wants
   * the rest). Absent on syntax errors and limits. Check `diagnostics` for errors.
   */
  config?: LoadedConfig;
  /** In source order. */
  diagnostics: Diagnostic[];
}

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/**
 * The `config/limit` diagnostic for a file of `byteLength` bytes over the 64 MiB limit, for
 * callers that can check the size before reading the file (the CLI); undefined when it fits.
 */
export function configSizeDiagnostic(byteLength: number, file: string): Diagnostic | undefined {
  return byteLength > MAX_CONFIG_BYTES
    ? limit(file, `config is ${byteLength} bytes, over the 64 MiB limit; refusing to load it`)
    : undefined;
}

/** The YAML parser (yaml_source.ts `parseYamlSource`) for text the fast path does not take. */
export type YamlParser = (text: string, maxDepth: number, maxAliasNodes: number) => YamlSourceResult;

/**
 * Loads a config from its text, with `parseYaml` for YAML the fast path does not take. `file`
 * names it in diagnostics. Never throws on bad input.
 */
export function loadConfigWith(text: string, file: string, options: LoadOptions, parseYaml: YamlParser): LoadResult {
  // Characters, not bytes (the text is already decoded): a lower bound of the byte size.
  const tooBig = configSizeDiagnostic(text.length, file);
  if (tooBig) return { diagnostics: [tooBig] };
  // A BOM is invisible in editors, so dropping it keeps line 1's columns as users see them.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineIndex(text, file);
  const parsed = parseSource(text, lines, parseYaml);
  if (!parsed.node) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const root = parsed.node;
  const dec = new Decoder(lines);
  const foreign = foreignShape(root, text);
  if (foreign) {
    dec.report('error', 'config/shape', `this file is ${foreign.what}: ${foreign.hint}`, foreign.start, foreign.end, '$');
    return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...dec.diagnostics]) };
  }
  if (root.t === 'scalar' || (root.t === 'seq' && root.items.length === 0)) {
    const empty = (root.t === 'scalar' && root.value === null) || root.t === 'seq';
    dec.report('error', empty ? 'schema/required' : 'schema/type', empty ? 'the config file is empty' : 'a config must be a mapping at the top level', root.start, root.end, '$');
    return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...dec.diagnostics]) };
  }
  const config = root.t === 'map'
    ? decodeFile(options.type ? KIND_OF_TYPE[options.type] : detectKind(root), root, dec, file)
    : decodeCollection(root, parsed.multiDocument === true, dec, file);
  if (root.t === 'map' && config.kind === 'route_configuration') hintTestFile(root, dec);
  return { config, diagnostics: sortDiagnostics([...parsed.diagnostics, ...dec.diagnostics]) };
}

const KIND_OF_TYPE: Record<ConfigType, LoadedConfig['kind']> = {
  bootstrap: 'bootstrap',
  route: 'route_configuration',
  config_dump: 'config_dump',
};

/**
 * Bootstrap vs bare RouteConfiguration vs admin `/config_dump` (or an xDS collection), from the
 * top-level keys: `configs`, `resources` or an `@type` make a dump; otherwise whichever message
 * knows more of the keys (ties: route).
 */
export function detectKind(root: MapNode): LoadedConfig['kind'] {
  if (root.entries.some((e) => e.key === 'configs' || e.key === 'resources' || e.key === '@type')) return 'config_dump';
  const b = compile(BOOTSTRAP).byName;
  const r = compile(ROUTE_CONFIGURATION).byName;
  let bs = 0;
  let rs = 0;
  for (const e of root.entries) {
    if (b.has(e.key)) bs++;
    if (r.has(e.key)) rs++;
  }
  return bs > rs ? 'bootstrap' : 'route_configuration';
}

function emptyConfig(kind: LoadedConfig['kind'], file: string): LoadedConfig {
  return { kind, file, listeners: [], clusters: [], routeConfigurations: [], runtime: {} };
}

/** One mapping: a Bootstrap, a RouteConfiguration, a dump, a DiscoveryResponse or one resource. */
function decodeFile(kind: LoadedConfig['kind'], root: MapNode, dec: Decoder, file: string): LoadedConfig {
  const cfg = emptyConfig(kind, file);
  const st: SectionState = { sawListeners: false, sawClusters: false, assignments: [] };
  decodePart(kind, root, '$', dec, cfg, st);
  finish(cfg, dec, st);
  return cfg;
}

/**
 * A list of resources (YAML/JSON) or a multi-document YAML stream: every item is a resource with
 * its `@type`, or a whole Bootstrap / RouteConfiguration / dump / DiscoveryResponse; they are
 * merged into one config. All route configurations: a route config file; all bootstraps: a
 * bootstrap; otherwise it is read like a dump.
 */
function decodeCollection(root: SeqNode, multiDocument: boolean, dec: Decoder, file: string): LoadedConfig {
  const kinds = root.items.map((item) => (item.t === 'map' ? detectKind(item) : undefined));
  const kind = kinds.every((k) => k === 'route_configuration') ? 'route_configuration' : kinds.every((k) => k === 'bootstrap') ? 'bootstrap' : 'config_dump';
  const cfg = emptyConfig(kind, file);
  const st: SectionState = { sawListeners: false, sawClusters: false, assignments: [] };
  root.items.forEach((item, i) => {
    const path = `$[${i}]`;
    if (item.t !== 'map') {
      dec.report('error', 'schema/type', `${multiDocument ? `YAML document ${i + 1}` : `item ${i}`} must be a mapping (a resource with "@type", a Bootstrap, a RouteConfiguration or a dump)`, item.start, item.end, path);
      return;
    }
    decodePart(kinds[i]!, item, path, dec, cfg, st);
  });
  finish(cfg, dec, st);
  return cfg;
}

/** Decodes one mapping of the file into `cfg`. */
function decodePart(kind: LoadedConfig['kind'], root: MapNode, path: string, dec: Decoder, cfg: LoadedConfig, st: SectionState): void {
  if (kind === 'route_configuration') {
    const rc = dec.message(root, ROUTE_CONFIGURATION, path) as RouteConfiguration | undefined;
    if (rc) cfg.routeConfigurations.push(rc);
    return;
  }
  if (kind === 'bootstrap') {
    const b = dec.message(root, BOOTSTRAP, path) as Bootstrap | undefined;
    if (b) {
      applyBootstrap(cfg, b, true);
      st.sawListeners ||= (b.static_resources?.listeners?.length ?? 0) > 0;
      st.sawClusters ||= (b.static_resources?.clusters?.length ?? 0) > 0;
    }
    return;
  }
  if (root.entries.some((e) => e.key === '@type')) {
    // One resource (an item of a list, a document of a stream).
    const any = dec.any(root, path) as Any | undefined;
    if (any) addSection(cfg, any, dec, st);
    return;
  }
  const hasConfigs = root.entries.some((e) => e.key === 'configs');
  // Envoy Gateway's `egctl x translate --to xds` writes a dump with a `configKey` (the gateway).
  const node: MapNode = hasConfigs ? { ...root, entries: root.entries.filter((e) => e.key !== 'configKey') } : root;
  // A file-based xDS DiscoveryResponse lists resources the way a dump lists sections; a dump is
  // Envoy's own output, whose values Envoy itself holds.
  dec.envoyWritten = hasConfigs;
  const sections = hasConfigs
    ? (dec.message(node, CONFIG_DUMP, path) as { configs?: Any[] } | undefined)?.configs
    : (dec.message(node, DISCOVERY_RESPONSE, path) as { resources?: Any[] } | undefined)?.resources;
  dec.envoyWritten = false;
  if (hasConfigs) {
    // A dump holds what dynamic_resources fetched: that field is not "ignored" there.
    const i = dec.diagnostics.findIndex((d) => d.rule === 'schema/unsupported' && d.path.endsWith('.bootstrap.dynamic_resources'));
    if (i >= 0) dec.diagnostics.splice(i, 1);
  }
  for (const c of sections ?? []) addSection(cfg, c, dec, st);
}

/** After every part: a dump's bootstrap resources, EDS endpoints, inline routes. */
function finish(cfg: LoadedConfig, dec: Decoder, st: SectionState): void {
  if (cfg.kind === 'route_configuration') return;
  // A dump's bootstrap repeats the static listeners and clusters that the listener and cluster
  // sections also list: take them from the bootstrap only when those sections are missing.
  const b = cfg.bootstrap;
  if (b && !bootstrapApplied.has(b)) {
    applyBootstrap(cfg, b, false);
    if (!st.sawListeners) cfg.listeners.push(...(b.static_resources?.listeners ?? []));
    if (!st.sawClusters) cfg.clusters.push(...(b.static_resources?.clusters ?? []));
  }
  attachEndpoints(cfg.clusters, st.assignments);
  collectInlineRoutes(cfg, dec, cfg.kind === 'config_dump');
}

/** Bootstraps whose static resources are already in the config (a Bootstrap file or document). */
const bootstrapApplied = new WeakSet<Bootstrap>();

function applyBootstrap(cfg: LoadedConfig, b: Bootstrap, resources: boolean): void {
  cfg.bootstrap = b;
  if (resources) {
    bootstrapApplied.add(b);
    cfg.listeners.push(...(b.static_resources?.listeners ?? []));
    cfg.clusters.push(...(b.static_resources?.clusters ?? []));
  }
  cfg.admin = b.admin as Admin | undefined;
  cfg.runtime = flattenRuntimeLayers(b.layered_runtime?.layers);
}

/** The HttpConnectionManager configs of a listener (all filter chains, default chain included). */
export function httpConnectionManagers(listener: Listener): HttpConnectionManager[] {
  const out: HttpConnectionManager[] = [];
  const chains = [...(listener.filter_chains ?? []), ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])];
  for (const chain of chains) {
    for (const f of chain.filters ?? []) {
      const tc = f.typed_config;
      if (tc && typeNameOf(tc['@type']) === HCM_TYPE) out.push(tc as unknown as HttpConnectionManager);
    }
  }
  return out;
}

/** Adds inline HCM route configs; notes `rds` names that nothing in the file provides. */
function collectInlineRoutes(cfg: LoadedConfig, dec: Decoder, dump: boolean): void {
  const names = new Set(cfg.routeConfigurations.map((r) => r.name).filter((n) => n !== undefined));
  for (const l of cfg.listeners) {
    for (const hcm of httpConnectionManagers(l)) {
      const rc = hcm.route_config;
      if (rc && !cfg.routeConfigurations.includes(rc) && !(dump && rc.name !== undefined && names.has(rc.name))) {
        cfg.routeConfigurations.push(rc);
        if (rc.name !== undefined) names.add(rc.name);
      }
      softenOptionalFilters(hcm, dec);
      const rdsName = hcm.rds?.route_config_name;
      if (rdsName !== undefined && !names.has(rdsName)) {
        const pos = positionOf(hcm.rds as object);
        dec.diagnostics.push({
          file: cfg.file, line: pos?.line ?? 1, col: pos?.col ?? 1, endLine: pos?.endLine, endCol: pos?.endCol,
          severity: 'warning', rule: 'schema/unsupported',
          message: dump
            ? `route configuration "${rdsName}" (rds) is not in this config dump; requests on this listener cannot be routed offline`
            : `route discovery (rds "${rdsName}") is not implemented by tsproxy; put the routes inline as route_config`,
          path: '$',
        });
      }
    }
  }
}

/** A router_check test file given as a config: say so on the `tests` error. */
function hintTestFile(root: MapNode, dec: Decoder): void {
  if (!root.entries.some((e) => e.key === 'tests')) return;
  const d = dec.diagnostics.find((x) => x.rule === 'schema/unknown-field' && x.path === '$.tests');
  if (d) d.message += ' (this looks like a router_check test file: pass it with -t, and the route config with -c)';
}

/**
 * An `is_optional` HTTP filter of an unknown type is skipped by Envoy with a warning rather than
 * rejected: its `schema/unknown-type` warning says so.
 */
function softenOptionalFilters(hcm: HttpConnectionManager, dec: Decoder): void {
  for (const f of hcm.http_filters ?? []) {
    if (!f.is_optional || !f.typed_config) continue;
    const at = `${jsonPathOf(f)}.typed_config["@type"]`;
    for (const d of dec.diagnostics) {
      if (d.rule === 'schema/unknown-type' && d.path === at) {
        d.message += ' (the filter is is_optional: skipped)';
      }
    }
  }
}

interface Parsed {
  node?: SrcNode;
  /** Several YAML documents: `node` is their list. */
  multiDocument?: boolean;
  diagnostics: Diagnostic[];
}

/** JSON via the fast scanner; YAML via the fast path (fast_yaml.ts) or the `yaml` package (anything else, JSON the scanner rejects). */
function parseSource(text: string, lines: LineIndex, parseYaml: YamlParser): Parsed {
  const first = /\S/.exec(text);
  let jsonError: { message: string; offset: number } | undefined;
  if (first && (first[0] === '{' || first[0] === '[')) {
    const r = scanJson(text, MAX_CONFIG_DEPTH);
    if (r.ok) return { node: r.node, diagnostics: [] };
    if (r.limit) return { diagnostics: [at(lines, r.offset, r.offset + 1, 'config/limit', `config ${r.message}; refusing it`)] };
    jsonError = r;
  }
  // Most configs are plain block YAML: the fast path builds the same tree; anything else (and
  // every error) goes through the `yaml` package.
  const fast = jsonError === undefined ? parseYamlFast(text, MAX_CONFIG_DEPTH) : undefined;
  if (fast !== undefined) return { node: fast, diagnostics: [] };
  const y = parseYaml(text, MAX_CONFIG_DEPTH, MAX_ALIAS_EXPANSION_NODES);
  const yamlFailed = !y.node;
  if (yamlFailed && jsonError && /^\s*(\{\s*"|\[)/.test(text) && !y.problems.some((p) => p.rule === 'config/limit')) {
    // It looked like JSON: the JSON scanner's message is the precise one.
    return { diagnostics: [at(lines, jsonError.offset, jsonError.offset + 1, 'schema/syntax', `JSON syntax error: ${jsonError.message}`)] };
  }
  const diagnostics = y.problems.map((p) => ({ ...at(lines, p.start, p.end, p.rule, p.rule === 'schema/syntax' ? `YAML syntax error: ${p.message}` : p.message), severity: p.severity }));
  return { node: y.node, multiDocument: y.multiDocument, diagnostics };
}

function at(lines: LineIndex, start: number, end: number, rule: string, message: string): Diagnostic {
  return { ...lines.span(start, end), severity: 'error', rule, message, path: '$' };
}

function limit(file: string, message: string): Diagnostic {
  return { file, line: 1, col: 1, severity: 'error', rule: 'config/limit', message, path: '$' };
}

/** Source order (line, then column), stable. */
export function sortDiagnostics(d: Diagnostic[]): Diagnostic[] {
  return d
    .map((x, i) => ({ x, i }))
    .sort((a, b) => a.x.line - b.x.line || a.x.col - b.x.col || a.i - b.i)
    .map((e) => e.x);
}
