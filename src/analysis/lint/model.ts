/**
 * Flattens a LoadedConfig into the sites lint rules look at, each with a JSON path: listeners,
 * their HTTP connection managers, route configurations (inline in an HCM or top level) and
 * clusters. Built once per file so rules do not each re-walk the listener tree.
 */
import type {
  Admin,
  Cluster,
  HttpConnectionManager,
  Listener,
  LoadedConfig,
  NetworkFilter,
  RouteConfiguration,
} from '../../config/types.js';
import type { JsonPathResolver } from './json_path.js';

export interface ListenerSite {
  readonly listener: Listener;
  readonly path: string;
}

export interface HcmSite {
  readonly hcm: HttpConnectionManager;
  /** JSON path of the HCM (the filter's `typed_config`). */
  readonly path: string;
  readonly listener: ListenerSite | undefined;
}

export interface RouteConfigSite {
  readonly routeConfig: RouteConfiguration;
  readonly path: string;
  /** The HCM holding it inline, if any. */
  readonly hcm: HcmSite | undefined;
}

export interface ClusterSite {
  readonly cluster: Cluster;
  readonly path: string;
}

export interface ConfigModel {
  readonly listeners: readonly ListenerSite[];
  readonly hcms: readonly HcmSite[];
  readonly routeConfigs: readonly RouteConfigSite[];
  readonly clusters: readonly ClusterSite[];
  readonly admin: { readonly admin: Admin; readonly path: string } | undefined;
  /**
   * Whether cluster references can be checked: the file carries the clusters (a Bootstrap without
   * CDS, or a config dump with clusters). A bare RouteConfiguration names clusters defined elsewhere.
   */
  readonly clustersKnown: boolean;
  /** Cluster names defined in the file. */
  readonly clusterNames: ReadonlySet<string>;
}

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const HCM_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);

/** The message name of a type URL (`type.googleapis.com/x.y.Z` -> `x.y.Z`); any URL prefix is accepted, as in Envoy. */
export function typeName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** True for a network filter that is Envoy's HTTP connection manager (by `@type`, else legacy name). */
export function isHcmFilter(f: NetworkFilter): boolean {
  const t = f.typed_config?.['@type'];
  if (typeof t === 'string') return typeName(t) === HCM_TYPE;
  return HCM_NAMES.has(f.name);
}

/** `$.admin` in a Bootstrap; in a config dump, under the dump's BootstrapConfigDump. */
function adminPath(config: LoadedConfig, paths: JsonPathResolver): string {
  if (config.kind !== 'config_dump' || !config.bootstrap) return '$.admin';
  return `${paths.pathOf(config.bootstrap, '$.configs[0].bootstrap')}.admin`;
}

/**
 * Builds the model. `paths` resolves the JSON path of top-level objects whose place in the file
 * the LoadedConfig does not record (config dump sections); the fallback is a synthetic path.
 */
export function buildModel(config: LoadedConfig, paths: JsonPathResolver): ConfigModel {
  const listeners: ListenerSite[] = [];
  const hcms: HcmSite[] = [];
  const routeConfigs: RouteConfigSite[] = [];
  const seenRc = new Set<object>();
  const isBootstrap = config.kind === 'bootstrap';

  config.listeners.forEach((listener, i) => {
    const path = isBootstrap ? `$.static_resources.listeners[${i}]` : paths.pathOf(listener, `$.listeners[${i}]`);
    const site: ListenerSite = { listener, path };
    listeners.push(site);
    const chains: { chain: NonNullable<Listener['filter_chains']>[number]; path: string }[] = [];
    (listener.filter_chains ?? []).forEach((chain, j) => chains.push({ chain, path: `${path}.filter_chains[${j}]` }));
    if (listener.default_filter_chain) chains.push({ chain: listener.default_filter_chain, path: `${path}.default_filter_chain` });
    for (const { chain, path: chainPath } of chains) {
      (chain.filters ?? []).forEach((f, k) => {
        if (!isHcmFilter(f) || !f.typed_config) return;
        const hcm = f.typed_config as unknown as HttpConnectionManager;
        const hcmSite: HcmSite = { hcm, path: `${chainPath}.filters[${k}].typed_config`, listener: site };
        hcms.push(hcmSite);
        if (hcm.route_config && typeof hcm.route_config === 'object') {
          seenRc.add(hcm.route_config);
          routeConfigs.push({ routeConfig: hcm.route_config, path: `${hcmSite.path}.route_config`, hcm: hcmSite });
        }
      });
    }
  });

  config.routeConfigurations.forEach((rc, i) => {
    if (seenRc.has(rc)) return;
    seenRc.add(rc);
    const path = config.kind === 'route_configuration' ? '$' : paths.pathOf(rc, `$.route_configs[${i}]`);
    routeConfigs.push({ routeConfig: rc, path, hcm: undefined });
  });

  const clusters: ClusterSite[] = config.clusters.map((cluster, i) => ({
    cluster,
    path: isBootstrap ? `$.static_resources.clusters[${i}]` : paths.pathOf(cluster, `$.clusters[${i}]`),
  }));

  const admin = config.admin ?? config.bootstrap?.admin;
  const dyn = config.bootstrap?.dynamic_resources as { cds_config?: unknown } | undefined;
  const clustersKnown =
    config.kind === 'bootstrap' ? dyn?.cds_config === undefined : config.kind === 'config_dump' && config.clusters.length > 0;

  return {
    listeners,
    hcms,
    routeConfigs,
    clusters,
    admin: admin ? { admin, path: adminPath(config, paths) } : undefined,
    clustersKnown,
    clusterNames: new Set(config.clusters.map((c) => c.name)),
  };
}
