/**
 * `ip:port` text as Envoy reads and prints it: Network::Utility::parseInternetAddressAndPortNoThrow
 * (`10.0.0.1:80`, `[fd00::1]:80`; a port is required) and Address::Instance::asString (IPv6 in
 * brackets, compressed as inet_ntop writes it). Used for original destinations
 * (`--original-dst`, `x-envoy-original-dst-host`) and the listener hand-off. Pure.
 */
import { parseIpAddress, type IpAddress } from './internal_address.js';

/** An IP address with a port. */
export interface IpPort {
  readonly ip: IpAddress;
  readonly port: number;
}

/**
 * Parses `a.b.c.d:port` or `[ipv6]:port`; undefined for anything else (a hostname, a missing or
 * non-numeric port, a port above 65535), as Envoy's parser answers nullptr.
 */
export function parseIpPort(text: string): IpPort | undefined {
  let host: string;
  let port: string;
  if (text.startsWith('[')) {
    const end = text.lastIndexOf(']:');
    if (end < 0) return undefined;
    host = text.slice(1, end);
    port = text.slice(end + 2);
    if (!host.includes(':')) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return undefined;
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (host.includes(':')) return undefined;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  const ip = parseIpAddress(host);
  return ip === undefined ? undefined : { ip, port: Number(port) };
}

/** The address as inet_ntop prints it: dotted quad; IPv6 lowercase, the longest zero run as `::`. */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (!ip.v6) return b.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped (::ffff:a.b.c.d) keeps its dotted tail, as glibc's inet_ntop writes it.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${b.slice(12).join('.')}`;
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `10.0.0.1:80` or `[fd00::1]:80` (Envoy's asString). */
export function formatIpPort(a: IpPort): string {
  return a.ip.v6 ? `[${formatIp(a.ip)}]:${a.port}` : `${formatIp(a.ip)}:${a.port}`;
}

/** True for 0.0.0.0 and ::. */
export function isAnyAddress(ip: IpAddress): boolean {
  return ip.bytes.every((x) => x === 0);
}
