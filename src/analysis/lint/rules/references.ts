/**
 * Reference rules: names that must resolve (clusters, route configurations) and names that must
 * be unique (listeners, clusters, route configurations, virtual hosts, domains, addresses).
 */
import type { RequestMirrorPolicy } from '../../../config/types.js';
import { lineOf } from '../context.js';
import type { LintRule } from '../rule.js';
import { allRoutes, didYouMean, routeConfigLabel, routeLabel, vhostLabel, virtualHosts } from '../walk.js';

export const unknownCluster: LintRule = {
  id: 'route/unknown-cluster',
  severity: 'error',
  category: 'references',
  summary: 'A route, weighted cluster or mirror policy names a cluster the config does not define.',
  help:
    'Requests routed to an undefined cluster get 503 NC (cluster_not_found), and mirrored requests are dropped. ' +
    'Define the cluster under static_resources.clusters or fix the name. Only checked when the file carries its ' +
    'clusters (a Bootstrap without CDS, or a config dump with clusters).',
  example: 'route: { cluster: backend-typo }   # clusters: [{ name: backend }]',
  check(ctx) {
    const { model } = ctx;
    if (!model.clustersKnown) return;
    const names = model.clusterNames;
    const miss = (n: string | undefined) => n !== undefined && n !== '' && !names.has(n);
    const mirrors = (policies: RequestMirrorPolicy[] | undefined, path: () => string, where: () => string) => {
      (policies ?? []).forEach((m, i) => {
        if (!miss(m.cluster)) return;
        ctx.report(this, { node: m, field: 'cluster', path: `${path()}.request_mirror_policies[${i}].cluster` },
          `${where()} mirrors to cluster "${m.cluster}", which is not defined${didYouMean(m.cluster!, names)}; define it or fix the name`);
      });
    };
    for (const rc of model.routeConfigs) mirrors(rc.routeConfig.request_mirror_policies, () => rc.path, () => routeConfigLabel(rc.routeConfig));
    for (const vh of virtualHosts(model)) mirrors(vh.vhost.request_mirror_policies, () => vh.path, () => vhostLabel(vh));
    for (const r of allRoutes(model)) {
      const a = r.route.route;
      if (!a) continue;
      const where = () => `${routeLabel(r)} in ${vhostLabel(r.vhost)}`;
      if (miss(a.cluster)) {
        ctx.report(this, { node: a, field: 'cluster', path: `${r.path}.route.cluster` },
          `${where()} forwards to cluster "${a.cluster}", which is not defined${didYouMean(a.cluster!, names)}: ` +
            'requests get 503 NC (cluster_not_found); define the cluster or fix the name');
      }
      (a.weighted_clusters?.clusters ?? []).forEach((w, i) => {
        if (!miss(w.name)) return;
        ctx.report(this, { node: w, field: 'name', path: `${r.path}.route.weighted_clusters.clusters[${i}].name` },
          `${where()} sends weight ${w.weight ?? 0} to cluster "${w.name}", which is not defined${didYouMean(w.name!, names)}: ` +
            'that share of requests gets 503 NC; define the cluster or fix the name');
      });
      mirrors(a.request_mirror_policies, () => `${r.path}.route`, where);
    }
  },
};

export const unknownRouteConfig: LintRule = {
  id: 'listener/unknown-route-config',
  severity: 'error',
  category: 'references',
  summary: 'An HTTP connection manager asks RDS for a route configuration the config dump does not contain.',
  help:
    'In an admin /config_dump every route configuration a listener uses is dumped; a missing name means the ' +
    'listener has no routes and answers 404 NR. Fix rds.route_config_name or publish the route configuration. ' +
    'Not checked for a Bootstrap, whose RDS routes come from the management server.',
  example: 'rds: { route_config_name: local_route_typo }',
  check(ctx) {
    const { model } = ctx;
    if (ctx.config.kind !== 'config_dump') return;
    const names = new Set<string>();
    for (const rc of model.routeConfigs) if (rc.routeConfig.name) names.add(rc.routeConfig.name);
    for (const h of model.hcms) {
      const rds = h.hcm.rds;
      if (!rds || !rds.route_config_name || names.has(rds.route_config_name)) continue;
      ctx.report(this, { node: rds, field: 'route_config_name', path: `${h.path}.rds.route_config_name` },
        `RDS route configuration "${rds.route_config_name}" is not in this config dump${didYouMean(rds.route_config_name, names)}; ` +
          'fix route_config_name or publish that route configuration');
    }
  },
};

/** Reports every occurrence after the first of a key, pointing at the first one. */
function duplicates<T>(
  items: readonly T[],
  keyOf: (t: T) => string | undefined,
  report: (t: T, first: T, key: string) => void,
): void {
  const seen = new Map<string, T>();
  for (const it of items) {
    const k = keyOf(it);
    if (k === undefined || k === '') continue;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, it);
    else report(it, first, k);
  }
}

/** ` (first defined at line N)` when the first occurrence has a position. */
function lineNote(node: object): string {
  const line = lineOf(node);
  return line === undefined ? '' : ` (first defined at line ${line})`;
}

export const duplicateListenerName: LintRule = {
  id: 'listener/duplicate-name',
  severity: 'error',
  category: 'references',
  summary: 'Two listeners share a name.',
  help: 'Envoy refuses a config whose static listeners share a name. Rename one of them.',
  example: 'listeners: [{ name: web, ... }, { name: web, ... }]',
  check(ctx) {
    duplicates(ctx.model.listeners, (l) => l.listener.name, (l, first, k) =>
      ctx.report(this, { node: l.listener, field: 'name', path: `${l.path}.name` },
        `listener name "${k}" is already used${lineNote(first.listener)}; listener names must be unique`));
  },
};

export const duplicateClusterName: LintRule = {
  id: 'cluster/duplicate-name',
  severity: 'error',
  category: 'references',
  summary: 'Two clusters share a name.',
  help: 'Envoy refuses a config whose clusters share a name, and routes could not tell them apart. Rename one.',
  example: 'clusters: [{ name: backend, ... }, { name: backend, ... }]',
  check(ctx) {
    duplicates(ctx.model.clusters, (c) => c.cluster.name, (c, first, k) =>
      ctx.report(this, { node: c.cluster, field: 'name', path: `${c.path}.name` },
        `cluster name "${k}" is already used${lineNote(first.cluster)}; cluster names must be unique`));
  },
};

export const duplicateRouteConfigName: LintRule = {
  id: 'route-config/duplicate-name',
  severity: 'error',
  category: 'references',
  summary: 'Two top-level route configurations share a name.',
  help: 'RDS looks route configurations up by name; with two of one name, listeners get whichever came last. Rename one.',
  example: 'static_route_configs: [{ route_config: { name: local } }, { route_config: { name: local } }]',
  check(ctx) {
    const top = ctx.model.routeConfigs.filter((r) => r.hcm === undefined);
    duplicates(top, (r) => r.routeConfig.name, (r, first, k) =>
      ctx.report(this, { node: r.routeConfig, field: 'name', path: `${r.path}.name` },
        `route configuration name "${k}" is already used${lineNote(first.routeConfig)}; rename one of them`));
  },
};

export const duplicateVirtualHostName: LintRule = {
  id: 'vhost/duplicate-name',
  severity: 'error',
  category: 'references',
  summary: 'Two virtual hosts of one route configuration share a name.',
  help: 'Envoy rejects a route configuration with duplicate virtual host names (stats and router_check use them). Rename one.',
  example: 'virtual_hosts: [{ name: api, domains: [a] }, { name: api, domains: [b] }]',
  check(ctx) {
    for (const rc of ctx.model.routeConfigs) {
      const vhs = (rc.routeConfig.virtual_hosts ?? []).map((vhost, i) => ({ vhost, path: `${rc.path}.virtual_hosts[${i}]` }));
      duplicates(vhs, (v) => v.vhost.name, (v, first, k) =>
        ctx.report(this, { node: v.vhost, field: 'name', path: `${v.path}.name` },
          `virtual host name "${k}" is already used in ${routeConfigLabel(rc.routeConfig)}${lineNote(first.vhost)}; rename one of them`));
    }
  },
};

export const duplicateDomain: LintRule = {
  id: 'vhost/duplicate-domain',
  severity: 'error',
  category: 'references',
  summary: 'A domain appears in two virtual hosts (case-insensitively) of one route configuration.',
  help:
    'Envoy rejects a route configuration in which a domain is listed twice, comparing case-insensitively ' +
    '("Only unique values for domains are permitted"). Keep each domain in one virtual host.',
  example: 'virtual_hosts: [{ name: a, domains: [Example.com] }, { name: b, domains: [example.com] }]',
  check(ctx) {
    for (const rc of ctx.model.routeConfigs) {
      const seen = new Map<string, string>();
      (rc.routeConfig.virtual_hosts ?? []).forEach((vh, i) => {
        (vh.domains ?? []).forEach((d, j) => {
          if (typeof d !== 'string') return;
          const k = d.toLowerCase();
          const owner = seen.get(k);
          if (owner === undefined) {
            seen.set(k, vh.name);
            return;
          }
          const where = owner === vh.name ? 'this virtual host' : `virtual host "${owner}"`;
          ctx.report(this, { node: vh.domains, field: String(j), path: `${rc.path}.virtual_hosts[${i}].domains[${j}]` },
            `domain "${d}" is already listed in ${where} (domains compare case-insensitively); Envoy rejects the route configuration — keep it in one virtual host`);
        });
      });
    }
  },
};

export const duplicateListenerAddress: LintRule = {
  id: 'listener/duplicate-address',
  severity: 'error',
  category: 'references',
  summary: 'Two listeners bind the same address and port.',
  help: 'The second listener cannot bind (address already in use) and Envoy refuses the config. Merge the listeners or change a port.',
  example: 'listeners: [{ address: { socket_address: { address: 0.0.0.0, port_value: 80 } } }, { ...same... }]',
  check(ctx) {
    // A listener with bind_to_port: false (Istio's per-port listeners behind a use_original_dst
    // virtual listener) never binds its address, so it cannot conflict.
    const binding = ctx.model.listeners.filter((l) => (l.listener as { bind_to_port?: boolean }).bind_to_port !== false);
    duplicates(binding, (l) => {
      const s = l.listener.address?.socket_address;
      if (s) return `${s.protocol ?? 'TCP'} ${s.address}:${s.port_value ?? s.named_port ?? ''}`;
      const p = l.listener.address?.pipe;
      return p ? `pipe ${p.path}` : undefined;
    }, (l, first, k) => {
      const s = l.listener.address?.socket_address;
      const target = s ? { node: s, path: `${l.path}.address.socket_address` } : { node: l.listener, field: 'address', path: `${l.path}.address` };
      const firstName = first.listener.name ? `listener "${first.listener.name}"` : 'another listener';
      ctx.report(this, target, `${firstName}${lineNote(first.listener)} already binds ${k.replace(/^TCP /, '')}; give each listener its own address or port`);
    });
  },
};

export const referenceRules: readonly LintRule[] = [
  unknownCluster,
  unknownRouteConfig,
  duplicateListenerName,
  duplicateClusterName,
  duplicateRouteConfigName,
  duplicateVirtualHostName,
  duplicateDomain,
  duplicateListenerAddress,
];
