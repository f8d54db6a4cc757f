/**
 * RANDOM (Envoy's RandomLoadBalancer): a uniformly random host of the source; weights are not
 * used (as in Envoy). Pure: the random value is injected. No state.
 */
import { LoadBalancerBase } from './base.js';
import type { HostSet, LbHost, LoadBalancerOptions, Random } from './types.js';

export class RandomLoadBalancer<H extends LbHost> extends LoadBalancerBase<H, undefined> {
  constructor(hostSets: readonly HostSet<H>[], random: Random, options?: LoadBalancerOptions) {
    super(hostSets, random, options);
  }

  protected createState(): undefined {
    return undefined;
  }

  chooseHost(_hashKey: bigint | undefined): H | null {
    const hosts = this.hostsFor(this.hostsSource(this.hasFixedSource ? 0 : this.random()));
    if (hosts.length === 0) return null;
    return hosts[this.random() % hosts.length]!;
  }
}
