/**
 * `match` / `explain --original-dst IP:PORT`: replays the original destination hand-off with the
 * core's table (core/original_dst_handoff.ts, the one `serve` uses on every redirected
 * connection). The accepting listener is `--listener` / `--port` when given, else the listener
 * iptables redirects to: the first with `use_original_dst` (else the first with the original_dst
 * listener filter). The serving listener then matches its filter chains against the original
 * destination, which is also the connection's local port the connection manager sees. Pure.
 */
import type { Listener, LoadedConfig } from '../../config/types.js';
import type { RouteRequest } from '../../core/route_types.js';
import { listenerAddress, selectListener, type ConnectionInfo, type ListenerSelection } from '../../core/listener_match.js';
import { compileOriginalDstHandoff, originalDstMode, type OriginalDstMode } from '../../core/original_dst_handoff.js';
import { formatIp, formatIpPort, parseIpPort, type IpPort } from '../../core/ip_port.js';
import type { OriginalDstJson } from './report_types.js';

/** The replayed hand-off: the listener that serves the connection and the report's account of it. */
export interface OriginalDstReplay {
  readonly selection: ListenerSelection;
  readonly json: OriginalDstJson;
  /** The connection's local address after the original_dst listener filter (undefined: not restored). */
  readonly restored: IpPort | undefined;
}

/** The listener a redirected connection arrives at, when the user did not name one. */
function acceptingListener(listeners: readonly Listener[], dst: IpPort): ListenerSelection {
  for (const mode of ['hand_off', 'restore'] as const) {
    const all = listeners.map((l, i) => ({ l, i })).filter(({ l }) => originalDstMode(l) === mode);
    if (all.length === 0) continue;
    const what = mode === 'hand_off' ? 'use_original_dst' : 'the original_dst listener filter';
    const reason = all.length === 1 ? `the listener with ${what} (iptables redirects to it)` : `first of ${all.length} listeners with ${what} (choose with --listener or --port)`;
    return { listener: all[0]!.l, index: all[0]!.i, reason };
  }
  // Nobody reads the original destination: the client reached the listener on that port directly.
  return selectListener(listeners, { port: dst.port });
}

/**
 * The hand-off of a connection whose original destination is `dst`, accepted by the listener
 * `by` names (or the one iptables redirects to). An error when that listener does not exist.
 */
export function replayOriginalDst(
  listeners: readonly Listener[],
  dst: IpPort,
  by: { readonly name?: string; readonly port?: number },
): OriginalDstReplay | { readonly error: string } {
  const accepting = by.name !== undefined || by.port !== undefined ? selectListener(listeners, by) : acceptingListener(listeners, dst);
  if (!accepting.listener) return { error: accepting.reason };
  const address = formatIpPort(dst);
  const mode: OriginalDstMode = originalDstMode(accepting.listener);
  const acceptingJson = { name: accepting.listener.name ?? null, index: accepting.index, address: listenerAddress(accepting.listener), reason: accepting.reason };
  if (mode === 'none') {
    const reason = `listener ${label(accepting)} reads no original destination (no use_original_dst, no original_dst listener filter): it keeps the connection and its own local address`;
    return {
      selection: accepting,
      restored: undefined,
      json: { address, accepting_listener: acceptingJson, mode, match: 'not_read', lookups: [], reason },
    };
  }
  const h = compileOriginalDstHandoff(listeners).select(accepting.index, dst);
  const serving = listeners[h.index]!;
  return {
    selection: { listener: serving, index: h.index, reason: `original destination ${address}: ${h.reason}` },
    restored: dst,
    json: {
      address,
      accepting_listener: acceptingJson,
      mode,
      match: h.match,
      lookups: h.lookups.map((x) => ({ address: x.address, listener_index: x.index })),
      reason: h.reason,
    },
  };
}

/** The connection facts with the local address restored to the original destination. */
export function withRestoredDestination(conn: ConnectionInfo, restored: IpPort | undefined): ConnectionInfo {
  if (restored === undefined) return conn;
  return { ...conn, destinationIp: formatIp(restored.ip), destinationPort: restored.port };
}

/**
 * Where an ORIGINAL_DST cluster would connect for this request (serve's original_dst_cluster.ts):
 * the override header when `use_http_header` and it parses, else the restored original
 * destination, else nowhere (503 UH). undefined when `cluster` is not an ORIGINAL_DST cluster.
 */
export function originalDstClusterNote(config: LoadedConfig, cluster: string, restored: IpPort | undefined, headers: RouteRequest['headers']): string | undefined {
  const c = config.clusters.find((x) => x.name === cluster);
  if (c?.type !== 'ORIGINAL_DST') return undefined;
  const lb = c.original_dst_lb_config;
  const name = lb?.use_http_header === true ? (lb.http_header_name || 'x-envoy-original-dst-host').toLowerCase() : undefined;
  const raw = name === undefined ? undefined : headers[name];
  const first = raw === undefined ? undefined : (typeof raw === 'string' ? raw : (raw[0] ?? '')).split(',')[0]!.trim();
  const fromHeader = first === undefined ? undefined : parseIpPort(first);
  const port = (a: IpPort): IpPort => (lb?.upstream_port_override === undefined ? a : { ip: a.ip, port: lb.upstream_port_override });
  const who = `ORIGINAL_DST cluster "${cluster}"`;
  if (fromHeader !== undefined) return `${who} connects to ${formatIpPort(port(fromHeader))} (the ${name} header)`;
  const invalid = first !== undefined ? `; ${name} "${first}" is not an ip:port (original_dst_host_invalid)` : '';
  if (restored !== undefined) return `${who} connects to the original destination ${formatIpPort(port(restored))}${invalid}`;
  return `${who} has no address for this request (no original destination${name ? ` and no valid ${name} header` : ''}): serve answers 503 no_healthy_upstream (UH)${invalid}`;
}

function label(s: ListenerSelection): string {
  return s.listener?.name ? `"${s.listener.name}"` : `#${s.index}`;
}
