/**
 * DNS resolution for STRICT_DNS and LOGICAL_DNS clusters through node:dns `lookup` (getaddrinfo,
 * so /etc/hosts applies, like Envoy's getaddrinfo resolver), filtered by `dns_lookup_family`:
 * AUTO prefers IPv6 and falls back to IPv4 (Envoy's AUTO), V4_PREFERRED the reverse, ALL keeps
 * both, V4_ONLY / V6_ONLY one family.
 */
import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Injectable resolver (tests pass a fake). Rejects on resolution failure. */
export type DnsLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const defaultDnsLookup: DnsLookup = async (hostname) => {
  const r = await lookup(hostname, { all: true, verbatim: true });
  return r.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type DnsLookupFamily = 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';

/** Addresses of `resolved` that `family` selects, in resolver order. */
export function filterFamily(resolved: readonly ResolvedAddress[], family: DnsLookupFamily | undefined): string[] {
  const v4 = resolved.filter((a) => a.family === 4).map((a) => a.address);
  const v6 = resolved.filter((a) => a.family === 6).map((a) => a.address);
  switch (family ?? 'AUTO') {
    case 'V4_ONLY':
      return v4;
    case 'V6_ONLY':
      return v6;
    case 'V4_PREFERRED':
      return v4.length > 0 ? v4 : v6;
    case 'ALL':
      return resolved.map((a) => a.address);
    case 'AUTO':
    default:
      return v6.length > 0 ? v6 : v4;
  }
}
