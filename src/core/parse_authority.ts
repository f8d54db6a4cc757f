/**
 * `:authority` split into host and port as Envoy's Http::Utility::parseAuthority does it (the
 * router reads it for auto_sni / auto_san_validation): a trailing `:port` is taken off when it is
 * a number up to 65535 (not after a `]`, so a bare bracketed IPv6 literal keeps its colons); an
 * IP literal (IPv4, or IPv6 with or without brackets) is reported as such, brackets removed.
 * Pure.
 */
import { parseIp } from './cidr.js';

/** A parsed authority. */
export interface ParsedAuthority {
  /** The host without port (an IPv6 literal without its brackets). */
  readonly host: string;
  readonly port: number | undefined;
  /** The host is an IP literal (Envoy sets no SNI for it). */
  readonly isIpAddress: boolean;
}

/** Splits `value` into host and port (see the module comment). */
export function parseAuthority(value: string): ParsedAuthority {
  let host = value;
  let port: number | undefined;
  const colon = value.lastIndexOf(':');
  if (colon >= 0 && !value.endsWith(']')) {
    const p = value.slice(colon + 1);
    if (/^[0-9]{1,5}$/.test(p) && Number(p) <= 65535) {
      host = value.slice(0, colon);
      port = Number(p);
    }
  }
  let ip = host;
  if (ip.length >= 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  // parseIp reads IPv4-mapped IPv6 too; a plain name never parses as an IP.
  if (ip !== '' && !ip.includes('[') && parseIp(ip) !== undefined) return { host: ip, port, isIpAddress: true };
  return { host, port, isIpAddress: false };
}
