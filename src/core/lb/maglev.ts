/**
 * MAGLEV (Envoy's MaglevLoadBalancer, Google's Maglev consistent hashing). A lookup table of
 * `table_size` entries (default 65537, prime) is filled by letting each host walk its own
 * permutation `(offset + skip * j) % M`, with `offset = xxHash64(address) % M` and
 * `skip = xxHash64(address, seed 1) % (M - 1) + 1`; weighted as Envoy does, a host with half the
 * largest normalized weight claims a slot every second round. A request hash picks
 * `table[hash % M]`; without a hash key a random value is used.
 *
 * Pure. Tables are built on first use per priority/source and then immutable.
 */
import { LoadBalancerBase, hashToNumber } from './base.js';
import { randomHash } from './ring_hash.js';
import type { HostSet, LbHost, LoadBalancerOptions, Random } from './types.js';
import { xxHash64 } from './xxhash64.js';
import { DEFAULT_MAGLEV_TABLE_SIZE } from '../../config/defaults.js';


/** An immutable Maglev lookup table. */
export class MaglevTable<H extends LbHost> {
  readonly table: readonly H[];
  readonly tableSize: number;

  constructor(hosts: readonly H[], tableSize = DEFAULT_MAGLEV_TABLE_SIZE) {
    this.tableSize = tableSize;
    const M = BigInt(tableSize);
    let total = 0;
    for (const h of hosts) total += h.weight;
    if (hosts.length === 0 || total <= 0) {
      this.table = [];
      return;
    }
    let maxNormalized = 0;
    const entries = hosts.map((host) => {
      const weight = host.weight / total;
      maxNormalized = Math.max(maxNormalized, weight);
      return {
        host,
        offset: Number(xxHash64(host.hashKey) % M),
        skip: Number(xxHash64(host.hashKey, 1n) % (M - 1n)) + 1,
        weight,
        targetWeight: 0,
        next: 0,
      };
    });
    const table = new Array<H | undefined>(tableSize);
    let filled = 0;
    for (let iteration = 1; filled < tableSize; iteration++) {
      for (let i = 0; i < entries.length && filled < tableSize; i++) {
        const e = entries[i]!;
        // A host with weight max/k is placed once every k iterations.
        if (iteration * e.weight < e.targetWeight) continue;
        e.targetWeight += maxNormalized;
        let c = (e.offset + e.skip * e.next) % tableSize;
        while (table[c] !== undefined) {
          e.next++;
          c = (e.offset + e.skip * e.next) % tableSize;
        }
        table[c] = e.host;
        e.next++;
        filled++;
      }
    }
    this.table = table as H[];
  }

  lookup(hash: bigint): H | null {
    if (this.table.length === 0) return null;
    return this.table[Number(hash % BigInt(this.tableSize))]!;
  }
}

export class MaglevLoadBalancer<H extends LbHost> extends LoadBalancerBase<H, MaglevTable<H>> {
  constructor(hostSets: readonly HostSet<H>[], random: Random, options?: LoadBalancerOptions) {
    super(hostSets, random, options);
  }

  protected createState(hosts: readonly H[]): MaglevTable<H> {
    return new MaglevTable(hosts, this.options.maglevTableSize);
  }

  chooseHost(hashKey: bigint | undefined): H | null {
    const hash = hashKey ?? randomHash(this.random);
    const src = this.hostsSource(hashToNumber(hash));
    return this.stateFor(src).lookup(hash);
  }
}
