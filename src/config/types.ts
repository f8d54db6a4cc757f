/**
 * Envoy v3 configuration messages as tsproxy decodes them.
 *
 * Contract (shared by config, core, analysis, runtime):
 * - Field names are Envoy's snake_case proto names, whatever spelling the user wrote
 *   (`routeConfig` is decoded to `route_config`).
 * - A field the user did not write is `undefined`; the decoder does NOT fill Envoy's defaults
 *   (so lint and explain can tell "absent" from "set"). Defaults live in `defaults.ts` and are
 *   applied by whoever compiles the message (core route table, runtime cluster manager).
 * - `Duration` is decoded to milliseconds (a number, may be fractional); `google.protobuf.*Value`
 *   wrappers to their plain value; `int64`/`uint64` fields to `bigint` only where precision
 *   matters (range matchers), elsewhere to `number`; enums to their name string.
 * - `Any` (`typed_config`) is decoded to an object carrying `'@type'` and, when tsproxy knows the
 *   type, the decoded fields of that message; an unknown type keeps the raw value.
 * - Every decoded message object has a source position retrievable with `positionOf()` from
 *   `position.ts` (a WeakMap: no extra fields on the objects).
 *
 * Only the messages on the request path are typed in full; others are typed loosely.
 *
 * The messages live in companion files by area (base_types, matcher_types, route_config_types,
 * listener_types, protocol_types, cluster_types, tracing_types); this file holds the Bootstrap and
 * what a loaded config is, and re-exports them all, so the rest of tsproxy imports from here.
 */
import type { Address } from './base_types.js';
import type { Cluster } from './cluster_types.js';
import type { AccessLog, Listener } from './listener_types.js';
import type { RouteConfiguration } from './route_config_types.js';
import type { BootstrapTracing } from './tracing_types.js';
export type * from './base_types.js';
export type * from './matcher_types.js';
export type * from './route_config_types.js';
export type * from './listener_types.js';
export type * from './protocol_types.js';
export type * from './cluster_types.js';

/** `envoy.config.bootstrap.v3.Admin`. */
export interface Admin {
  address?: Address;
  access_log?: AccessLog[];
  access_log_path?: string;
  profile_path?: string;
  ignore_global_conn_limit?: boolean;
}

/** `envoy.config.bootstrap.v3.RuntimeLayer`. */
export interface RuntimeLayer {
  name: string;
  static_layer?: Record<string, unknown>;
  disk_layer?: unknown;
  admin_layer?: Record<string, never>;
  rtds_layer?: unknown;
}

/** `envoy.config.bootstrap.v3.Bootstrap` (the parts tsproxy reads). */
export interface Bootstrap {
  node?: { id?: string; cluster?: string; [field: string]: unknown };
  static_resources?: {
    listeners?: Listener[];
    clusters?: Cluster[];
    secrets?: unknown[];
  };
  dynamic_resources?: unknown;
  cluster_manager?: unknown;
  admin?: Admin;
  layered_runtime?: { layers?: RuntimeLayer[] };
  stats_config?: unknown;
  stats_sinks?: unknown[];
  overload_manager?: unknown;
  tracing?: BootstrapTracing;
  [field: string]: unknown;
}

/**
 * What a config file turned out to be, normalized to one shape: the listeners, clusters and route
 * configurations found (from a Bootstrap, a bare RouteConfiguration, or an admin `/config_dump`),
 * plus the static runtime (merged layered_runtime static layers, or a router_check `runtime:`).
 */
export interface LoadedConfig {
  kind: 'bootstrap' | 'route_configuration' | 'config_dump';
  file: string;
  bootstrap?: Bootstrap;
  listeners: Listener[];
  clusters: Cluster[];
  /** Top-level route configurations: bare, from a dump's route sections, and inline in HCMs. */
  routeConfigurations: RouteConfiguration[];
  /** Flattened static runtime: key -> value (numbers, strings, booleans as written). */
  runtime: Record<string, unknown>;
  admin?: Admin;
}
