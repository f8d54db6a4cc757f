/**
 * Which downstream addresses are "internal" (trusted) for the connection manager:
 * `HttpConnectionManager.internal_address_config`, Envoy's Http::InternalAddressConfig. Pure.
 *
 * Envoy's CURRENT default: without `internal_address_config` NO address is internal (since Envoy
 * 1.33; the RFC 1918 fallback behind `envoy.reloadable_features.explicit_internal_address_config`
 * was removed in 1.36). With `internal_address_config` set: a pipe (unix socket) peer is internal
 * when `unix_sockets` is true (tsproxy only listens on IP addresses, so it never applies); an IP
 * is internal when it falls in `cidr_ranges`, or, with no `cidr_ranges`, when it is one of
 * Network::Utility::isInternalAddress's: 10/8, 172.16/12, 192.168/16, exactly 127.0.0.1, fd00::/8
 * and ::1.
 */
import type { HttpConnectionManager } from '../config/types.js';
import { parseIp } from './cidr.js';

/** A parsed IP literal (IPv4 as 4 bytes, IPv6 as 16). */
export interface IpAddress {
  readonly v6: boolean;
  readonly bytes: readonly number[];
}

interface CidrRange {
  readonly v6: boolean;
  readonly bytes: readonly number[];
  readonly prefixLen: number;
}

/** `internal_address_config` compiled; undefined when the HCM does not set it (nothing is internal). */
export interface InternalAddressConfig {
  readonly unixSockets: boolean;
  /** Empty: Envoy's classic internal ranges apply. */
  readonly cidrRanges: readonly CidrRange[];
}

/**
 * A plain IP literal as Envoy's parseInternetAddressNoThrow reads one (no port, no brackets).
 * An IPv4-mapped IPv6 literal (`::ffff:10.0.0.1`) stays IPv6, as in Envoy.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.length === 0 || text.charCodeAt(0) === 91 /* [ */) return undefined;
  const p = parseIp(text);
  if (p === undefined) return undefined;
  if (!p.v6 && text.includes(':')) {
    return { v6: true, bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...p.bytes] };
  }
  return p;
}

/** Network::Utility::isInternalAddress: RFC 1918, exactly 127.0.0.1, fd00::/8, ::1. */
export function isClassicInternalAddress(a: IpAddress): boolean {
  const b = a.bytes;
  if (!a.v6) {
    return b[0] === 10 || (b[0] === 192 && b[1] === 168) || (b[0] === 172 && b[1]! >= 16 && b[1]! <= 31) ||
      (b[0] === 127 && b[1] === 0 && b[2] === 0 && b[3] === 1);
  }
  return b[0] === 0xfd || isV6Loopback(b);
}

function isV6Loopback(b: readonly number[]): boolean {
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return false;
  return b[15] === 1;
}

/** Network::Utility::isLoopbackAddress: exactly 127.0.0.1 or ::1. */
export function isLoopbackAddress(text: string): boolean {
  if (text === '127.0.0.1' || text === '::1') return true;
  const a = parseIpAddress(text);
  if (a === undefined) return false;
  return a.v6 ? isV6Loopback(a.bytes) : a.bytes[0] === 127 && a.bytes[1] === 0 && a.bytes[2] === 0 && a.bytes[3] === 1;
}

/** Compiles `internal_address_config`; invalid CIDR entries are skipped (lint/config report them). */
export function compileInternalAddressConfig(hcm: Pick<HttpConnectionManager, 'internal_address_config'>): InternalAddressConfig | undefined {
  const c = hcm.internal_address_config;
  if (c === undefined) return undefined;
  const cidrRanges: CidrRange[] = [];
  for (const r of c.cidr_ranges ?? []) {
    const net = parseIp(r.address_prefix);
    if (net === undefined) continue;
    const max = net.v6 ? 128 : 32;
    cidrRanges.push({ v6: net.v6, bytes: net.bytes, prefixLen: Math.min(r.prefix_len ?? max, max) });
  }
  return { unixSockets: c.unix_sockets === true, cidrRanges };
}

/** Whether `address` (an IP) is internal for `config` (undefined config: never, Envoy >= 1.33). */
export function isInternalAddress(address: IpAddress, config: InternalAddressConfig | undefined): boolean {
  if (config === undefined) return false;
  if (config.cidrRanges.length === 0) return isClassicInternalAddress(address);
  for (const r of config.cidrRanges) if (r.v6 === address.v6 && prefixMatches(address.bytes, r.bytes, r.prefixLen)) return true;
  return false;
}

function prefixMatches(addr: readonly number[], net: readonly number[], len: number): boolean {
  for (let bit = 0; bit < len; bit++) {
    const mask = 0x80 >> (bit & 7);
    const byte = bit >> 3;
    if (((addr[byte] ?? 0) & mask) !== ((net[byte] ?? 0) & mask)) return false;
  }
  return true;
}
