#!/usr/bin/env node
// Generates src/config/extension_catalogue.generated.ts: every type URL Envoy's API defines,
// known by name, so the loader can tell "an Envoy type tsproxy does not model" (accepted, info)
// from "a type Envoy does not define" (a custom build, Wasm: a warning).
//
// Inputs (Envoy's own files; none of them is committed here):
//   --envoy DIR        an Envoy source checkout: reads DIR/source/extensions/extensions_metadata.yaml,
//                      DIR/contrib/extensions_metadata.yaml and DIR/api (when present)
//   --metadata FILE    Envoy's source/extensions/extensions_metadata.yaml (instead of --envoy)
//   --contrib FILE     Envoy's contrib/extensions_metadata.yaml (optional)
//   --api DIR          Envoy's api/ directory (or a data-plane-api checkout) (optional): contrib
//                      extensions, whose metadata lists no type URLs, are read from its .proto
//                      files, and every API type listed below is checked to exist
//   --ref TEXT         the Envoy version or commit the inputs come from (written in the header)
//   --out FILE         where to write (default src/config/extension_catalogue.generated.ts)
//
// Example: node scripts/gen_extension_catalogue.mjs --envoy ../envoy --ref "$(git -C ../envoy rev-parse HEAD)"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';

/**
 * Message types of Envoy's API (not extensions) that appear inside a google.protobuf.Any: xDS
 * resources, admin dump sections, per-route and matcher wrappers, upstream options (whose
 * extensions the metadata lists without type URLs), and the well-known types Envoy's configs use.
 * Checked against --api when given (types outside envoy/ are from cncf/xds or protobuf itself).
 */
const API_TYPES = [
  // xDS resources (DiscoveryResponse.resources, config dumps)
  ['envoy.config.listener.v3.Listener', 'xDS resource'],
  ['envoy.config.route.v3.RouteConfiguration', 'xDS resource'],
  ['envoy.config.route.v3.ScopedRouteConfiguration', 'xDS resource'],
  ['envoy.config.route.v3.VirtualHost', 'xDS resource'],
  ['envoy.config.cluster.v3.Cluster', 'xDS resource'],
  ['envoy.config.endpoint.v3.ClusterLoadAssignment', 'xDS resource'],
  ['envoy.config.endpoint.v3.LbEndpoint', 'xDS resource'],
  ['envoy.extensions.transport_sockets.tls.v3.Secret', 'xDS resource'],
  ['envoy.service.runtime.v3.Runtime', 'xDS resource'],
  ['envoy.config.core.v3.TypedExtensionConfig', 'xDS resource'],
  ['envoy.config.bootstrap.v3.Bootstrap', 'bootstrap'],
  ['envoy.service.discovery.v3.Resource', 'xDS wrapper'],
  ['envoy.service.discovery.v3.DiscoveryResponse', 'xDS wrapper'],
  // admin /config_dump
  ['envoy.admin.v3.BootstrapConfigDump', 'config dump section'],
  ['envoy.admin.v3.ListenersConfigDump', 'config dump section'],
  ['envoy.admin.v3.ListenersConfigDump.StaticListener', 'config dump section'],
  ['envoy.admin.v3.ListenersConfigDump.DynamicListener', 'config dump section'],
  ['envoy.admin.v3.ClustersConfigDump', 'config dump section'],
  ['envoy.admin.v3.ClustersConfigDump.StaticCluster', 'config dump section'],
  ['envoy.admin.v3.ClustersConfigDump.DynamicCluster', 'config dump section'],
  ['envoy.admin.v3.RoutesConfigDump', 'config dump section'],
  ['envoy.admin.v3.RoutesConfigDump.StaticRouteConfig', 'config dump section'],
  ['envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig', 'config dump section'],
  ['envoy.admin.v3.ScopedRoutesConfigDump', 'config dump section'],
  ['envoy.admin.v3.ScopedRoutesConfigDump.InlineScopedRouteConfigs', 'config dump section'],
  ['envoy.admin.v3.ScopedRoutesConfigDump.DynamicScopedRouteConfigs', 'config dump section'],
  ['envoy.admin.v3.SecretsConfigDump', 'config dump section'],
  ['envoy.admin.v3.SecretsConfigDump.StaticSecret', 'config dump section'],
  ['envoy.admin.v3.SecretsConfigDump.DynamicSecret', 'config dump section'],
  ['envoy.admin.v3.EndpointsConfigDump', 'config dump section'],
  ['envoy.admin.v3.EndpointsConfigDump.StaticEndpointConfig', 'config dump section'],
  ['envoy.admin.v3.EndpointsConfigDump.DynamicEndpointConfig', 'config dump section'],
  ['envoy.admin.v3.EcdsConfigDump', 'config dump section'],
  ['envoy.admin.v3.EcdsConfigDump.EcdsFilterConfig', 'config dump section'],
  // wrappers
  ['envoy.config.route.v3.FilterConfig', 'per-route filter config wrapper'],
  ['envoy.extensions.common.matching.v3.ExtensionWithMatcher', 'filter with a matcher'],
  ['envoy.extensions.common.matching.v3.ExtensionWithMatcherPerRoute', 'filter with a matcher, per route'],
  ['envoy.extensions.filters.common.matcher.action.v3.SkipFilter', 'matcher action'],
  ['envoy.extensions.filters.http.composite.v3.ExecuteFilterAction', 'matcher action'],
  // upstream options and connection pools (envoy.upstream_options / envoy.upstreams)
  ['envoy.extensions.upstreams.http.v3.HttpProtocolOptions', 'upstream HTTP protocol options'],
  ['envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions', 'upstream TCP protocol options'],
  ['envoy.extensions.upstreams.http.generic.v3.GenericConnectionPoolProto', 'upstream connection pool'],
  ['envoy.extensions.upstreams.http.http.v3.HttpConnectionPoolProto', 'upstream connection pool'],
  ['envoy.extensions.upstreams.http.tcp.v3.TcpConnectionPoolProto', 'upstream connection pool'],
  ['envoy.extensions.upstreams.http.udp.v3.UdpConnectionPoolProto', 'upstream connection pool'],
  ['envoy.extensions.upstreams.tcp.generic.v3.GenericConnectionPoolProto', 'upstream connection pool'],
  ['envoy.config.rbac.v3.RBAC', 'RBAC policy'],
  // cncf/xds and protobuf types Envoy's configs carry in an Any
  ['udpa.type.v1.TypedStruct', 'TypedStruct-wrapped extension config'],
  ['xds.type.v3.TypedStruct', 'TypedStruct-wrapped extension config'],
  ['xds.type.matcher.v3.Matcher', 'matcher'],
  ['google.protobuf.StringValue', 'matcher action (a filter chain name)'],
  ['google.protobuf.Struct', 'structured value'],
  ['google.protobuf.Empty', 'empty message'],
];

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    out[a.slice(2)] = v;
    i++;
  }
  return out;
}

function sha256(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Reads one extensions_metadata.yaml: extension name -> { categories, status, type_urls }. */
function readMetadata(file) {
  const text = readFileSync(file, 'utf8');
  const doc = parse(text);
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: not a mapping`);
  return { text, doc };
}

function walkProtos(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkProtos(p, out);
    else if (name.endsWith('.proto')) out.push(p);
  }
  return out;
}

/** Full names of the messages a .proto file declares (nested ones as Outer.Inner). */
function protoMessages(text) {
  const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1] ?? '';
  const names = [];
  const stack = [];
  // Strip comments and strings so braces inside them do not count.
  const clean = text.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const re = /\b(message|enum|oneof|service|extend)\s+([\w.]+)\s*\{|\{|\}/g;
  let m;
  while ((m = re.exec(clean))) {
    if (m[0] === '}') stack.pop();
    else if (m[0] === '{') stack.push(null);
    else {
      const inner = m[1] === 'message' ? m[2] : null;
      const path = stack.filter((s) => s !== null);
      if (inner && path.length === stack.length) names.push([pkg, ...path, inner].filter(Boolean).join('.'));
      stack.push(inner && path.length === stack.length ? inner : null);
    }
  }
  return { pkg, names };
}

/** The category of a contrib proto directory: `filters/http/golang` -> `envoy.filters.http`. */
function guessCategory(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'filters' && parts.length > 1) return `envoy.filters.${parts[1]}`;
  return `envoy.${parts[0]}`;
}

function main() {
  const a = args(process.argv.slice(2));
  const envoy = a.envoy;
  const metadataFile = a.metadata ?? (envoy && join(envoy, 'source', 'extensions', 'extensions_metadata.yaml'));
  if (!metadataFile) throw new Error('usage: gen_extension_catalogue.mjs --envoy DIR | --metadata FILE [--contrib FILE] [--api DIR] [--ref TEXT] [--out FILE]');
  const contribFile = a.contrib ?? (envoy && existsSync(join(envoy, 'contrib', 'extensions_metadata.yaml')) ? join(envoy, 'contrib', 'extensions_metadata.yaml') : undefined);
  const apiDir = a.api ?? (envoy && existsSync(join(envoy, 'api')) ? join(envoy, 'api') : undefined);
  const out = a.out ?? new URL('../src/config/extension_catalogue.generated.ts', import.meta.url).pathname;

  const core = readMetadata(metadataFile);
  const contrib = contribFile ? readMetadata(contribFile) : undefined;
  /** name -> [categories, status, typeUrls, contrib] */
  const extensions = new Map();
  const add = (name, e, isContrib) => {
    const categories = Array.isArray(e.categories) ? e.categories.map(String) : [];
    const status = typeof e.status === 'string' ? e.status : 'unknown';
    const urls = Array.isArray(e.type_urls) ? e.type_urls.map(String) : [];
    const prev = extensions.get(name);
    if (prev) {
      for (const u of urls) if (!prev[2].includes(u)) prev[2].push(u);
      return;
    }
    extensions.set(name, [categories, status, urls, isContrib]);
  };
  for (const [name, e] of Object.entries(core.doc)) add(name, e ?? {}, false);
  if (contrib) for (const [name, e] of Object.entries(contrib.doc)) add(name, e ?? {}, true);

  const apiNames = new Set();
  if (apiDir) {
    for (const file of walkProtos(apiDir)) {
      const rel = relative(apiDir, file).split(sep).join('/');
      const { pkg, names } = protoMessages(readFileSync(file, 'utf8'));
      for (const n of names) apiNames.add(n);
      // Contrib extensions: the metadata lists none of their type URLs; every top-level message of
      // contrib/envoy/extensions/<path>/<version>/*.proto is one.
      const cm = /^contrib\/envoy\/extensions\/(.+)\/v[0-9][^/]*\/[^/]+\.proto$/.exec(rel);
      if (!cm) continue;
      const extName = `envoy.${cm[1].split('/').join('.')}`;
      const topLevel = names.filter((n) => n.slice(pkg.length ? pkg.length + 1 : 0).indexOf('.') < 0);
      if (!extensions.has(extName)) extensions.set(extName, [[guessCategory(cm[1])], 'unknown', [], true]);
      const e = extensions.get(extName);
      for (const t of topLevel) if (!e[2].includes(t)) e[2].push(t);
    }
    const missing = API_TYPES.filter(([t]) => (t.startsWith('envoy.') && !apiNames.has(t)));
    if (missing.length > 0) throw new Error(`API types not found under ${apiDir}: ${missing.map(([t]) => t).join(', ')}`);
  }

  const typeOwner = new Map();
  for (const [name, [, , urls]] of extensions) for (const u of urls) if (!typeOwner.has(u)) typeOwner.set(u, name);
  const apiTypes = API_TYPES.filter(([t]) => !typeOwner.has(t));

  const rows = [...extensions.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [];
  lines.push('// GENERATED by scripts/gen_extension_catalogue.mjs: do not edit by hand.');
  lines.push('// Regenerate from an Envoy source checkout (Envoy\'s files are not committed here):');
  lines.push('//   node scripts/gen_extension_catalogue.mjs --envoy ../envoy --ref "$(git -C ../envoy rev-parse HEAD)"');
  lines.push(`// Envoy: ${a.ref ?? '(ref not given)'}`);
  lines.push(`// source/extensions/extensions_metadata.yaml sha256:${sha256(core.text)} (${Object.keys(core.doc).length} extensions)`);
  if (contrib) lines.push(`// contrib/extensions_metadata.yaml sha256:${sha256(contrib.text)} (${Object.keys(contrib.doc).length} extensions)`);
  lines.push(`// api: ${apiDir ? `${apiNames.size} messages read; contrib type URLs from its .proto files; API types checked` : 'not given'}`);
  lines.push('');
  lines.push('/** [extension name, categories, status, type names, contrib?]. */');
  lines.push('export type GeneratedExtension = readonly [string, readonly string[], string, readonly string[], boolean];');
  lines.push('');
  lines.push('/** Every extension Envoy lists, by name (status: stable, alpha, wip, ...). */');
  lines.push('export const ENVOY_EXTENSIONS: readonly GeneratedExtension[] = [');
  for (const [name, [cats, status, urls, isContrib]] of rows) {
    lines.push(`  [${q(name)}, [${cats.map(q).join(', ')}], ${q(status)}, [${urls.map(q).join(', ')}], ${isContrib}],`);
  }
  lines.push('];');
  lines.push('');
  lines.push('/** Message types of Envoy\'s API, not extensions, that appear in a google.protobuf.Any: [type name, what it is]. */');
  lines.push('export const ENVOY_API_TYPES: readonly (readonly [string, string])[] = [');
  for (const [t, what] of apiTypes) lines.push(`  [${q(t)}, ${q(what)}],`);
  lines.push('];');
  lines.push('');
  writeFileSync(out, lines.join('\n'));
  const typeCount = rows.reduce((n, [, [, , urls]]) => n + urls.length, 0);
  process.stdout.write(`wrote ${out}: ${rows.length} extensions, ${typeCount} extension types, ${apiTypes.length} API types\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`gen_extension_catalogue: ${e.message}\n`);
  process.exit(2);
}
