/**
 * LEAST_REQUEST (Envoy's LeastRequestLoadBalancer). Equal weights: power of N choices — sample
 * `choice_count` (default 2) random hosts and take the one with the fewest active requests (the
 * first sampled wins ties). Unequal weights: EDF where a host's effective weight is
 * `weight / (active_requests + 1) ^ active_request_bias` (bias default 1.0), recomputed each
 * time the host is re-added after a pick. Pure; random injected; EDF state per instance.
 */
import { LoadBalancerBase, equalWeights } from './base.js';
import { EdfScheduler } from './edf_scheduler.js';
import type { HostSet, LbHost, LoadBalancerOptions, Random } from './types.js';
import { DEFAULT_LEAST_REQUEST_CHOICE_COUNT } from '../../config/defaults.js';

/** Envoy's `active_request_bias` default. */
export const DEFAULT_ACTIVE_REQUEST_BIAS = 1.0;

interface LrState<H> {
  hosts: readonly H[];
  edf: EdfScheduler<H> | undefined;
}

export class LeastRequestLoadBalancer<H extends LbHost> extends LoadBalancerBase<H, LrState<H>> {
  private readonly choiceCount: number;
  private readonly bias: number;
  private readonly effectiveWeight: (h: H) => number;

  constructor(hostSets: readonly HostSet<H>[], random: Random, options: LoadBalancerOptions = {}) {
    super(hostSets, random, options);
    this.choiceCount = Math.max(2, options.choiceCount ?? DEFAULT_LEAST_REQUEST_CHOICE_COUNT);
    this.bias = options.activeRequestBias ?? DEFAULT_ACTIVE_REQUEST_BIAS;
    const bias = this.bias;
    this.effectiveWeight =
      bias === 1
        ? (h) => h.weight / (h.activeRequests + 1)
        : bias === 0
          ? (h) => h.weight
          : (h) => h.weight / Math.pow(h.activeRequests + 1, bias);
  }

  protected createState(hosts: readonly H[]): LrState<H> {
    let edf: EdfScheduler<H> | undefined;
    if (!equalWeights(hosts)) {
      edf = new EdfScheduler<H>();
      for (const h of hosts) edf.add(this.effectiveWeight(h), h);
    }
    return { hosts, edf };
  }

  chooseHost(_hashKey: bigint | undefined): H | null {
    const src = this.hostsSource(this.hasFixedSource ? 0 : this.random());
    const st = this.stateFor(src);
    const hosts = st.hosts;
    if (hosts.length === 0) return null;
    if (st.edf) return st.edf.pickAndAdd(this.effectiveWeight) ?? null;
    let best: H | undefined;
    for (let i = 0; i < this.choiceCount; i++) {
      const sampled = hosts[this.random() % hosts.length]!;
      if (best === undefined || sampled.activeRequests < best.activeRequests) best = sampled;
    }
    return best ?? null;
  }
}
