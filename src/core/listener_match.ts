/**
 * Listener and filter-chain selection, as Envoy's listener manager and FilterChainManagerImpl do
 * it: pick a listener (by name or by port), then the filter chain whose `filter_chain_match` fits
 * the connection, then the HTTP connection manager of that chain and its route configuration.
 *
 * Pure: no node:*, no clock. The connection's properties come in as a {@link ConnectionInfo};
 * `match`/`explain` build one from their flags, `serve` from the accepted socket.
 *
 * Filter-chain matching follows `envoy.config.listener.v3.FilterChainMatch`: the criteria are
 * applied in a fixed order (destination port, destination IP, server name, transport protocol,
 * application protocols, direct source IP, source type, source IP, source port). At each level
 * the chains whose criterion matches MOST specifically survive; chains that leave the criterion
 * unset survive only when no chain matched it specifically. There is no backtracking: when a level
 * leaves no chain, the connection uses `default_filter_chain` (or is closed, stat
 * `listener.<address>.no_filter_chain_match`).
 */
import type {
  FilterChain,
  FilterChainMatch,
  HttpConnectionManager,
  Listener,
  NetworkFilter,
  RouteConfiguration,
} from '../config/types.js';
import { isLoopback, parseIp, prefixMatches, sameIp } from './cidr.js';
import { evaluateFilterChainMatcher, type MatcherStep } from './filter_chain_matcher.js';

export { parseIp } from './cidr.js';

/** Type URL of the HTTP connection manager network filter. */
export const HCM_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
/** Names that select the HCM when a filter has no typed_config (legacy configs). */
const HCM_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);

export type { ConnectionInfo } from './connection_info.js';
import type { ConnectionInfo } from './connection_info.js';

/** How the listener was chosen. */
export interface ListenerSelection {
  readonly listener: Listener | undefined;
  /** Index in the config's listeners; -1 when none was chosen. */
  readonly index: number;
  /** In words: `named "ingress"`, `port 10000`, `the only listener`, ... or why none was. */
  readonly reason: string;
  /** Several listeners could take the request: `listener` is the first, the reason names them all. */
  readonly ambiguous?: boolean;
}

/** Filter-chain criteria in Envoy's order of precedence. */
export type FilterChainCriterion =
  | 'destination_port'
  | 'prefix_ranges'
  | 'server_names'
  | 'transport_protocol'
  | 'application_protocols'
  | 'direct_source_prefix_ranges'
  | 'source_type'
  | 'source_prefix_ranges'
  | 'source_ports';

/** One level of the filter-chain narrowing, for explain. */
export interface FilterChainStep {
  readonly criterion: FilterChainCriterion;
  /** The connection's value for this criterion, as text (`10000`, `"api.example.com"`, `-`). */
  readonly connectionValue: string;
  /** Indexes (in `filter_chains`) of the chains still in the running after this level. */
  readonly remaining: readonly number[];
  /** Indexes dropped at this level. */
  readonly dropped: readonly number[];
}

export interface FilterChainSelection {
  /** The chosen chain (possibly `default_filter_chain`), or undefined: connection closed. */
  readonly chain: FilterChain | undefined;
  /** Index in `filter_chains`; -1 for the default chain or none. */
  readonly index: number;
  readonly isDefault: boolean;
  /** Levels that dropped at least one chain (levels where nothing changed are omitted). */
  readonly steps: readonly FilterChainStep[];
  /** In words. */
  readonly reason: string;
  /**
   * Set when the listener has a `filter_chain_matcher` (then `steps` is empty: the per-field
   * `filter_chain_match` is ignored, as Envoy ignores it): the matcher's decisions in order.
   */
  readonly matcher?: { readonly steps: readonly MatcherStep[]; readonly actionName?: string; readonly chainName?: string };
}

/** Name or `#index` of a filter chain, for messages. */
export function filterChainLabel(chain: FilterChain | undefined, index: number): string {
  if (index < 0) return chain?.name ? `default_filter_chain "${chain.name}"` : 'default_filter_chain';
  return chain?.name ? `"${chain.name}"` : `#${index}`;
}

/** `address:port` of a listener, or its pipe path. */
export function listenerAddress(listener: Listener): string {
  const sa = listener.address?.socket_address;
  // IPv6 in brackets, as Envoy prints addresses (`[::]:80`; its stat names read `[__]_80`).
  if (sa) return `${sa.address.includes(':') ? `[${sa.address}]` : sa.address}:${sa.port_value ?? sa.named_port ?? 0}`;
  if (listener.address?.pipe) return listener.address.pipe.path;
  return '-';
}

/**
 * Chooses the listener: by `name` when given, else by `port` (its socket_address.port_value),
 * else the only listener, else the only listener that has an HTTP connection manager. Several
 * candidates and nothing to choose by is an ambiguity, never a silent first pick: the answer is
 * for the first candidate, marked `ambiguous`, with a reason that names every candidate and how
 * to choose.
 */
export function selectListener(
  listeners: readonly Listener[],
  by: { readonly name?: string; readonly port?: number },
): ListenerSelection {
  if (by.name !== undefined) {
    const i = listeners.findIndex((l) => l.name === by.name);
    if (i < 0) {
      const names = listeners.map((l) => l.name ?? '(unnamed)').join(', ') || 'none';
      return { listener: undefined, index: -1, reason: `no listener named "${by.name}" (listeners: ${names})` };
    }
    return { listener: listeners[i], index: i, reason: `named "${by.name}"` };
  }
  if (by.port !== undefined) {
    const i = listeners.findIndex((l) => l.address?.socket_address?.port_value === by.port);
    if (i < 0) {
      const ports = listeners.map((l) => listenerAddress(l)).join(', ') || 'none';
      return { listener: undefined, index: -1, reason: `no listener on port ${by.port} (listeners: ${ports})` };
    }
    return { listener: listeners[i], index: i, reason: `listens on port ${by.port}` };
  }
  if (listeners.length === 0) return { listener: undefined, index: -1, reason: 'the config has no listeners' };
  if (listeners.length === 1) return { listener: listeners[0], index: 0, reason: 'the only listener' };
  const http = listeners.map((l, i) => ({ l, i })).filter(({ l }) => listenerHasHcm(l));
  if (http.length === 1) {
    return { listener: http[0]!.l, index: http[0]!.i, reason: `the only one of ${listeners.length} listeners with an HTTP connection manager` };
  }
  const pool = http.length > 0 ? http : listeners.map((l, i) => ({ l, i }));
  const first = pool[0]!;
  return {
    listener: first.l,
    index: first.i,
    ambiguous: true,
    reason: `ambiguous: ${pool.length} listeners could take this request and none listens on the port the client connects to: ` +
      `${pool.map(({ l }) => describeCandidate(l)).join('; ')}; answering for the first, "${first.l.name ?? first.i}" ` +
      '(choose with --listener NAME or --port N, or give the Host a port)',
  };
}

/** `"name" (0.0.0.0:8080, routes "http.8080")` for an ambiguity message. */
function describeCandidate(l: Listener): string {
  const rds = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]
    .map((c) => findHttpConnectionManager(c)?.hcm)
    .map((h) => h?.rds?.route_config_name ?? h?.route_config?.name)
    .filter((n): n is string => n !== undefined);
  const routes = [...new Set(rds)];
  return `"${l.name ?? '(unnamed)'}" (${listenerAddress(l)}${routes.length ? `, routes ${routes.map((r) => `"${r}"`).join(', ')}` : ''})`;
}



function listenerHasHcm(l: Listener): boolean {
  const chains = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
  return chains.some((c) => findHttpConnectionManager(c) !== undefined);
}

/** Selects the filter chain for a connection (Envoy's FilterChainManagerImpl::findFilterChain). */
export function selectFilterChain(listener: Listener, conn: ConnectionInfo): FilterChainSelection {
  if (listener.filter_chain_matcher !== undefined) return selectByMatcher(listener, conn);
  const chains = listener.filter_chains ?? [];
  let remaining = chains.map((_, i) => i);
  const steps: FilterChainStep[] = [];
  const levels: { criterion: FilterChainCriterion; value: string; score: (m: FilterChainMatch) => number }[] = [
    {
      criterion: 'destination_port',
      value: conn.destinationPort === undefined ? '-' : String(conn.destinationPort),
      score: (m) => (m.destination_port === undefined ? 0 : m.destination_port === conn.destinationPort ? 1 : NO),
    },
    {
      criterion: 'prefix_ranges',
      value: conn.destinationIp ?? '-',
      score: (m) => prefixScore(m.prefix_ranges, conn.destinationIp),
    },
    {
      criterion: 'server_names',
      value: conn.serverName === undefined ? '-' : `"${conn.serverName}"`,
      score: (m) => serverNameScore(m.server_names, conn.serverName),
    },
    {
      criterion: 'transport_protocol',
      value: transportOf(conn),
      score: (m) => (!m.transport_protocol ? 0 : m.transport_protocol === transportOf(conn) ? 1 : NO),
    },
    {
      criterion: 'application_protocols',
      value: conn.applicationProtocols?.length ? conn.applicationProtocols.join(',') : '-',
      score: (m) =>
        !m.application_protocols?.length
          ? 0
          : m.application_protocols.some((p) => conn.applicationProtocols?.includes(p))
            ? 1
            : NO,
    },
    {
      criterion: 'direct_source_prefix_ranges',
      value: conn.directSourceIp ?? conn.sourceIp ?? '-',
      score: (m) => prefixScore(m.direct_source_prefix_ranges, conn.directSourceIp ?? conn.sourceIp),
    },
    {
      criterion: 'source_type',
      value: sourceTypeOf(conn) ?? '-',
      score: (m) => {
        const t = m.source_type ?? 'ANY';
        if (t === 'ANY') return 0;
        return t === sourceTypeOf(conn) ? 1 : NO;
      },
    },
    {
      criterion: 'source_prefix_ranges',
      value: conn.sourceIp ?? '-',
      score: (m) => prefixScore(m.source_prefix_ranges, conn.sourceIp),
    },
    {
      criterion: 'source_ports',
      value: conn.sourcePort === undefined ? '-' : String(conn.sourcePort),
      score: (m) =>
        !m.source_ports?.length ? 0 : conn.sourcePort !== undefined && m.source_ports.includes(conn.sourcePort) ? 1 : NO,
    },
  ];
  for (const level of levels) {
    if (remaining.length === 0) break;
    let best = NO;
    const scores = new Map<number, number>();
    for (const i of remaining) {
      const s = level.score(chains[i]!.filter_chain_match ?? {});
      scores.set(i, s);
      if (s > best) best = s;
    }
    const kept = best === NO ? [] : remaining.filter((i) => scores.get(i) === best);
    const dropped = remaining.filter((i) => !kept.includes(i));
    if (dropped.length > 0) steps.push({ criterion: level.criterion, connectionValue: level.value, remaining: kept, dropped });
    remaining = kept;
  }
  if (remaining.length > 0) {
    // Envoy rejects configs with two chains of identical filter_chain_match, so one survives;
    // take the first should a config slip through.
    const index = remaining[0]!;
    const why = steps.length > 0
      ? `most specific match on ${steps.map((s) => s.criterion).join(', ')}`
      : chains.length === 1
        ? 'the only filter chain'
        : `no filter_chain_match criterion tells the ${chains.length} chains apart: the first is taken (Envoy rejects identical filter_chain_match)`;
    return { chain: chains[index], index, isDefault: false, steps, reason: why };
  }
  const last = steps[steps.length - 1];
  const failed = last ? `no filter chain matches ${last.criterion} ${last.connectionValue}` : 'the listener has no filter_chains';
  if (listener.default_filter_chain) {
    return { chain: listener.default_filter_chain, index: -1, isDefault: true, steps, reason: `${failed}; using default_filter_chain` };
  }
  return { chain: undefined, index: -1, isDefault: false, steps, reason: `${failed} and there is no default_filter_chain: the connection is closed` };
}

const NO = -Infinity;

/**
 * Envoy's unified matcher (Listener.filter_chain_matcher): its action names the chain; a name the
 * listener does not have fails the match. No match: default_filter_chain, else the connection is
 * closed.
 */
function selectByMatcher(listener: Listener, conn: ConnectionInfo): FilterChainSelection {
  const chains = listener.filter_chains ?? [];
  const r = evaluateFilterChainMatcher(listener.filter_chain_matcher!, conn);
  const matcher = { steps: r.steps, ...(r.actionName !== undefined ? { actionName: r.actionName } : {}), ...(r.chainName !== undefined ? { chainName: r.chainName } : {}) };
  if (r.chainName !== undefined) {
    const index = chains.findIndex((c) => c.name === r.chainName);
    if (index >= 0) {
      return { chain: chains[index], index, isDefault: false, steps: [], matcher, reason: `filter_chain_matcher chose "${r.chainName}"${r.actionName !== undefined && r.actionName !== r.chainName ? ` (action "${r.actionName}")` : ''}` };
    }
  }
  const failed = r.chainName !== undefined
    ? `filter_chain_matcher names filter chain "${r.chainName}", which the listener does not have (the match fails)`
    : r.actionName !== undefined
      ? `filter_chain_matcher's action "${r.actionName}" names no filter chain`
      : 'filter_chain_matcher matched nothing';
  if (listener.default_filter_chain) {
    return { chain: listener.default_filter_chain, index: -1, isDefault: true, steps: [], matcher, reason: `${failed}; using default_filter_chain` };
  }
  return { chain: undefined, index: -1, isDefault: false, steps: [], matcher, reason: `${failed} and there is no default_filter_chain: the connection is closed` };
}

function transportOf(conn: ConnectionInfo): string {
  // Envoy sets `raw_buffer` when no listener filter detected the transport protocol.
  return conn.transportProtocol ?? 'raw_buffer';
}

function sourceTypeOf(conn: ConnectionInfo): 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL' | undefined {
  const src = conn.sourceIp;
  if (src === undefined) return undefined;
  const local = isLoopback(src) || (conn.destinationIp !== undefined && sameIp(src, conn.destinationIp));
  return local ? 'SAME_IP_OR_LOOPBACK' : 'EXTERNAL';
}

/** Exact server name beats the longest `*.suffix` wildcard, which beats no server_names. */
function serverNameScore(names: readonly string[] | undefined, sni: string | undefined): number {
  if (!names?.length) return 0;
  if (sni === undefined || sni === '') return NO;
  const s = sni.toLowerCase();
  let best = NO;
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === s) return 100_000;
    if (n.startsWith('*.') && s.endsWith(n.slice(1)) && s.length > n.length - 1) best = Math.max(best, n.length);
  }
  return best;
}

/** Longest matching CIDR prefix length; empty ranges match anything at the lowest rank. */
function prefixScore(ranges: FilterChainMatch['prefix_ranges'], ip: string | undefined): number {
  if (!ranges?.length) return -1;
  if (ip === undefined) return NO;
  const addr = parseIp(ip);
  if (!addr) return NO;
  let best = NO;
  for (const r of ranges) {
    const net = parseIp(r.address_prefix);
    if (!net || net.v6 !== addr.v6) continue;
    const len = r.prefix_len ?? (net.v6 ? 128 : 32);
    if (prefixMatches(addr.bytes, net.bytes, len)) best = Math.max(best, len);
  }
  return best;
}

/** The HTTP connection manager of a filter chain, found by `@type` (or legacy filter name). */
export function findHttpConnectionManager(
  chain: FilterChain | undefined,
): { readonly filter: NetworkFilter; readonly index: number; readonly hcm: HttpConnectionManager } | undefined {
  const filters = chain?.filters ?? [];
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i]!;
    const type = f.typed_config?.['@type'];
    if (type === HCM_TYPE_URL || (type === undefined && HCM_NAMES.has(f.name))) {
      const hcm = (f.typed_config ?? { stat_prefix: '' }) as unknown as HttpConnectionManager;
      return { filter: f, index: i, hcm };
    }
  }
  return undefined;
}

/** Where an HCM's routes come from. */
export interface RouteConfigResolution {
  readonly routeConfig: RouteConfiguration | undefined;
  /** `route_config` inline, `rds` by name, `scoped_routes` (not supported offline), or none. */
  readonly source: 'inline' | 'rds' | 'scoped_routes' | 'none';
  /** `rds.route_config_name`. */
  readonly rdsName?: string;
  /** Why no route configuration was found, in words. */
  readonly problem?: string;
}

/**
 * The route configuration an HCM uses: its inline `route_config`, or the one named by
 * `rds.route_config_name` among `known` (a config dump's dynamic/static route configs).
 */
export function resolveRouteConfiguration(
  hcm: HttpConnectionManager,
  known: readonly RouteConfiguration[],
): RouteConfigResolution {
  if (hcm.route_config) return { routeConfig: hcm.route_config, source: 'inline' };
  if (hcm.rds) {
    const name = hcm.rds.route_config_name;
    const rc = known.find((r) => r.name === name);
    return rc
      ? { routeConfig: rc, source: 'rds', rdsName: name }
      : {
          routeConfig: undefined,
          source: 'rds',
          rdsName: name,
          problem: `route configuration "${name}" (rds) is not in this config; pass a config dump that includes it`,
        };
  }
  if (hcm.scoped_routes) {
    return { routeConfig: undefined, source: 'scoped_routes', problem: 'scoped_routes are not supported by tsproxy' };
  }
  return { routeConfig: undefined, source: 'none', problem: 'the HTTP connection manager has neither route_config nor rds' };
}

