/**
 * IP literals and CIDR ranges, as the listener's filter-chain matching reads them: IPv4, IPv6,
 * IPv4-mapped IPv6 read as IPv4. Pure.
 */

export interface ParsedIp {
  v6: boolean;
  bytes: number[];
}

/** Parses an IPv4 or IPv6 literal; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is read as IPv4. */
export function parseIp(text: string): ParsedIp | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '');
  const v4 = parseIpv4(t);
  if (v4) return { v6: false, bytes: v4 };
  if (!t.includes(':')) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const b = parseIpv4(p);
        if (!b) return undefined;
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { v6: false, bytes: bytes.slice(12) };
  return { v6: true, bytes };
}

/**
 * Four dot-separated groups of 1-3 ASCII digits, each at most 255 (leading zeros allowed), as
 * `^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$` would take them; scanned by hand, since a
 * regex is compiled on its first use, which a short-lived command pays for a few addresses.
 */
function parseIpv4(t: string): number[] | undefined {
  const out: number[] = [];
  let i = 0;
  for (let group = 0; group < 4; group++) {
    if (group > 0) {
      if (t.charCodeAt(i) !== 46 /* . */) return undefined;
      i++;
    }
    let v = 0;
    let digits = 0;
    for (let c = t.charCodeAt(i); c >= 48 && c <= 57 && digits < 3; c = t.charCodeAt(++i)) {
      v = v * 10 + (c - 48);
      digits++;
    }
    if (digits === 0 || v > 255) return undefined;
    out.push(v);
  }
  return i === t.length ? out : undefined;
}

export function prefixMatches(addr: number[], net: number[], len: number): boolean {
  for (let bit = 0; bit < len; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((addr[byte] ?? 0) & mask) !== ((net[byte] ?? 0) & mask)) return false;
  }
  return true;
}

export function isLoopback(ip: string): boolean {
  const p = parseIp(ip);
  if (!p) return false;
  if (!p.v6) return p.bytes[0] === 127;
  return p.bytes.slice(0, 15).every((b) => b === 0) && p.bytes[15] === 1;
}

export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.v6 === y.v6 && x.bytes.every((v, i) => v === y.bytes[i]);
}

/** The prefix length of `range` when `ip` lies in it (same family; no prefix_len: the whole address), else undefined. */
export function cidrContains(ip: string, range: { address_prefix: string; prefix_len?: number }): number | undefined {
  const addr = parseIp(ip);
  const net = parseIp(range.address_prefix);
  if (!addr || !net || net.v6 !== addr.v6) return undefined;
  const len = range.prefix_len ?? (net.v6 ? 128 : 32);
  return prefixMatches(addr.bytes, net.bytes, len) ? len : undefined;
}
