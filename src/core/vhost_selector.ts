/**
 * Virtual host selection (Envoy's RouteMatcher::findVirtualHost): exact domain, then the
 * longest `*.suffix` wildcard, then the longest `prefix.*` wildcard, then `*`. Host matching
 * ignores case. A wildcard never matches an empty remainder (`*.foo.com` misses `.foo.com`).
 * Domains are lowercased into Maps at compile time; selection does one lookup per distinct
 * wildcard length.
 */
import type { VirtualHost } from '../config/types.js';
import { report, type CompileContext } from './compile_context.js';

/** How the vhost was selected. */
export type DomainMatchKind = 'exact' | 'suffix_wildcard' | 'prefix_wildcard' | 'default';

interface LengthBucket<T> {
  readonly len: number;
  readonly map: Map<string, T>;
}

export class VirtualHostSelector<T> {
  private readonly exact = new Map<string, T>();
  private suffixes: LengthBucket<T>[] = [];
  private prefixes: LengthBucket<T>[] = [];
  private defaultHost: T | undefined;
  /** Every domain seen (lowercased), for duplicate detection. */
  private readonly seen = new Set<string>();

  /** Adds the domains of `vh` (index `i`); duplicate domains are config errors, as in Envoy. */
  add(vh: VirtualHost, value: T, ctx: CompileContext, path: string, routeConfigName = ''): void {
    const domains = vh.domains ?? [];
    domains.forEach((d, di) => {
      const domain = d.toLowerCase();
      if (this.seen.has(domain)) {
        const msg =
          domain === '*'
            ? `Only a single wildcard domain is permitted in route ${vh.name}`
            : `Only unique values for domains are permitted. Duplicate entry of domain ${domain} in route ${routeConfigName}`;
        report(ctx, 'error', 'route/duplicate-domain', msg, `${path}.domains[${di}]`, domains, String(di));
        return;
      }
      this.seen.add(domain);
      if (domain === '*') this.defaultHost = value;
      else if (domain.length > 1 && domain.startsWith('*')) this.addBucket(this.suffixes, domain.slice(1), value);
      else if (domain.length > 1 && domain.endsWith('*')) this.addBucket(this.prefixes, domain.slice(0, -1), value);
      else this.exact.set(domain, value);
    });
  }

  private addBucket(buckets: LengthBucket<T>[], key: string, value: T): void {
    let b = buckets.find((x) => x.len === key.length);
    if (b === undefined) {
      b = { len: key.length, map: new Map() };
      buckets.push(b);
      // Longest wildcard first.
      buckets.sort((a, c) => c.len - a.len);
    }
    b.map.set(key, value);
  }

  /** True when the only virtual host is the `*` one (Envoy's fast path: even no Host selects it). */
  get onlyDefault(): boolean {
    return this.exact.size === 0 && this.suffixes.length === 0 && this.prefixes.length === 0;
  }

  get hasDefault(): boolean {
    return this.defaultHost !== undefined;
  }

  /** `host` must already be lowercased (and port-stripped when ignoring ports). */
  select(host: string): T | undefined {
    const e = this.exact.get(host);
    if (e !== undefined) return e;
    for (const b of this.suffixes) {
      if (b.len < host.length) {
        const v = b.map.get(host.slice(host.length - b.len));
        if (v !== undefined) return v;
      }
    }
    for (const b of this.prefixes) {
      if (b.len < host.length) {
        const v = b.map.get(host.slice(0, b.len));
        if (v !== undefined) return v;
      }
    }
    return this.defaultHost;
  }

  /** Like select(), also saying which rule matched (for traces; allocates). */
  selectWithKind(host: string): { value: T; kind: DomainMatchKind; domain: string } | undefined {
    const e = this.exact.get(host);
    if (e !== undefined) return { value: e, kind: 'exact', domain: host };
    for (const b of this.suffixes) {
      if (b.len < host.length) {
        const key = host.slice(host.length - b.len);
        const v = b.map.get(key);
        if (v !== undefined) return { value: v, kind: 'suffix_wildcard', domain: '*' + key };
      }
    }
    for (const b of this.prefixes) {
      if (b.len < host.length) {
        const key = host.slice(0, b.len);
        const v = b.map.get(key);
        if (v !== undefined) return { value: v, kind: 'prefix_wildcard', domain: key + '*' };
      }
    }
    return this.defaultHost !== undefined ? { value: this.defaultHost, kind: 'default', domain: '*' } : undefined;
  }
}

/**
 * Start of the port in a Host value (Envoy's HeaderUtility::getPortStart), or -1: the last
 * `:` unless it sits inside a bracketed IPv6 literal.
 */
export function portStart(host: string): number {
  const colon = host.lastIndexOf(':');
  if (colon < 0) return -1;
  const v6End = host.lastIndexOf(']');
  return v6End < 0 || v6End < colon ? colon : -1;
}
