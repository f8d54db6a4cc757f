/**
 * `explain --flags UF,URX --route NAME`: for each response flag, what it means, the status and
 * details the client and the access log see, the config knobs of that route, its clusters and
 * its connection manager that decide it (with their values and positions, or Envoy's default),
 * and the stats that count it. Pure.
 */
import type { Cluster, HttpConnectionManager, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import { positionOf } from '../../config/position.js';
import { didYouMean } from '../../config/suggest.js';
import { findHttpConnectionManager } from '../../core/listener_match.js';
import type { RouteEntry } from '../../core/route_types.js';
import type { PositionJson } from '../explain/report_types.js';
import { RequestRouter } from '../replay/request_router.js';
import { FLAG_NAMES, flagInfo, together } from './catalog.js';
import type { FlagContext, KnobJson } from './knobs.js';

export interface FlagJson {
  flag: string;
  long: string;
  status: string;
  meaning: string;
  details: string[];
  knobs: KnobJson[];
  stats: string[];
}

export interface FlagsReport {
  schema: 'tsproxy.flags/v1';
  config: { file: string; kind: string };
  route: { route_configuration: string; virtual_host: string; name: string | null; index: number; position: PositionJson | null } | null;
  clusters: string[];
  connection_manager: string | null;
  flags: FlagJson[];
  /** What the flags say together (UF,URX...), or null. */
  together: string | null;
  notes: string[];
}

export type FlagsResult = { ok: true; report: FlagsReport } | { ok: false; error: string };

function pos(o: object | undefined): PositionJson | null {
  const p = positionOf(o);
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

/** `UF,URX` or `UF URX` or `UpstreamConnectionFailure` into known short names, or an error. */
export function parseFlags(text: string): string[] | string {
  const names = text.split(/[\s,]+/).filter((s) => s !== '' && s !== '-');
  if (names.length === 0) return 'no response flag given (e.g. --flags UF,URX)';
  const out: string[] = [];
  for (const n of names) {
    const f = flagInfo(n);
    if (f === undefined) return `unknown response flag "${n}"${didYouMean(n.toUpperCase(), FLAG_NAMES)}`;
    if (!out.includes(f.short)) out.push(f.short);
  }
  // Envoy prints flags in its enum order; keep that order.
  return out.sort((a, b) => FLAG_NAMES.indexOf(a) - FLAG_NAMES.indexOf(b));
}

interface Found {
  readonly route: RouteEntry;
  readonly rc: RouteConfiguration;
  readonly rcName: string;
}

/** Routes named `name` (`route`, `vhost/route` or `route_config/vhost/route`). */
function findRoutes(router: RequestRouter, name: string): Found[] {
  const out: Found[] = [];
  for (const t of router.tables) {
    for (const vh of t.table.virtualHosts) {
      for (const r of vh.routes) {
        const n = r.name ?? `#${r.index}`;
        if (name === n || name === `${vh.name}/${n}` || name === `${t.name}/${vh.name}/${n}`) out.push({ route: r, rc: t.rc, rcName: t.name });
      }
    }
  }
  return out;
}

/** The connection manager that uses a route configuration (inline or by rds name). */
function hcmFor(config: LoadedConfig, rc: RouteConfiguration): HttpConnectionManager | undefined {
  for (const l of config.listeners) {
    for (const chain of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      const hcm = findHttpConnectionManager(chain)?.hcm;
      if (hcm !== undefined && (hcm.route_config === rc || (hcm.rds !== undefined && hcm.rds.route_config_name === rc.name))) return hcm;
    }
  }
  return undefined;
}

/** Explains `flags` for a route (by name) and/or a cluster of `config`. */
export function explainFlags(config: LoadedConfig, flagText: string, by: { route?: string; cluster?: string }): FlagsResult {
  const flags = parseFlags(flagText);
  if (typeof flags === 'string') return { ok: false, error: flags };
  const notes: string[] = [];
  const router = new RequestRouter(config);
  let found: Found | undefined;
  if (by.route !== undefined) {
    const all = findRoutes(router, by.route);
    if (all.length === 0) {
      const names = router.tables.flatMap((t) => t.table.virtualHosts.flatMap((vh) => vh.routes.map((r) => r.name).filter((n): n is string => n !== undefined)));
      return { ok: false, error: `no route named "${by.route}" in ${config.file}${didYouMean(by.route, names)}` };
    }
    found = all[0];
    if (all.length > 1) notes.push(`${all.length} routes are named "${by.route}": explaining the one in ${all[0]!.rcName}/${all[0]!.route.virtualHost.name}; name it as route_config/virtual_host/route to pick another`);
  }
  const clusterNames: string[] = [];
  const missing: string[] = [];
  const action = found?.route.action;
  if (action !== undefined) {
    if (action.cluster !== undefined) clusterNames.push(action.cluster);
    for (const w of action.weighted_clusters?.clusters ?? []) if (w.name) clusterNames.push(w.name);
    if (action.cluster_header !== undefined) notes.push(`the route takes its cluster from the header ${action.cluster_header}: pass --cluster to see that cluster's knobs`);
  } else if (found !== undefined) {
    notes.push(`route ${found.route.name ?? `#${found.route.index}`} does not forward (${found.route.actionKind}): upstream flags cannot happen on it`);
  }
  if (by.cluster !== undefined && !clusterNames.includes(by.cluster)) clusterNames.push(by.cluster);
  const clusters: Cluster[] = [];
  const clustersKnown = config.kind !== 'route_configuration';
  for (const n of clusterNames) {
    const c = config.clusters.find((x) => x.name === n);
    if (c !== undefined) clusters.push(c);
    else if (clustersKnown) missing.push(n);
  }
  if (by.cluster !== undefined && clustersKnown && missing.includes(by.cluster)) {
    return { ok: false, error: `no cluster named "${by.cluster}" in ${config.file}${didYouMean(by.cluster, config.clusters.map((c) => c.name))}` };
  }
  if (!clustersKnown && clusterNames.length > 0) notes.push('a bare RouteConfiguration: its clusters are defined elsewhere, so cluster knobs are not shown');
  for (const m of missing) notes.push(`cluster "${m}" is not defined in this config: requests to it get 503 NC`);
  const hcm = found !== undefined ? hcmFor(config, found.rc) : undefined;
  const statPrefix = hcm?.stat_prefix ?? '<stat_prefix>';
  const routeLabel = found ? `route ${found.route.name ?? `#${found.route.index}`}` : 'route';
  const ctx: FlagContext = { route: found?.route, routeLabel, clusters, missingClusters: missing, hcm, statPrefix };
  const out: FlagJson[] = flags.map((short) => {
    const f = flagInfo(short)!;
    return { flag: f.short, long: f.long, status: f.status, meaning: f.meaning, details: [...f.details], knobs: f.knobs(ctx), stats: f.stats(ctx) };
  });
  return {
    ok: true,
    report: {
      schema: 'tsproxy.flags/v1',
      config: { file: config.file, kind: config.kind },
      route: found
        ? { route_configuration: found.rcName, virtual_host: found.route.virtualHost.name, name: found.route.name ?? null, index: found.route.index, position: pos(found.route.config) }
        : null,
      clusters: clusters.map((c) => c.name),
      connection_manager: hcm ? statPrefix : null,
      flags: out,
      together: together(flags) ?? null,
      notes,
    },
  };
}
