/**
 * The connection manager's admission of an upgrade (WebSocket...) or CONNECT request, for every
 * codec: HTTP/1 (conn_manager.ts, a head llhttp flags as an upgrade) and HTTP/2 (an extended
 * CONNECT the codec turned into an HTTP/1-style upgrade, or a plain CONNECT). Let through when
 * the HCM's upgrade_configs has the type and the route does not disable it (core/upgrade.ts, as
 * match decides), then the router tunnels it (router_upgrade.ts); else 403 upgrade_failed, as
 * Envoy answers an upgrade it has no filter chain for. Without any upgrade config the 403 comes
 * before anything else.
 */
import type { ActiveStream, DownstreamConnectionInfo } from './active_stream.js';
import { decodeRequestHeadersOf } from './header_sanitizer.js';
import { Details } from './local_reply.js';
import { requestedUpgrade, upgradeVerdict } from '../../core/upgrade.js';

/** Admits (or refuses) the upgrade request whose headers `stream` holds; see the module comment. */
export function upgradeRequest(stream: ActiveStream, conn: DownstreamConnectionInfo): void {
  const config = stream.config;
  const h = stream.requestHeaders;
  const type = requestedUpgrade(h.method, h.headers) ?? 'CONNECT';
  const refuse = (): void => {
    if (!stream.isComplete) {
      stream.start(true, false);
      stream.sendLocalReply(403, '', Details.UpgradeFailed);
    }
  };
  const first = upgradeVerdict(config.upgradeConfigs, undefined, type);
  if (!first.allowed && first.why === 'no_hcm_config') {
    refuse();
    return;
  }
  if (!decodeRequestHeadersOf(stream, conn)) return;
  const r = stream.route();
  const routeConfigs = r.kind === 'forward' ? r.route.config.route?.upgrade_configs : undefined;
  if (!upgradeVerdict(config.upgradeConfigs, routeConfigs, type).allowed) {
    refuse();
    return;
  }
  stream.upgradeType = type;
  try {
    stream.start(true);
  } catch (err) {
    stream.onInternalError(err as Error);
  }
}
