/**
 * The connection manager's decision on an upgrade (WebSocket...) or CONNECT request, for any
 * codec (HTTP/1: a head with Upgrade or CONNECT; HTTP/2: a plain CONNECT, or an extended CONNECT
 * the codec turned into an HTTP/1-style upgrade): let through when the HCM's upgrade_configs has the type and the route does not disable
 * it (core/upgrade.ts upgradeVerdict, the function match/explain use), then the router tunnels it
 * (filters/router_upgrade.ts); else 403 `upgrade_failed`, as Envoy answers an upgrade it has no
 * filter chain for. Without any upgrade config the 403 comes before anything else (no request
 * handling, no route lookup).
 */
import { upgradeVerdict } from '../../core/upgrade.js';
import type { RouteDecision } from '../../core/route_types.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import { decodeRequestHeadersOf, type RequestHandlingStream } from './header_sanitizer.js';
import { Details } from './local_reply.js';

/** What the upgrade decision needs of a stream (ActiveStream). */
export interface UpgradingStream extends RequestHandlingStream {
  readonly conn: DownstreamConnectionInfo;
  readonly isComplete: boolean;
  upgradeType: string | undefined;
  route(): RouteDecision;
  onInternalError(err: Error): void;
}

/** `type`: the upgrade the request asks for (core/upgrade.ts requestedUpgrade), `CONNECT` for CONNECT. */
export function admitUpgrade(stream: UpgradingStream, type: string): void {
  const configs = stream.config.upgradeConfigs;
  const first = upgradeVerdict(configs, undefined, type);
  if (!first.allowed && first.why === 'no_hcm_config') {
    refuseUpgrade(stream);
    return;
  }
  if (!decodeRequestHeadersOf(stream, stream.conn)) return;
  const r = stream.route();
  const routeConfigs = r.kind === 'forward' ? r.route.config.route?.upgrade_configs : undefined;
  if (!upgradeVerdict(configs, routeConfigs, type).allowed) {
    refuseUpgrade(stream);
    return;
  }
  stream.upgradeType = type;
  try {
    stream.start(true);
  } catch (err) {
    stream.onInternalError(err as Error);
  }
}

function refuseUpgrade(stream: UpgradingStream): void {
  if (stream.isComplete) return;
  stream.start(true, false);
  stream.sendLocalReply(403, '', Details.UpgradeFailed);
}
