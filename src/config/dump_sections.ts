/**
 * The sections of an admin `/config_dump` and the resources of xDS collections (a
 * DiscoveryResponse, a list of resources, `?resource=` entries): each decoded `Any` is routed into
 * the LoadedConfig by its `@type`. Pure.
 */
import type { Decoder } from './decode.js';
import type { Any, Bootstrap, Cluster, ClusterLoadAssignment, LoadedConfig } from './types.js';
import { typeNameOf } from './schema/registry.js';
import { positionOf } from './position.js';

/** What the sections seen so far said (the bootstrap repeats what the other sections list). */
export interface SectionState {
  sawListeners: boolean;
  sawClusters: boolean;
  assignments: ClusterLoadAssignment[];
}

const LISTENER = 'envoy.config.listener.v3.Listener';
const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const ASSIGNMENT = 'envoy.config.endpoint.v3.ClusterLoadAssignment';

/** Adds one decoded dump section or xDS resource to `cfg`. Unknown types are left alone (the decoder named them). */
export function addSection(cfg: LoadedConfig, c: Any, dec: Decoder, st: SectionState): void {
  switch (typeNameOf(c['@type'])) {
    case 'envoy.admin.v3.BootstrapConfigDump': {
      const b = c['bootstrap'] as Bootstrap | undefined;
      if (b) cfg.bootstrap = b;
      break;
    }
    case 'envoy.config.bootstrap.v3.Bootstrap':
      cfg.bootstrap = c as unknown as Bootstrap;
      break;
    case 'envoy.admin.v3.ListenersConfigDump': {
      st.sawListeners = true;
      const d = c as { static_listeners?: { listener?: Any }[]; dynamic_listeners?: { active_state?: { listener?: Any } }[] };
      for (const s of d.static_listeners ?? []) pushResource(cfg.listeners, s.listener, LISTENER, dec);
      for (const s of d.dynamic_listeners ?? []) pushResource(cfg.listeners, s.active_state?.listener, LISTENER, dec);
      break;
    }
    case 'envoy.admin.v3.ClustersConfigDump': {
      st.sawClusters = true;
      const d = c as { static_clusters?: { cluster?: Any }[]; dynamic_active_clusters?: { cluster?: Any }[] };
      for (const s of d.static_clusters ?? []) pushResource(cfg.clusters, s.cluster, CLUSTER, dec);
      for (const s of d.dynamic_active_clusters ?? []) pushResource(cfg.clusters, s.cluster, CLUSTER, dec);
      break;
    }
    case LISTENER:
      st.sawListeners = true;
      pushResource(cfg.listeners, c, LISTENER, dec);
      break;
    case CLUSTER:
      st.sawClusters = true;
      pushResource(cfg.clusters, c, CLUSTER, dec);
      break;
    case ROUTE_CONFIGURATION:
      pushResource(cfg.routeConfigurations, c, ROUTE_CONFIGURATION, dec);
      break;
    case ASSIGNMENT:
      pushResource(st.assignments, c, ASSIGNMENT, dec);
      break;
    // A delta-xDS / egctl wrapper around one resource.
    case 'envoy.service.discovery.v3.Resource': {
      const inner = c['resource'] as Any | undefined;
      if (inner) addSection(cfg, inner, dec, st);
      break;
    }
    // `/config_dump?resource=<section>`: the entries of one section, each its own config.
    case 'envoy.admin.v3.ListenersConfigDump.StaticListener':
      st.sawListeners = true;
      pushResource(cfg.listeners, c['listener'] as Any | undefined, LISTENER, dec);
      break;
    case 'envoy.admin.v3.ListenersConfigDump.DynamicListener':
      st.sawListeners = true;
      pushResource(cfg.listeners, (c['active_state'] as { listener?: Any } | undefined)?.listener, LISTENER, dec);
      break;
    case 'envoy.admin.v3.ClustersConfigDump.StaticCluster':
    case 'envoy.admin.v3.ClustersConfigDump.DynamicCluster':
      st.sawClusters = true;
      pushResource(cfg.clusters, c['cluster'] as Any | undefined, CLUSTER, dec);
      break;
    case 'envoy.admin.v3.RoutesConfigDump.StaticRouteConfig':
    case 'envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig':
      pushResource(cfg.routeConfigurations, c['route_config'] as Any | undefined, ROUTE_CONFIGURATION, dec);
      break;
    case 'envoy.admin.v3.EndpointsConfigDump': {
      const d = c as { static_endpoint_configs?: { endpoint_config?: Any }[]; dynamic_endpoint_configs?: { endpoint_config?: Any }[] };
      for (const s of d.static_endpoint_configs ?? []) pushResource(st.assignments, s.endpoint_config, ASSIGNMENT, dec);
      for (const s of d.dynamic_endpoint_configs ?? []) pushResource(st.assignments, s.endpoint_config, ASSIGNMENT, dec);
      break;
    }
    case 'envoy.admin.v3.EndpointsConfigDump.StaticEndpointConfig':
    case 'envoy.admin.v3.EndpointsConfigDump.DynamicEndpointConfig':
      pushResource(st.assignments, c['endpoint_config'] as Any | undefined, ASSIGNMENT, dec);
      break;
    case 'envoy.admin.v3.RoutesConfigDump': {
      const d = c as { static_route_configs?: { route_config?: Any }[]; dynamic_route_configs?: { route_config?: Any }[] };
      for (const s of d.static_route_configs ?? []) pushResource(cfg.routeConfigurations, s.route_config, ROUTE_CONFIGURATION, dec);
      for (const s of d.dynamic_route_configs ?? []) pushResource(cfg.routeConfigurations, s.route_config, ROUTE_CONFIGURATION, dec);
      break;
    }
    case 'envoy.admin.v3.ScopedRoutesConfigDump': {
      // Istio's dumps always carry this section, empty; only scoped routes themselves change answers.
      const scoped = [...((c['inline_scoped_route_configs'] as unknown[] | undefined) ?? []), ...((c['dynamic_scoped_route_configs'] as unknown[] | undefined) ?? [])];
      if (scoped.length > 0) {
        const pos = positionOf(c);
        dec.diagnostics.push({
          file: pos?.file ?? cfg.file, line: pos?.line ?? 1, col: pos?.col ?? 1, endLine: pos?.endLine, endCol: pos?.endCol,
          severity: 'warning', rule: 'schema/unsupported', message: 'scoped routes (ScopedRoutesConfigDump) are not implemented by tsproxy: requests routed by them cannot be answered offline', path: '$',
        });
      }
      break;
    }
  }
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

/**
 * EDS endpoints that a config or a dump taken with `?include_eds` lists apart (the
 * EndpointsConfigDump section, ClusterLoadAssignment resources): each EDS cluster without a
 * `load_assignment` gets the assignment named by its `eds_cluster_config.service_name` (or its
 * own name), as Envoy's EDS would deliver it. Marked so explain can say where they came from.
 */
export function attachEndpoints(clusters: Cluster[], assignments: ClusterLoadAssignment[]): void {
  if (assignments.length === 0) return;
  const byName = new Map(assignments.map((a) => [a.cluster_name, a]));
  for (const c of clusters) {
    if (c.type !== 'EDS' || c.load_assignment) continue;
    const serviceName = (c.eds_cluster_config as { service_name?: string } | undefined)?.service_name;
    const a = byName.get(serviceName || c.name);
    if (a) {
      c.load_assignment = a;
      edsAttached.add(c);
    }
  }
}

const edsAttached = new WeakSet<Cluster>();

/** Whether `cluster`'s endpoints are the EDS endpoints of the file (not written in the cluster itself). */
export function hasEdsEndpoints(cluster: Cluster): boolean {
  return edsAttached.has(cluster);
}
