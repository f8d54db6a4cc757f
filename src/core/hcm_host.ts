/**
 * The connection manager's Host normalization before routing (Envoy's
 * ConnectionManagerUtility::maybeNormalizeHost): `strip_trailing_host_dot`, then
 * `strip_any_host_port` (drop any port) or `strip_matching_host_port` (drop the port only when it
 * equals the listener's local port). The result is the :authority the route table sees AND the
 * one sent upstream, so `serve` and `match`/`explain` must both use this function. Pure.
 */
import type { HttpConnectionManager } from '../config/types.js';

/** Splits `host[:port]`; an IPv6 literal keeps its brackets in `host`; a non-numeric port is not a port. */
export function splitHostPort(authority: string): { host: string; port: number | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority);
  if (!m) return { host: authority, port: undefined };
  return { host: m[1]!, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** HeaderUtility::stripTrailingHostDot: `a.com.` -> `a.com`, `a.com.:80` -> `a.com:80`. */
export function stripTrailingHostDot(authority: string): string {
  const { host, port } = splitHostPort(authority);
  if (!host.endsWith('.')) return authority;
  const h = host.slice(0, -1);
  return port === undefined ? h : `${h}:${port}`;
}

/**
 * The :authority after the HCM's host options. `localPort` is the port the connection arrived
 * on (the listener's port). Undefined stays undefined (no Host: no route).
 */
export function normalizeHost(
  authority: string | undefined,
  hcm: Pick<HttpConnectionManager, 'strip_any_host_port' | 'strip_matching_host_port' | 'strip_trailing_host_dot'> | undefined,
  localPort: number | undefined,
): string | undefined {
  if (authority === undefined || !hcm) return authority;
  let a = hcm.strip_trailing_host_dot ? stripTrailingHostDot(authority) : authority;
  const { host, port } = splitHostPort(a);
  if (port !== undefined) {
    if (hcm.strip_any_host_port) a = host;
    else if (hcm.strip_matching_host_port && port === localPort) a = host;
  }
  return a;
}
