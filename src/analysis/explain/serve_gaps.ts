/**
 * Requests that serve answers other than the route table alone says, because tsproxy does not
 * implement what the config asks for — so `match` says what serve does, not what a full Envoy
 * would do, and names the difference:
 * - an upgrade request (WebSocket and other `Upgrade`s, CONNECT): serve answers 403
 *   `upgrade_failed` before routing when no `upgrade_configs` on the connection manager has its
 *   type, and after routing when the route disables it; otherwise it tunnels it, as Envoy;
 * - a route whose cluster comes from a cluster specifier plugin: serve runs none; it refuses to
 *   start with a plugin that is not `is_optional`, and answers 503 NC for an optional one.
 * Pure.
 */
import type { HttpConnectionManager, RouteConfiguration } from '../../config/types.js';
import type { HcmLocalReply } from '../../core/hcm_request.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import { clusterSpecifierPluginLabel, clusterSpecifierPluginOf } from '../../core/cluster_specifier_plugin.js';
import { requestedUpgrade, upgradeVerdict } from '../../core/upgrade.js';
import type { OutcomeJson } from './report_types.js';

/**
 * serve's answer to an upgrade request before any request handling: 403 upgrade_failed when the
 * connection manager has no upgrade_configs entry for its type (Envoy's answer too); undefined
 * for an ordinary request or one the connection manager may let through (upgradeAfterRoute
 * decides then, with the route). core/upgrade.ts decides, as in serve.
 */
export function upgradeReply(req: RouteRequest, hcm: HttpConnectionManager, rc: RouteConfiguration): HcmLocalReply | undefined {
  const type = requestedUpgrade(req.method, req.headers);
  if (type === undefined) return undefined;
  const v = upgradeVerdict(hcm.upgrade_configs, undefined, type);
  if (v.allowed || v.why !== 'no_hcm_config') return undefined;
  const onRoute = (rc.virtual_hosts ?? []).some((vh) => (vh.routes ?? []).some((r) => (r.route?.upgrade_configs ?? []).some((u) => u.upgrade_type.toLowerCase() === type.toLowerCase())));
  return {
    kind: 'local_reply',
    status: 403,
    details: 'upgrade_failed',
    stat: undefined,
    protocolError: false,
    location: undefined,
    summary: `an upgrade request (${type === 'CONNECT' ? 'CONNECT' : `Upgrade: ${type}`}): no upgrade_configs on the HTTP connection manager enables "${type}"${onRoute ? ' (a route\'s upgrade_configs alone does not: Envoy needs the connection manager\'s entry)' : ''}, so serve, like Envoy, answers 403 upgrade_failed before routing`,
  };
}

/**
 * An upgrade request the connection manager may let through, once routed: the route's
 * upgrade_configs can disable it (403 upgrade_failed), else serve tunnels it (the router
 * connects to the chosen host and relays the 101, or answers 200 to a CONNECT once connected).
 */
export function upgradeAfterRoute(req: RouteRequest, hcm: HttpConnectionManager | undefined, decision: RouteDecision): { outcome?: OutcomeJson; note: string } | undefined {
  if (hcm === undefined) return undefined;
  const type = requestedUpgrade(req.method, req.headers);
  if (type === undefined) return undefined;
  const routeConfigs = decision.kind === 'forward' ? decision.route.config.route?.upgrade_configs : undefined;
  const v = upgradeVerdict(hcm.upgrade_configs, routeConfigs, type);
  const what = type === 'CONNECT' ? 'CONNECT' : `Upgrade: ${type}`;
  if (!v.allowed) {
    return {
      outcome: { status: 403, response_flag: '-', details: 'upgrade_failed', stats: [], summary: `an upgrade request (${what}): ${v.why === 'disabled_on_route' ? 'the route\'s upgrade_configs disables it' : 'the connection manager\'s upgrade_configs entry is enabled: false'}, so serve, like Envoy, answers 403 upgrade_failed` },
      note: `the ${what} upgrade is refused (${v.why})`,
    };
  }
  if (decision.kind !== 'forward') return undefined;
  return {
    note: type === 'CONNECT'
      ? `CONNECT is let through by upgrade_configs: serve opens a TCP connection to the chosen host of "${decision.cluster}", answers 200 once it is connected, then tunnels bytes both ways`
      : `the "${type}" upgrade is let through by upgrade_configs (${v.by === 'route' ? 'the route enables it' : 'the connection manager enables it'}): serve sends the request to the chosen host of "${decision.cluster}" on a connection of its own and, on 101, tunnels bytes both ways`,
  };
}

/**
 * What serve does with a route whose cluster a cluster specifier plugin picks, or undefined when
 * the decision does not use one.
 */
export function clusterSpecifierPluginOutcome(decision: RouteDecision, rc: RouteConfiguration, statPrefix: string | undefined): { outcome: OutcomeJson; note: string } | undefined {
  if (decision.kind !== 'forward' || decision.resolution.specifier !== 'unsupported') return undefined;
  const action = decision.route.config.route;
  const p = action === undefined ? undefined : clusterSpecifierPluginOf(action, rc);
  if (p === undefined) return undefined;
  const what = clusterSpecifierPluginLabel(p);
  if (!p.defined) {
    return {
      outcome: { status: null, response_flag: '-', details: 'cluster_unknown_offline', stats: [], summary: `the route names ${what}, which cluster_specifier_plugins does not define: Envoy refuses this config and tsproxy serve refuses to start` },
      note: `${what} is not defined in the route configuration's cluster_specifier_plugins`,
    };
  }
  if (!p.optional) {
    return {
      outcome: {
        status: null, response_flag: '-', details: 'cluster_unknown_offline', stats: [],
        summary: `the route picks its cluster with ${what}, which tsproxy cannot run: Envoy would ask the plugin (the cluster is not known offline); tsproxy serve refuses to start with this config (the plugin is not is_optional)`,
      },
      note: `tsproxy serve refuses to start with ${what}: mark it is_optional to start anyway (requests routed to it then get 503 NC)`,
    };
  }
  const http = statPrefix === undefined ? 'http.<stat_prefix>.' : `http.${statPrefix}.`;
  return {
    outcome: {
      status: decision.route.clusterNotFoundResponseCode, response_flag: 'NC', details: 'cluster_not_found', stats: [`${http}no_cluster`],
      summary: `the route picks its cluster with ${what}, which tsproxy cannot run; it is is_optional, so serve starts and this request gets no cluster (Envoy would ask the plugin)`,
    },
    note: `${what} is is_optional: serve answers requests routed to it with ${decision.route.clusterNotFoundResponseCode} NC; Envoy would route them with the plugin`,
  };
}
