/**
 * `upstream_http_protocol_options` (UpstreamHttpProtocolOptions, in the cluster's
 * HttpProtocolOptions or the deprecated cluster field): `auto_sni` sends the request's host as
 * the upstream TLS SNI, `auto_san_validation` requires the upstream certificate to carry it as a
 * SAN, and `override_auto_sni_header` names a request header to take it from instead of
 * `:authority`/Host (when that header is present and not empty). As Envoy's router: the value
 * is the host after the route's host rewrite (Envoy since 1.32), the port removed
 * (core/parse_authority.ts); an IP literal gives no SNI but is still the SAN to verify.
 *
 * Envoy puts both into the stream's transport socket options, which take part in the
 * connection pool's key: requests for different hosts never share an upstream TLS connection.
 * cluster.ts keeps a pool per (protocol, SNI, SAN) for such clusters; clusters without these
 * options never reach this module per request.
 */
import type { Cluster } from '../../config/types.js';
import { parseAuthority } from '../../core/parse_authority.js';
import { UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY } from './upstream_protocol.js';

/** A cluster's auto_sni settings, read once. */
export interface AutoSniConfig {
  readonly autoSni: boolean;
  readonly autoSanValidation: boolean;
  /** Lowercase header name, or undefined: the request's :authority. */
  readonly overrideHeader: string | undefined;
}

/** The request as auto_sni reads it (the router's request header map after its rewrites). */
export interface AutoSniRequest {
  readonly authority: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What a request asks of its upstream connection: the SNI and the SAN to verify (either may be absent). */
export interface AutoSniChoice {
  readonly serverName: string | undefined;
  readonly subjectAltName: string | undefined;
}

function field(obj: unknown, snake: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  return o[snake] ?? o[snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())];
}

/** The cluster's settings; undefined when neither auto_sni nor auto_san_validation is on. */
export function autoSniConfig(cluster: Cluster): AutoSniConfig | undefined {
  const ext = cluster.typed_extension_protocol_options?.[UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY];
  const opts = field(ext, 'upstream_http_protocol_options') ?? (cluster as { upstream_http_protocol_options?: unknown }).upstream_http_protocol_options;
  const autoSni = field(opts, 'auto_sni') === true;
  const autoSanValidation = field(opts, 'auto_san_validation') === true;
  if (!autoSni && !autoSanValidation) return undefined;
  const h = field(opts, 'override_auto_sni_header');
  return { autoSni, autoSanValidation, overrideHeader: typeof h === 'string' && h !== '' ? h.toLowerCase() : undefined };
}

/**
 * The SNI and SAN a request asks for, or undefined when it asks for neither (the cluster's own
 * settings then apply). Names are lowercased (SNI and DNS names are case-insensitive; the pool
 * key must not split on case).
 */
export function autoSniChoice(cfg: AutoSniConfig, request: AutoSniRequest): AutoSniChoice | undefined {
  let value = request.authority;
  if (cfg.overrideHeader !== undefined) {
    const v = request.headers[cfg.overrideHeader];
    const joined = Array.isArray(v) ? v.join(',') : v;
    if (joined !== undefined && joined !== '') value = joined;
  }
  if (value === undefined || value === '') return undefined;
  const parsed = parseAuthority(value);
  const host = parsed.host.toLowerCase();
  if (host === '') return undefined;
  const serverName = cfg.autoSni && !parsed.isIpAddress ? host : undefined;
  const subjectAltName = cfg.autoSanValidation ? host : undefined;
  if (serverName === undefined && subjectAltName === undefined) return undefined;
  return { serverName, subjectAltName };
}
