/**
 * Config loading: text -> LoadedConfig + diagnostics. Pure (reading files is the CLI's job).
 *
 * Accepts what Envoy accepts: YAML or JSON (JSON with trailing commas too), fields in
 * snake_case or lowerCamelCase, as a Bootstrap, a bare RouteConfiguration, or an admin
 * `/config_dump`. Never throws on bad input: every problem is a Diagnostic with file, 1-based
 * line/col and end, and a JSON path.
 */
import type { Diagnostic } from './diagnostic.js';
import type {
  Any, Admin, Bootstrap, Cluster, ClusterLoadAssignment, HttpConnectionManager, Listener, LoadedConfig, RouteConfiguration,
} from './types.js';
import { LineIndex, type MapNode, type SrcNode } from './source.js';
import { scanJson } from './json_source.js';
import { parseYamlSource } from './yaml_source.js';
import { Decoder } from './decode.js';
import { compile } from './schema/descriptor.js';
import { BOOTSTRAP, CONFIG_DUMP, DISCOVERY_RESPONSE } from './schema/bootstrap.js';
import { ROUTE_CONFIGURATION } from './schema/route.js';
import { typeNameOf } from './schema/registry.js';
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

/** Loads a config from its text. `file` names it in diagnostics. Never throws on bad input. */
export function loadConfig(text: string, file: string, options: LoadOptions = {}): LoadResult {
  // Characters, not bytes (the text is already decoded): a lower bound of the byte size.
  const tooBig = configSizeDiagnostic(text.length, file);
  if (tooBig) return { diagnostics: [tooBig] };
  // A BOM is invisible in editors, so dropping it keeps line 1's columns as users see them.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineIndex(text, file);
  const parsed = parseSource(text, lines);
  if (!parsed.node) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const root = parsed.node;
  const dec = new Decoder(lines);
  if (root.t !== 'map') {
    const empty = root.t === 'scalar' && root.value === null;
    dec.report('error', empty ? 'schema/required' : 'schema/type', empty ? 'the config file is empty' : 'a config must be a mapping at the top level', root.start, root.end, '$');
    return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...dec.diagnostics]) };
  }
  const kind = options.type ? KIND_OF_TYPE[options.type] : detectKind(root);
  const config = decodeAs(kind, root, dec, file);
  if (kind === 'route_configuration') hintTestFile(root, dec);
  return { config, diagnostics: sortDiagnostics([...parsed.diagnostics, ...dec.diagnostics]) };
}

const KIND_OF_TYPE: Record<ConfigType, LoadedConfig['kind']> = {
  bootstrap: 'bootstrap',
  route: 'route_configuration',
  config_dump: 'config_dump',
};

/**
 * Bootstrap vs bare RouteConfiguration vs admin `/config_dump`, from the top-level keys: a
 * `configs` list is a dump; otherwise whichever message knows more of the keys (ties: route).
 */
export function detectKind(root: MapNode): LoadedConfig['kind'] {
  if (root.entries.some((e) => e.key === 'configs' || e.key === 'resources')) return 'config_dump';
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

function decodeAs(kind: LoadedConfig['kind'], root: MapNode, dec: Decoder, file: string): LoadedConfig {
  const cfg: LoadedConfig = { kind, file, listeners: [], clusters: [], routeConfigurations: [], runtime: {} };
  if (kind === 'route_configuration') {
    const rc = dec.message(root, ROUTE_CONFIGURATION, '$') as RouteConfiguration | undefined;
    if (rc) cfg.routeConfigurations.push(rc);
    return cfg;
  }
  if (kind === 'bootstrap') {
    const b = dec.message(root, BOOTSTRAP, '$') as Bootstrap | undefined;
    if (b) applyBootstrap(cfg, b, true);
    collectInlineRoutes(cfg, dec, false);
    return cfg;
  }
  // A file-based xDS DiscoveryResponse lists resources the way a dump lists sections.
  const xds = root.entries.some((e) => e.key === 'resources') && !root.entries.some((e) => e.key === 'configs');
  const dump = xds
    ? { configs: (dec.message(root, DISCOVERY_RESPONSE, '$') as { resources?: Any[] } | undefined)?.resources }
    : (dec.message(root, CONFIG_DUMP, '$') as { configs?: Any[] } | undefined);
  let sawListeners = false;
  let sawClusters = false;
  const assignments: ClusterLoadAssignment[] = [];
  for (const c of dump?.configs ?? []) {
    switch (typeNameOf(c['@type'])) {
      case 'envoy.admin.v3.BootstrapConfigDump': {
        const b = c['bootstrap'] as Bootstrap | undefined;
        if (b) cfg.bootstrap = b;
        break;
      }
      case 'envoy.admin.v3.ListenersConfigDump': {
        sawListeners = true;
        const d = c as { static_listeners?: { listener?: Any }[]; dynamic_listeners?: { active_state?: { listener?: Any } }[] };
        for (const s of d.static_listeners ?? []) pushResource(cfg.listeners, s.listener, 'envoy.config.listener.v3.Listener', dec);
        for (const s of d.dynamic_listeners ?? []) pushResource(cfg.listeners, s.active_state?.listener, 'envoy.config.listener.v3.Listener', dec);
        break;
      }
      case 'envoy.admin.v3.ClustersConfigDump': {
        sawClusters = true;
        const d = c as { static_clusters?: { cluster?: Any }[]; dynamic_active_clusters?: { cluster?: Any }[] };
        for (const s of d.static_clusters ?? []) pushResource(cfg.clusters, s.cluster, 'envoy.config.cluster.v3.Cluster', dec);
        for (const s of d.dynamic_active_clusters ?? []) pushResource(cfg.clusters, s.cluster, 'envoy.config.cluster.v3.Cluster', dec);
        break;
      }
      // xDS resources (a DiscoveryResponse file).
      case 'envoy.config.listener.v3.Listener':
        sawListeners = true;
        pushResource(cfg.listeners, c, 'envoy.config.listener.v3.Listener', dec);
        break;
      case 'envoy.config.cluster.v3.Cluster':
        sawClusters = true;
        pushResource(cfg.clusters, c, 'envoy.config.cluster.v3.Cluster', dec);
        break;
      case 'envoy.config.route.v3.RouteConfiguration':
        pushResource(cfg.routeConfigurations, c, 'envoy.config.route.v3.RouteConfiguration', dec);
        break;
      case 'envoy.config.endpoint.v3.ClusterLoadAssignment':
        pushResource(assignments, c, 'envoy.config.endpoint.v3.ClusterLoadAssignment', dec);
        break;
      // `/config_dump?resource=<section>`: the entries of one section, each its own config.
      case 'envoy.admin.v3.ListenersConfigDump.StaticListener':
        sawListeners = true;
        pushResource(cfg.listeners, c['listener'] as Any | undefined, 'envoy.config.listener.v3.Listener', dec);
        break;
      case 'envoy.admin.v3.ListenersConfigDump.DynamicListener':
        sawListeners = true;
        pushResource(cfg.listeners, (c['active_state'] as { listener?: Any } | undefined)?.listener, 'envoy.config.listener.v3.Listener', dec);
        break;
      case 'envoy.admin.v3.ClustersConfigDump.StaticCluster':
      case 'envoy.admin.v3.ClustersConfigDump.DynamicCluster':
        sawClusters = true;
        pushResource(cfg.clusters, c['cluster'] as Any | undefined, 'envoy.config.cluster.v3.Cluster', dec);
        break;
      case 'envoy.admin.v3.RoutesConfigDump.StaticRouteConfig':
      case 'envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig':
        pushResource(cfg.routeConfigurations, c['route_config'] as Any | undefined, 'envoy.config.route.v3.RouteConfiguration', dec);
        break;
      case 'envoy.admin.v3.EndpointsConfigDump': {
        const d = c as { static_endpoint_configs?: { endpoint_config?: Any }[]; dynamic_endpoint_configs?: { endpoint_config?: Any }[] };
        const et = 'envoy.config.endpoint.v3.ClusterLoadAssignment';
        for (const s of d.static_endpoint_configs ?? []) pushResource(assignments, s.endpoint_config, et, dec);
        for (const s of d.dynamic_endpoint_configs ?? []) pushResource(assignments, s.endpoint_config, et, dec);
        break;
      }
      case 'envoy.admin.v3.RoutesConfigDump': {
        const d = c as { static_route_configs?: { route_config?: Any }[]; dynamic_route_configs?: { route_config?: Any }[] };
        const rt = 'envoy.config.route.v3.RouteConfiguration';
        for (const s of d.static_route_configs ?? []) pushResource(cfg.routeConfigurations, s.route_config, rt, dec);
        for (const s of d.dynamic_route_configs ?? []) pushResource(cfg.routeConfigurations, s.route_config, rt, dec);
        break;
      }
    }
  }
  // A dump's bootstrap repeats the static listeners and clusters that the listener and cluster
  // sections also list: take them from the bootstrap only when those sections are missing.
  if (cfg.bootstrap) {
    applyBootstrap(cfg, cfg.bootstrap, false);
    if (!sawListeners) cfg.listeners.push(...(cfg.bootstrap.static_resources?.listeners ?? []));
    if (!sawClusters) cfg.clusters.push(...(cfg.bootstrap.static_resources?.clusters ?? []));
  }
  attachEndpoints(cfg.clusters, assignments);
  collectInlineRoutes(cfg, dec, true);
  return cfg;
}

/**
 * A dump taken with `?include_eds` lists the endpoints of EDS clusters in its own section: each
 * EDS cluster without a `load_assignment` gets the assignment named by its
 * `eds_cluster_config.service_name` (or its own name), as Envoy's EDS would deliver it.
 */
function attachEndpoints(clusters: Cluster[], assignments: ClusterLoadAssignment[]): void {
  if (assignments.length === 0) return;
  const byName = new Map(assignments.map((a) => [a.cluster_name, a]));
  for (const c of clusters) {
    if (c.type !== 'EDS' || c.load_assignment) continue;
    const serviceName = (c.eds_cluster_config as { service_name?: string } | undefined)?.service_name;
    const a = byName.get(serviceName || c.name);
    if (a) c.load_assignment = a;
  }
}

function applyBootstrap(cfg: LoadedConfig, b: Bootstrap, resources: boolean): void {
  cfg.bootstrap = b;
  if (resources) {
    cfg.listeners.push(...(b.static_resources?.listeners ?? []));
    cfg.clusters.push(...(b.static_resources?.clusters ?? []));
  }
  cfg.admin = b.admin as Admin | undefined;
  cfg.runtime = flattenRuntimeLayers(b.layered_runtime?.layers);
}

/** Adds a dump entry's decoded resource, after checking its `@type`. */
function pushResource<T>(into: T[], any: Any | undefined, typeName: string, dec: Decoder): void {
  if (!any) return;
  if (typeNameOf(any['@type']) !== typeName) {
    const pos = positionOf(any);
    dec.diagnostics.push({
      file: pos?.file ?? '', line: pos?.line ?? 1, col: pos?.col ?? 1, endLine: pos?.endLine, endCol: pos?.endCol,
      severity: 'error', rule: 'schema/type', message: `expected a ${typeName}, got "${any['@type']}"`, path: '$.configs',
    });
    return;
  }
  // The decoded message carries its `@type`; the typed config objects do not have one.
  delete (any as Record<string, unknown>)['@type'];
  into.push(any as unknown as T);
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
  diagnostics: Diagnostic[];
}

/** JSON via the fast scanner; YAML (or JSON the scanner rejects) via the `yaml` package. */
function parseSource(text: string, lines: LineIndex): Parsed {
  const first = /\S/.exec(text);
  let jsonError: { message: string; offset: number } | undefined;
  if (first && (first[0] === '{' || first[0] === '[')) {
    const r = scanJson(text, MAX_CONFIG_DEPTH);
    if (r.ok) return { node: r.node, diagnostics: [] };
    if (r.limit) return { diagnostics: [at(lines, r.offset, r.offset + 1, 'config/limit', `config ${r.message}; refusing it`)] };
    jsonError = r;
  }
  const y = parseYamlSource(text, MAX_CONFIG_DEPTH, MAX_ALIAS_EXPANSION_NODES);
  const yamlFailed = !y.node;
  if (yamlFailed && jsonError && /^\s*(\{\s*"|\[)/.test(text) && !y.problems.some((p) => p.rule === 'config/limit')) {
    // It looked like JSON: the JSON scanner's message is the precise one.
    return { diagnostics: [at(lines, jsonError.offset, jsonError.offset + 1, 'schema/syntax', `JSON syntax error: ${jsonError.message}`)] };
  }
  const diagnostics = y.problems.map((p) => ({ ...at(lines, p.start, p.end, p.rule, p.rule === 'schema/syntax' ? `YAML syntax error: ${p.message}` : p.message), severity: p.severity }));
  return { node: y.node, diagnostics };
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
