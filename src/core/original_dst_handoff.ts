/**
 * Which listener serves a connection whose original destination (before iptables REDIRECT) is
 * known: Envoy's ActiveTcpSocket::newConnection + ConnectionHandlerImpl::getBalancedHandlerByAddress.
 * `serve` calls it for every redirected connection; `match` / `explain --original-dst` call it to
 * say which listener was chosen and why. Pure: listeners in, a decision out.
 *
 * Envoy's rules:
 * - A listener with `use_original_dst: true` reads the original destination (it gets the
 *   `envoy.filters.listener.original_dst` listener filter implicitly) and hands the connection off;
 *   a listener that only lists that listener filter restores the local address but keeps the
 *   connection. Either way the connection's local address becomes the original destination
 *   (filter-chain matching, `%DOWNSTREAM_LOCAL_ADDRESS%`, ORIGINAL_DST clusters).
 * - Hand-off target: the listener whose address is exactly `ip:port`; else the one on
 *   `0.0.0.0:port` (IPv4) or `[::]:port` (IPv6); else the accepting listener keeps it. Listeners
 *   with `bind_to_port: false` take part (that is what they are for).
 * - An IPv6 listener with `ipv4_compat: true` also answers for IPv4: `[::]:port` stands in for
 *   `0.0.0.0:port` unless a `0.0.0.0:port` listener exists, `[::ffff:a.b.c.d]:port` for
 *   `a.b.c.d:port`. Two listeners on one address (Envoy refuses such a config): the later one.
 * - The receiving listener does not hand off again.
 */
import type { Listener } from '../config/types.js';
import type { IpAddress } from './internal_address.js';
import { parseIpAddress } from './internal_address.js';
import { formatIpPort, isAnyAddress, type IpPort } from './ip_port.js';

/** Legacy and current names of the original destination listener filter. */
const FILTER_NAMES: ReadonlySet<string> = new Set(['envoy.filters.listener.original_dst', 'envoy.listener.original_dst']);
const FILTER_TYPE = 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst';

/**
 * What a listener does with the original destination: `hand_off` (`use_original_dst: true`),
 * `restore` (only the original_dst listener filter: the local address becomes the original
 * destination, no hand-off), `none` (not read).
 */
export type OriginalDstMode = 'hand_off' | 'restore' | 'none';

export function originalDstMode(listener: Listener): OriginalDstMode {
  if (listener.use_original_dst === true) return 'hand_off';
  return (listener.listener_filters ?? []).some(isOriginalDstListenerFilter) ? 'restore' : 'none';
}

/** True for the `envoy.filters.listener.original_dst` listener filter (by `@type`, else by name). */
export function isOriginalDstListenerFilter(f: NonNullable<Listener['listener_filters']>[number]): boolean {
  const t = f.typed_config?.['@type'];
  return typeof t === 'string' ? t.endsWith(`/${FILTER_TYPE}`) || t === FILTER_TYPE : FILTER_NAMES.has(f.name);
}

/** How the serving listener was found. */
export type HandoffMatch =
  /** A listener is bound to exactly the original ip:port. */
  | 'exact'
  /** A listener on 0.0.0.0:port / [::]:port. */
  | 'wildcard'
  /** No listener for it: the accepting listener keeps the connection. */
  | 'accepting'
  /** The accepting listener does not hand off (no use_original_dst). */
  | 'no_hand_off';

/** One address the hand-off looked up, in order. */
export interface HandoffLookup {
  /** `10.0.0.1:80`, `0.0.0.0:80`, `[::]:80`. */
  readonly address: string;
  /** Index of the listener registered there, or -1. */
  readonly index: number;
}

/** Where a connection with a known original destination goes. */
export interface OriginalDstHandoff {
  /** Index (in the config's listeners) of the listener that serves the connection. */
  readonly index: number;
  readonly match: HandoffMatch;
  readonly lookups: readonly HandoffLookup[];
  /** In words, naming the listeners. */
  readonly reason: string;
}

/** The listeners indexed by address, built once per config (Envoy's tcp_listener_map_by_address_). */
export interface OriginalDstHandoffTable {
  /**
   * The listener that serves a connection accepted by listener `accepting` (an index) whose
   * original destination is `dst`. Never fails: at worst the accepting listener keeps it.
   */
  select(accepting: number, dst: IpPort): OriginalDstHandoff;
}

function keyOf(ip: IpAddress, port: number): string {
  return `${ip.v6 ? 6 : 4}/${ip.bytes.join('.')}/${port}`;
}

const V4_ANY: IpAddress = { v6: false, bytes: [0, 0, 0, 0] };
const V6_ANY: IpAddress = { v6: true, bytes: new Array<number>(16).fill(0) };

function isV4Mapped(ip: IpAddress): boolean {
  const b = ip.bytes;
  return ip.v6 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

function label(listeners: readonly Listener[], i: number): string {
  const l = listeners[i];
  return l?.name ? `"${l.name}"` : `#${i}`;
}

/** Builds the address index of `listeners` (socket_address listeners with an IP and a port_value). */
export function compileOriginalDstHandoff(listeners: readonly Listener[]): OriginalDstHandoffTable {
  const byAddress = new Map<string, number>();
  /** Keys held by an ipv4_compat `[::]` listener standing in for `0.0.0.0`. */
  const compatAny = new Set<string>();
  listeners.forEach((l, i) => {
    const sa = l.address?.socket_address;
    const port = sa?.port_value;
    const ip = sa === undefined ? undefined : parseIpAddress(sa.address);
    if (ip === undefined || port === undefined) return;
    const key = keyOf(ip, port);
    byAddress.set(key, i);
    compatAny.delete(key);
    if (!ip.v6 || sa?.ipv4_compat !== true) return;
    if (isAnyAddress(ip)) {
      const v4 = keyOf(V4_ANY, port);
      // An explicit 0.0.0.0:port listener keeps its address.
      if (!byAddress.has(v4) || compatAny.has(v4)) {
        byAddress.set(v4, i);
        compatAny.add(v4);
      }
    } else if (isV4Mapped(ip)) {
      byAddress.set(keyOf({ v6: false, bytes: ip.bytes.slice(12) }, port), i);
    }
  });

  return {
    select(accepting: number, dst: IpPort): OriginalDstHandoff {
      const acceptingName = label(listeners, accepting);
      const target = formatIpPort(dst);
      if (listeners[accepting]?.use_original_dst !== true) {
        return {
          index: accepting,
          match: 'no_hand_off',
          lookups: [],
          reason: `listener ${acceptingName} does not set use_original_dst: it keeps the connection (its local address becomes ${target})`,
        };
      }
      const exact = byAddress.get(keyOf(dst.ip, dst.port)) ?? -1;
      const lookups: HandoffLookup[] = [{ address: target, index: exact }];
      if (exact >= 0) {
        return { index: exact, match: 'exact', lookups, reason: `listener ${label(listeners, exact)} is bound to exactly ${target}${unbound(listeners[exact])}` };
      }
      const anyAddr = formatIpPort({ ip: dst.ip.v6 ? V6_ANY : V4_ANY, port: dst.port });
      const wildcard = byAddress.get(keyOf(dst.ip.v6 ? V6_ANY : V4_ANY, dst.port)) ?? -1;
      lookups.push({ address: anyAddr, index: wildcard });
      if (wildcard >= 0) {
        return {
          index: wildcard,
          match: 'wildcard',
          lookups,
          reason: `no listener is bound to ${target}; listener ${label(listeners, wildcard)} on ${anyAddr} takes it${unbound(listeners[wildcard])}`,
        };
      }
      return {
        index: accepting,
        match: 'accepting',
        lookups,
        reason: `no listener on ${target} or ${anyAddr}: the accepting listener ${acceptingName} keeps the connection`,
      };
    },
  };
}

function unbound(l: Listener | undefined): string {
  return l?.bind_to_port === false ? ' (bind_to_port: false: it receives only handed-off connections)' : '';
}
