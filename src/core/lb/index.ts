/**
 * Load balancer factory: one entry point from Envoy's `lb_policy` name to an algorithm over an
 * immutable host snapshot. Pure; the random source is injected.
 */
import { LeastRequestLoadBalancer } from './least_request.js';
import { MaglevLoadBalancer } from './maglev.js';
import { RandomLoadBalancer } from './random.js';
import { RingHashLoadBalancer } from './ring_hash.js';
import { RoundRobinLoadBalancer } from './round_robin.js';
import type { HostSet, LbAlgorithm, LbHost, LoadBalancer, LoadBalancerOptions, Random } from './types.js';

export type { HostSet, LbAlgorithm, LbHost, LoadBalancer, LoadBalancerOptions, Random, HostHealth } from './types.js';
export { computePriorityLoad, choosePriority } from './priority_load.js';
export { xxHash64 } from './xxhash64.js';

/** Builds the algorithm `policy` names over `hostSets` (index = priority). */
export function createLoadBalancer<H extends LbHost>(
  policy: LbAlgorithm,
  hostSets: readonly HostSet<H>[],
  random: Random,
  options?: LoadBalancerOptions,
): LoadBalancer<H> {
  switch (policy) {
    case 'ROUND_ROBIN':
      return new RoundRobinLoadBalancer(hostSets, random, options);
    case 'LEAST_REQUEST':
      return new LeastRequestLoadBalancer(hostSets, random, options);
    case 'RANDOM':
      return new RandomLoadBalancer(hostSets, random, options);
    case 'RING_HASH':
      return new RingHashLoadBalancer(hostSets, random, options);
    case 'MAGLEV':
      return new MaglevLoadBalancer(hostSets, random, options);
  }
}

/** Splits hosts into per-priority host sets by their `priority` and `health`. */
export function buildHostSets<H extends LbHost & { readonly priority: number }>(hosts: readonly H[]): HostSet<H>[] {
  let max = 0;
  for (const h of hosts) max = Math.max(max, h.priority);
  const sets: { priority: number; hosts: H[]; healthyHosts: H[]; degradedHosts: H[] }[] = [];
  for (let p = 0; p <= max; p++) sets.push({ priority: p, hosts: [], healthyHosts: [], degradedHosts: [] });
  for (const h of hosts) {
    const s = sets[h.priority]!;
    s.hosts.push(h);
    if (h.health === 'healthy') s.healthyHosts.push(h);
    else if (h.health === 'degraded') s.degradedHosts.push(h);
  }
  return sets;
}
