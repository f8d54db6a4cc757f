/**
 * The `@type` registry: which message a type URL selects. Three answers:
 * - a descriptor: tsproxy models the type (decodes it field by field);
 * - `envoy`: a type Envoy's API defines (extension_catalogue.ts) that tsproxy does not model: it
 *   loads raw, named by an `info` diagnostic (`schema/not-modelled`), never an error;
 * - undefined: a type Envoy does not define (a custom build, Wasm): a warning
 *   (`schema/unknown-type`), with a suggestion when it is close to an Envoy type.
 */
import type { MessageDescriptor } from './descriptor.js';
import { ROUTE_CONFIGURATION, FILTER_CONFIG } from './route.js';
import { HTTP_CONNECTION_MANAGER, LISTENER } from './listener.js';
import { CLUSTER, CLUSTER_LOAD_ASSIGNMENT, UPSTREAM_HTTP_PROTOCOL_OPTIONS } from './cluster.js';
import {
  BOOTSTRAP, BOOTSTRAP_CONFIG_DUMP, CLUSTERS_CONFIG_DUMP, CONFIG_DUMP, DISCOVERY_RESOURCE, DYNAMIC_CLUSTER, DYNAMIC_LISTENER, ENDPOINTS_CONFIG_DUMP,
  DYNAMIC_ROUTE_CONFIG, LISTENERS_CONFIG_DUMP, OPAQUE_DUMP_SECTIONS, ROUTES_CONFIG_DUMP, STATIC_CLUSTER, STATIC_LISTENER,
  STATIC_ROUTE_CONFIG,
} from './bootstrap.js';
import {
  CORS, CORS_POLICY_EXT, FILE_ACCESS_LOG, HEALTH_CHECK, HTTP_FAULT, ORIGINAL_DST_LISTENER_FILTER, PREVIOUS_HOSTS_PREDICATE,
  ROUTER, STDERR_ACCESS_LOG, STDOUT_ACCESS_LOG, URI_TEMPLATE_MATCH_CONFIG, URI_TEMPLATE_REWRITE_CONFIG,
} from './extensions.js';
import { OPENTELEMETRY_CONFIG, ZIPKIN_CONFIG } from './tracing.js';
import { IP_INPUT_MATCHER, NETWORK_INPUTS, STRING_VALUE, XDS_IP_MATCHER } from './matcher.js';
import { DOWNSTREAM_TLS_CONTEXT, SECRET, TLS_INSPECTOR, UPSTREAM_TLS_CONTEXT } from './tls.js';
import { envoyType, envoyTypeNames, type EnvoyTypeInfo } from '../extension_catalogue.js';

export interface TypeInfo {
  desc?: MessageDescriptor;
  /** Envoy defines the type; tsproxy does not model it. */
  envoy?: EnvoyTypeInfo;
  /** Not modelled, and its absence changes offline answers: a `schema/unsupported` warning with these words. */
  unsupported?: string;
}

const SUPPORTED: MessageDescriptor[] = [
  HTTP_CONNECTION_MANAGER,
  ROUTER,
  HTTP_FAULT,
  HEALTH_CHECK,
  CORS,
  CORS_POLICY_EXT,
  FILE_ACCESS_LOG,
  STDOUT_ACCESS_LOG,
  STDERR_ACCESS_LOG,
  UPSTREAM_HTTP_PROTOCOL_OPTIONS,
  PREVIOUS_HOSTS_PREDICATE,
  ORIGINAL_DST_LISTENER_FILTER,
  DOWNSTREAM_TLS_CONTEXT,
  UPSTREAM_TLS_CONTEXT,
  SECRET,
  TLS_INSPECTOR,
  URI_TEMPLATE_MATCH_CONFIG,
  URI_TEMPLATE_REWRITE_CONFIG,
  OPENTELEMETRY_CONFIG,
  ZIPKIN_CONFIG,
  FILTER_CONFIG,
  ROUTE_CONFIGURATION,
  LISTENER,
  CLUSTER,
  CLUSTER_LOAD_ASSIGNMENT,
  BOOTSTRAP,
  CONFIG_DUMP,
  BOOTSTRAP_CONFIG_DUMP,
  LISTENERS_CONFIG_DUMP,
  CLUSTERS_CONFIG_DUMP,
  ROUTES_CONFIG_DUMP,
  ENDPOINTS_CONFIG_DUMP,
  DISCOVERY_RESOURCE,
  // `/config_dump?resource=...` lists the section entries themselves.
  STATIC_LISTENER,
  DYNAMIC_LISTENER,
  STATIC_CLUSTER,
  DYNAMIC_CLUSTER,
  STATIC_ROUTE_CONFIG,
  DYNAMIC_ROUTE_CONFIG,
  // The filter chain matcher (Listener.filter_chain_matcher).
  XDS_IP_MATCHER,
  IP_INPUT_MATCHER,
  STRING_VALUE,
  ...NETWORK_INPUTS,
];

let table: Map<string, TypeInfo> | undefined;

function build(): Map<string, TypeInfo> {
  const t = new Map<string, TypeInfo>();
  for (const [name, what] of Object.entries(OPAQUE_DUMP_SECTIONS)) {
    // Sections tsproxy has no use for load raw; a warning only where their absence changes answers.
    t.set(name, what ? { unsupported: what } : { desc: { name, fields: {}, open: true } });
  }
  for (const d of SUPPORTED) t.set(d.name, { desc: d });
  return t;
}

/** What `typeName` (the part of a type URL after the last `/`) selects; undefined if Envoy does not define it. */
export function lookupType(typeName: string): TypeInfo | undefined {
  table ??= build();
  const modelled = table.get(typeName);
  if (modelled) return modelled;
  const envoy = envoyType(typeName);
  return envoy ? { envoy } : undefined;
}

/** Every type name tsproxy or Envoy knows (for "did you mean"). */
export function knownTypeNames(): Iterable<string> {
  table ??= build();
  return new Set([...table.keys(), ...envoyTypeNames()]);
}

/** The type name of a type URL: `type.googleapis.com/envoy.x.v3.Y` -> `envoy.x.v3.Y`. */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
