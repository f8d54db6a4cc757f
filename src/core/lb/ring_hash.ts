/**
 * RING_HASH (Envoy's RingHashLoadBalancer, a ketama-style consistent hash ring). Each host gets
 * `scale * normalized_weight` points named `<address>_<i>`, hashed with xxHash64 (Envoy's default
 * `hash_function: XX_HASH`); `scale` makes the lightest host get a whole number of points with
 * at least `minimum_ring_size` (default 1024) points in all, capped at `maximum_ring_size`
 * (default 8M). A request hash picks the first point at or after it, wrapping to the start.
 * Without a hash key (no hash_policy matched) a random value is used, as in Envoy.
 *
 * Pure. Rings are built on first use per priority/source and then immutable.
 */
import { LoadBalancerBase, hashToNumber } from './base.js';
import type { HostSet, LbHost, LoadBalancerOptions, Random } from './types.js';
import { xxHash64 } from './xxhash64.js';
import { DEFAULT_RING_HASH_MAXIMUM_RING_SIZE, DEFAULT_RING_HASH_MINIMUM_RING_SIZE } from '../../config/defaults.js';


/** An immutable hash ring. */
export class HashRing<H extends LbHost> {
  /** Point hashes, ascending. */
  readonly hashes: BigUint64Array;
  /** Host of each point. */
  readonly hosts: readonly H[];

  constructor(hosts: readonly H[], minRingSize = DEFAULT_RING_HASH_MINIMUM_RING_SIZE, maxRingSize = DEFAULT_RING_HASH_MAXIMUM_RING_SIZE) {
    let total = 0;
    for (const h of hosts) total += h.weight;
    const points: Array<{ hash: bigint; host: H }> = [];
    if (hosts.length > 0 && total > 0) {
      let minNormalized = 1;
      for (const h of hosts) minNormalized = Math.min(minNormalized, h.weight / total);
      const scale = Math.min(Math.ceil(minNormalized * minRingSize) / minNormalized, maxRingSize);
      let current = 0;
      let target = 0;
      for (const host of hosts) {
        target += (scale * host.weight) / total;
        let i = 0;
        while (current < target) {
          points.push({ hash: xxHash64(`${host.hashKey}_${i}`), host });
          i++;
          current++;
        }
      }
    }
    points.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    this.hashes = new BigUint64Array(points.length);
    const hs: H[] = new Array<H>(points.length);
    for (let i = 0; i < points.length; i++) {
      this.hashes[i] = points[i]!.hash;
      hs[i] = points[i]!.host;
    }
    this.hosts = hs;
  }

  get size(): number {
    return this.hashes.length;
  }

  /** The host of the first point whose hash is >= `hash`, wrapping around; null on an empty ring. */
  lookup(hash: bigint): H | null {
    const n = this.hashes.length;
    if (n === 0) return null;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.hashes[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.hosts[lo === n ? 0 : lo]!;
  }
}

export class RingHashLoadBalancer<H extends LbHost> extends LoadBalancerBase<H, HashRing<H>> {
  constructor(hostSets: readonly HostSet<H>[], random: Random, options?: LoadBalancerOptions) {
    super(hostSets, random, options);
  }

  protected createState(hosts: readonly H[]): HashRing<H> {
    return new HashRing(hosts, this.options.minimumRingSize, this.options.maximumRingSize);
  }

  chooseHost(hashKey: bigint | undefined): H | null {
    const hash = hashKey ?? randomHash(this.random);
    const src = this.hostsSource(hashToNumber(hash));
    return this.stateFor(src).lookup(hash);
  }
}

/** A 64-bit random value from two 32-bit draws (Envoy uses random() when there is no hash key). */
export function randomHash(random: Random): bigint {
  return (BigInt(random() >>> 0) << 32n) | BigInt(random() >>> 0);
}
