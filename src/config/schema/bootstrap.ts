/**
 * Descriptors of envoy.config.bootstrap.v3.Bootstrap (with Admin and LayeredRuntime) and of the
 * admin `/config_dump` messages (envoy.admin.v3.*ConfigDump).
 */
import { any, bool, dbl, dur, message, msg, raw, str, struct, u32, unsupported, EMPTY, type MessageDescriptor } from './descriptor.js';
import { ADDRESS, STRING_MATCHER } from './common.js';
import { ACCESS_LOG, LISTENER } from './listener.js';
import { CLUSTER } from './cluster.js';
import { BOOTSTRAP_TRACING } from './tracing.js';

export const ADMIN: MessageDescriptor = message('envoy.config.bootstrap.v3.Admin', {
  access_log: msg(() => ACCESS_LOG, { repeated: true }),
  access_log_path: str({ deprecated: 'use access_log' }),
  profile_path: str(),
  address: msg(() => ADDRESS),
  socket_options: raw({ repeated: true }),
  ignore_global_conn_limit: bool(),
  allow_paths: raw({ repeated: true }),
});

// --- envoy.config.metrics.v3 stats configuration (served by the admin API) -----------------

const TAG_SPECIFIER: MessageDescriptor = message('envoy.config.metrics.v3.TagSpecifier', {
  tag_name: str(),
  regex: str({ oneof: 'tag_value' }),
  fixed_value: str({ oneof: 'tag_value' }),
});

const LIST_STRING_MATCHER: MessageDescriptor = message('envoy.type.matcher.v3.ListStringMatcher', {
  patterns: msg(() => STRING_MATCHER, { repeated: true, required: true }),
});

const STATS_MATCHER: MessageDescriptor = message(
  'envoy.config.metrics.v3.StatsMatcher',
  {
    reject_all: bool({ oneof: 'stats_matcher' }),
    exclusion_list: msg(() => LIST_STRING_MATCHER, { oneof: 'stats_matcher' }),
    inclusion_list: msg(() => LIST_STRING_MATCHER, { oneof: 'stats_matcher' }),
  },
  { requiredOneofs: ['stats_matcher'] },
);

const HISTOGRAM_BUCKET_SETTINGS: MessageDescriptor = message('envoy.config.metrics.v3.HistogramBucketSettings', {
  match: msg(() => STRING_MATCHER, { required: true }),
  buckets: dbl({ repeated: true, check: { positive: true } }),
  bins: u32({ unsupported: 'HistogramBucketSettings.bins (circllhist bin count)' }),
});

/** `envoy.config.metrics.v3.StatsConfig`: tags, matcher and histogram buckets (src/runtime/stats/stats_config.ts). */
export const STATS_CONFIG: MessageDescriptor = message('envoy.config.metrics.v3.StatsConfig', {
  stats_tags: msg(() => TAG_SPECIFIER, { repeated: true }),
  use_all_default_tags: bool(),
  stats_matcher: msg(() => STATS_MATCHER),
  histogram_bucket_settings: msg(() => HISTOGRAM_BUCKET_SETTINGS, { repeated: true }),
});

const RUNTIME_LAYER: MessageDescriptor = message('envoy.config.bootstrap.v3.RuntimeLayer', {
  name: str({ required: true }),
  // Runtime keys are data: the Struct is kept as written and flattened by runtime.ts.
  static_layer: struct({ oneof: 'layer_specifier' }),
  disk_layer: unsupported('disk runtime layers (RuntimeLayer.disk_layer)', { oneof: 'layer_specifier' }),
  admin_layer: msg(() => EMPTY, { oneof: 'layer_specifier' }),
  rtds_layer: unsupported('runtime discovery (RuntimeLayer.rtds_layer)', { oneof: 'layer_specifier' }),
});

const LAYERED_RUNTIME: MessageDescriptor = message('envoy.config.bootstrap.v3.LayeredRuntime', {
  layers: msg(() => RUNTIME_LAYER, { repeated: true }),
});

const STATIC_RESOURCES: MessageDescriptor = message('envoy.config.bootstrap.v3.Bootstrap.StaticResources', {
  listeners: msg(() => LISTENER, { repeated: true }),
  clusters: msg(() => CLUSTER, { repeated: true }),
  secrets: unsupported('static secrets (TLS)', { repeated: true }),
});

export const BOOTSTRAP: MessageDescriptor = message('envoy.config.bootstrap.v3.Bootstrap', {
  node: raw(),
  node_context_params: raw({ repeated: true }),
  static_resources: msg(() => STATIC_RESOURCES),
  dynamic_resources: unsupported('xDS (Bootstrap.dynamic_resources)'),
  cluster_manager: unsupported('Bootstrap.cluster_manager options'),
  hds_config: unsupported('health discovery service (Bootstrap.hds_config)'),
  flags_path: str(),
  stats_sinks: unsupported('stats sinks (Bootstrap.stats_sinks)', { repeated: true }),
  deferred_stat_options: raw(),
  stats_config: msg(() => STATS_CONFIG),
  stats_flush_interval: dur({ oneof: 'stats_flush', check: { positive: true } }),
  stats_flush_on_admin: bool({ oneof: 'stats_flush' }),
  watchdog: raw(),
  watchdogs: raw(),
  tracing: msg(() => BOOTSTRAP_TRACING),
  layered_runtime: msg(() => LAYERED_RUNTIME),
  admin: msg(() => ADMIN),
  overload_manager: unsupported('the overload manager (Bootstrap.overload_manager)'),
  enable_dispatcher_stats: bool(),
  header_prefix: str({ unsupported: 'Bootstrap.header_prefix' }),
  stats_server_version_override: raw(),
  use_tcp_for_dns_lookups: bool(),
  dns_resolution_config: raw(),
  typed_dns_resolver_config: raw(),
  bootstrap_extensions: unsupported('bootstrap extensions', { repeated: true }),
  fatal_actions: raw({ repeated: true }),
  config_sources: raw({ repeated: true }),
  default_config_source: raw(),
  default_socket_interface: str(),
  certificate_provider_instances: raw(),
  inline_headers: raw({ repeated: true }),
  perf_tracing_file_path: str(),
  default_regex_engine: raw(),
  xds_delegate_extension: raw(),
  xds_config_tracker_extension: raw(),
  listener_manager: raw(),
  application_log_config: raw(),
  grpc_async_client_manager_config: raw(),
  memory_allocator_manager: raw(),
});

// --- envoy.admin.v3 config dump -----------------------------------------------------------

const UPDATE_FAILURE_STATE = raw();
const CLIENT_STATUS = raw();

export const CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.ConfigDump', {
  configs: any({ repeated: true }),
});

/**
 * `envoy.service.discovery.v3.DiscoveryResponse`: the file format of file-based xDS
 * (`path_config_source` files: `resources: [{"@type": ...Listener}, ...]`). Loads like a dump.
 */
export const DISCOVERY_RESPONSE: MessageDescriptor = message('envoy.service.discovery.v3.DiscoveryResponse', {
  version_info: str(),
  resources: any({ repeated: true }),
  canary: bool(),
  type_url: str(),
  nonce: str(),
  control_plane: raw(),
  resource_errors: raw({ repeated: true }),
});

export const BOOTSTRAP_CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.BootstrapConfigDump', {
  bootstrap: msg(() => BOOTSTRAP),
  last_updated: str(),
});

export const STATIC_LISTENER: MessageDescriptor = message('envoy.admin.v3.ListenersConfigDump.StaticListener', {
  listener: any(),
  last_updated: str(),
});

const DYNAMIC_LISTENER_STATE: MessageDescriptor = message('envoy.admin.v3.ListenersConfigDump.DynamicListenerState', {
  version_info: str(),
  listener: any(),
  last_updated: str(),
});

export const DYNAMIC_LISTENER: MessageDescriptor = message('envoy.admin.v3.ListenersConfigDump.DynamicListener', {
  name: str(),
  active_state: msg(() => DYNAMIC_LISTENER_STATE),
  warming_state: msg(() => DYNAMIC_LISTENER_STATE),
  draining_state: msg(() => DYNAMIC_LISTENER_STATE),
  error_state: UPDATE_FAILURE_STATE,
  client_status: CLIENT_STATUS,
});

export const LISTENERS_CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.ListenersConfigDump', {
  version_info: str(),
  static_listeners: msg(() => STATIC_LISTENER, { repeated: true }),
  dynamic_listeners: msg(() => DYNAMIC_LISTENER, { repeated: true }),
});

export const STATIC_CLUSTER: MessageDescriptor = message('envoy.admin.v3.ClustersConfigDump.StaticCluster', {
  cluster: any(),
  last_updated: str(),
});

export const DYNAMIC_CLUSTER: MessageDescriptor = message('envoy.admin.v3.ClustersConfigDump.DynamicCluster', {
  version_info: str(),
  cluster: any(),
  last_updated: str(),
  error_state: UPDATE_FAILURE_STATE,
  client_status: CLIENT_STATUS,
});

export const CLUSTERS_CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.ClustersConfigDump', {
  version_info: str(),
  static_clusters: msg(() => STATIC_CLUSTER, { repeated: true }),
  dynamic_active_clusters: msg(() => DYNAMIC_CLUSTER, { repeated: true }),
  dynamic_warming_clusters: msg(() => DYNAMIC_CLUSTER, { repeated: true }),
});

export const STATIC_ROUTE_CONFIG: MessageDescriptor = message('envoy.admin.v3.RoutesConfigDump.StaticRouteConfig', {
  route_config: any(),
  last_updated: str(),
});

export const DYNAMIC_ROUTE_CONFIG: MessageDescriptor = message('envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig', {
  version_info: str(),
  route_config: any(),
  last_updated: str(),
  error_state: UPDATE_FAILURE_STATE,
  client_status: CLIENT_STATUS,
});

export const ROUTES_CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.RoutesConfigDump', {
  static_route_configs: msg(() => STATIC_ROUTE_CONFIG, { repeated: true }),
  dynamic_route_configs: msg(() => DYNAMIC_ROUTE_CONFIG, { repeated: true }),
});

const STATIC_ENDPOINT_CONFIG: MessageDescriptor = message('envoy.admin.v3.EndpointsConfigDump.StaticEndpointConfig', {
  endpoint_config: any(),
  last_updated: str(),
});

const DYNAMIC_ENDPOINT_CONFIG: MessageDescriptor = message('envoy.admin.v3.EndpointsConfigDump.DynamicEndpointConfig', {
  version_info: str(),
  endpoint_config: any(),
  last_updated: str(),
  error_state: UPDATE_FAILURE_STATE,
  client_status: CLIENT_STATUS,
});

/** `?include_eds`: the endpoints of EDS clusters (ClusterLoadAssignment). */
export const ENDPOINTS_CONFIG_DUMP: MessageDescriptor = message('envoy.admin.v3.EndpointsConfigDump', {
  static_endpoint_configs: msg(() => STATIC_ENDPOINT_CONFIG, { repeated: true }),
  dynamic_endpoint_configs: msg(() => DYNAMIC_ENDPOINT_CONFIG, { repeated: true }),
});

/** Dump sections tsproxy reads nothing from: known, kept raw (their contents are not validated). */
export const OPAQUE_DUMP_SECTIONS: Record<string, string | undefined> = {
  'envoy.admin.v3.SecretsConfigDump': undefined,
  'envoy.admin.v3.EcdsConfigDump': undefined,
  // Istio's dumps always carry it, empty: dump_sections.ts warns only when it lists scoped routes.
  'envoy.admin.v3.ScopedRoutesConfigDump': undefined,
};

/** `envoy.service.discovery.v3.Resource`: one resource with its name (delta xDS, collections). */
export const DISCOVERY_RESOURCE: MessageDescriptor = message('envoy.service.discovery.v3.Resource', {
  name: str(),
  resource_name: raw(),
  aliases: str({ repeated: true }),
  version: str(),
  resource: any(),
  ttl: raw(),
  cache_control: raw(),
  metadata: raw(),
});
