/**
 * ROUND_ROBIN (Envoy's RoundRobinLoadBalancer): with equal weights, a rotating index over the
 * source's hosts; with unequal weights, an EDF schedule in which each host gets picks in
 * proportion to `load_balancing_weight`. Pure; state per instance (one per worker).
 */
import { LoadBalancerBase, equalWeights } from './base.js';
import { EdfScheduler } from './edf_scheduler.js';
import type { HostSet, LbHost, LoadBalancerOptions, Random } from './types.js';

interface RrState<H> {
  hosts: readonly H[];
  index: number;
  edf: EdfScheduler<H> | undefined;
}

const weightOf = (h: LbHost): number => h.weight;

export class RoundRobinLoadBalancer<H extends LbHost> extends LoadBalancerBase<H, RrState<H>> {
  constructor(hostSets: readonly HostSet<H>[], random: Random, options?: LoadBalancerOptions) {
    super(hostSets, random, options);
  }

  protected createState(hosts: readonly H[]): RrState<H> {
    let edf: EdfScheduler<H> | undefined;
    if (!equalWeights(hosts)) {
      edf = new EdfScheduler<H>();
      for (const h of hosts) edf.add(h.weight, h);
    }
    return { hosts, index: 0, edf };
  }

  chooseHost(_hashKey: bigint | undefined): H | null {
    const src = this.hostsSource(this.hasFixedSource ? 0 : this.random());
    const st = this.stateFor(src);
    if (st.hosts.length === 0) return null;
    if (st.edf) return st.edf.pickAndAdd(weightOf) ?? null;
    return st.hosts[st.index++ % st.hosts.length]!;
  }
}
