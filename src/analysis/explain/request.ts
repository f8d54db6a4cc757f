/**
 * The request `match`/`explain` replay, built from their flags: the RouteRequest the core routes,
 * plus the connection facts the listener uses to pick a filter chain. Pure.
 */
import type { Listener } from '../../config/types.js';
import type { RouteRequest } from '../../core/route_types.js';
import type { ConnectionInfo } from '../../core/listener_match.js';
import { splitHostPort } from '../../core/hcm_host.js';
import { DEFAULT_REMOTE_ADDRESS } from './connection_manager.js';

/** What the user asked about. */
export interface RequestInput {
  /** Host / :authority; undefined means none (Envoy gives no route). */
  readonly host: string | undefined;
  readonly path: string;
  readonly method: string;
  /** `http` or `https`. */
  readonly scheme: string;
  /** `-H 'name: value'` pairs in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** router_check's `random_value` (default 0). */
  readonly randomValue: number;
  /**
   * The downstream peer address (`--remote-address`): filter-chain source matching, the
   * connection manager's XFF and internal/external decision, formatters. Default: an external
   * client, DEFAULT_REMOTE_ADDRESS.
   */
  readonly remoteAddress?: string;
  readonly sni?: string;
  readonly alpn?: readonly string[];
  /** `--dest-ip`: the connection's local (destination) address; default the listener's own when specific. */
  readonly destinationIp?: string;
  /** `--dest-port`: the connection's local (destination) port; default the listener's port. */
  readonly destinationPort?: number;
}

/** Splits `-H 'name: value'`; returns an error message for a malformed header. */
export function parseHeaderFlag(text: string): [string, string] | string {
  const i = text.indexOf(':', text.startsWith(':') ? 1 : 0);
  if (i <= 0) return `header "${text}" must be written as "name: value"`;
  const name = text.slice(0, i).trim().toLowerCase();
  if (name === '' || /\s/.test(name)) return `header "${text}" has an invalid name`;
  return [name, text.slice(i + 1).trim()];
}

/** Host normalization lives in the core so `serve` and the offline commands agree. */
export { splitHostPort } from '../../core/hcm_host.js';

/**
 * The RouteRequest as it arrives (before the connection manager). `-H host: x` or
 * `-H :authority: x` override --host, as they would on the wire. `withoutHcm` (a bare
 * RouteConfiguration: no connection manager sets x-forwarded-proto): with `--scheme https`,
 * `x-forwarded-proto: https` is set unless given (what router_check's `ssl: true` does).
 */
export function buildRouteRequest(input: RequestInput, authority: string | undefined, withoutHcm = true): RouteRequest {
  const headers: Record<string, string | string[]> = {};
  let path = input.path;
  let method = input.method;
  let scheme = input.scheme;
  for (const [name, value] of input.headers) {
    if (name === ':path') path = value;
    else if (name === ':method') method = value;
    else if (name === ':scheme') scheme = value;
    else if (name === ':authority' || name === 'host') continue;
    else {
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  }
  if (withoutHcm && scheme === 'https' && headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = 'https';
  return {
    authority,
    path,
    method,
    scheme,
    headers,
    remoteAddress: input.remoteAddress ?? DEFAULT_REMOTE_ADDRESS,
  };
}

/** The :authority the user gave: a `host`/`:authority` header wins over --host. */
export function requestAuthority(input: RequestInput): string | undefined {
  let a = input.host;
  for (const [name, value] of input.headers) if (name === ':authority' || name === 'host') a = value;
  return a;
}

/** True when the listener has the named listener filter (by name or `@type` suffix). */
function hasListenerFilter(l: Listener, short: string): boolean {
  return (l.listener_filters ?? []).some(
    (f) => f.name === `envoy.filters.listener.${short}` || (f.typed_config?.['@type'] ?? '').includes(`.listener.${short}.`),
  );
}

/**
 * Connection facts for filter-chain matching. Only a tls_inspector detects TLS, SNI and ALPN; only
 * an http_inspector detects `http/1.1` on plaintext; otherwise Envoy reports `raw_buffer`.
 */
export function connectionFor(input: RequestInput, listener: Listener, authority: string | undefined): {
  conn: ConnectionInfo;
  notes: string[];
} {
  const notes: string[] = [];
  const sa = listener.address?.socket_address;
  const port = input.destinationPort ?? sa?.port_value;
  const destIp = input.destinationIp ?? (sa && sa.address !== '0.0.0.0' && sa.address !== '::' ? sa.address : undefined);
  let transportProtocol = 'raw_buffer';
  let serverName: string | undefined;
  let alpn: readonly string[] | undefined = input.alpn;
  if (input.scheme === 'https') {
    if (hasListenerFilter(listener, 'tls_inspector')) {
      transportProtocol = 'tls';
      serverName = input.sni ?? (authority === undefined ? undefined : splitHostPort(authority).host);
      alpn = alpn ?? ['h2', 'http/1.1'];
    } else {
      notes.push('the listener has no tls_inspector: TLS, SNI and ALPN are not detected (transport_protocol raw_buffer)');
      alpn = undefined;
    }
  } else if (alpn === undefined && hasListenerFilter(listener, 'http_inspector')) {
    alpn = ['http/1.1'];
  }
  if (destIp === undefined && listener.filter_chain_matcher !== undefined) {
    notes.push('the listener listens on a wildcard address: the destination IP is not known offline (give --dest-ip)');
  }
  return {
    conn: {
      destinationPort: port,
      destinationIp: destIp,
      serverName,
      transportProtocol,
      applicationProtocols: alpn,
      sourceIp: input.remoteAddress ?? DEFAULT_REMOTE_ADDRESS,
    },
    notes,
  };
}
