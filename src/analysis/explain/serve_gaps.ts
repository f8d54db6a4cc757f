/**
 * Requests that serve answers other than the route table alone says, because tsproxy does not
 * implement what the config asks for — so `match` says what serve does, not what a full Envoy
 * would do, and names the difference:
 * - an upgrade request (WebSocket and other `Upgrade`s, CONNECT): serve answers 403
 *   `upgrade_failed` before routing, as Envoy does when no `upgrade_configs` enables that
 *   upgrade; with upgrade_configs Envoy would tunnel it, serve still answers 403;
 * - a route whose cluster comes from a cluster specifier plugin: serve runs none; it refuses to
 *   start with a plugin that is not `is_optional`, and answers 503 NC for an optional one.
 * Pure.
 */
import type { HttpConnectionManager, RouteConfiguration } from '../../config/types.js';
import type { HcmLocalReply } from '../../core/hcm_request.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import { clusterSpecifierPluginLabel, clusterSpecifierPluginOf } from '../../core/cluster_specifier_plugin.js';
import type { OutcomeJson } from './report_types.js';

function header(req: RouteRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The upgrade a request asks for, as the HTTP/1 parser flags it (llhttp's `upgrade`): `CONNECT`
 * for the CONNECT method, else the `Upgrade` header's value when `Connection` lists `upgrade`.
 */
export function requestedUpgrade(req: RouteRequest): string | undefined {
  if (req.method === 'CONNECT') return 'CONNECT';
  const upgrade = header(req, 'upgrade');
  const connection = header(req, 'connection');
  if (upgrade === undefined || connection === undefined) return undefined;
  return connection.split(',').some((t) => t.trim().toLowerCase() === 'upgrade') ? upgrade.trim() : undefined;
}

const enabledFor = (configs: readonly { upgrade_type: string; enabled?: boolean }[] | undefined, type: string): boolean =>
  (configs ?? []).some((u) => u.upgrade_type.toLowerCase() === type.toLowerCase() && u.enabled !== false);

/** serve's local reply to an upgrade request (403 upgrade_failed), with what Envoy would do. */
export function upgradeReply(req: RouteRequest, hcm: HttpConnectionManager, rc: RouteConfiguration): HcmLocalReply | undefined {
  const type = requestedUpgrade(req);
  if (type === undefined) return undefined;
  const onHcm = enabledFor(hcm.upgrade_configs, type);
  const onRoute = (rc.virtual_hosts ?? []).some((vh) => (vh.routes ?? []).some((r) => enabledFor(r.route?.upgrade_configs as { upgrade_type: string; enabled?: boolean }[] | undefined, type)));
  const envoy = onHcm
    ? `upgrade_configs enables "${type}" on the HTTP connection manager, so Envoy would upgrade the connection; tsproxy serve does not implement upgrades`
    : onRoute
      ? `no upgrade_configs enables "${type}" on the HTTP connection manager (a route's upgrade_configs does: Envoy would upgrade on that route); tsproxy serve does not implement upgrades`
      : `no upgrade_configs enables "${type}" (Envoy answers the same)`;
  return {
    kind: 'local_reply',
    status: 403,
    details: 'upgrade_failed',
    stat: undefined,
    protocolError: false,
    location: undefined,
    summary: `an upgrade request (${type === 'CONNECT' ? 'CONNECT' : `Upgrade: ${type}`}): serve answers 403 upgrade_failed before routing; ${envoy}`,
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
