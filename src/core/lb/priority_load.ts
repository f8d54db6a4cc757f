/**
 * Priority load and panic mode over a snapshot of host sets, as Envoy's LoadBalancerBase computes
 * them (source/common/upstream/load_balancer_impl.cc): each priority's health is
 * `min(100, overprovisioning_factor * healthy / total)`; load goes to the highest priorities
 * first in proportion to their health; a priority whose healthy+degraded share is below
 * `healthy_panic_threshold` is in panic and draws from all its hosts; when every priority is in
 * panic the load is split by host count. Pure, computed once per snapshot.
 */
import type { HostSet, HostsSourceType, LbHost } from './types.js';
import { DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT, DEFAULT_OVERPROVISIONING_FACTOR } from '../../config/defaults.js';


/** The computed load split of a snapshot. Immutable. */
export interface PriorityLoad {
  /** Percent of traffic per priority drawn from healthy hosts (sums with degraded to 100). */
  readonly healthyLoad: readonly number[];
  readonly degradedLoad: readonly number[];
  /** Priorities whose picks use all hosts (panic mode). */
  readonly panic: readonly boolean[];
}

function distribute(
  out: number[],
  availability: readonly number[],
  totalLoad: number,
  normalizedTotal: number,
): { first: number; remaining: number } {
  let first = -1;
  for (let i = 0; i < availability.length; i++) {
    if (first < 0 && availability[i]! > 0) first = i;
    out[i] = Math.min(totalLoad, Math.floor((availability[i]! * 100) / normalizedTotal));
    totalLoad -= out[i]!;
  }
  return { first, remaining: totalLoad };
}

/** Computes healthy/degraded load per priority and the panic flags (Envoy's recalculatePerPriorityState/Panic). */
export function computePriorityLoad<H extends LbHost>(
  hostSets: readonly HostSet<H>[],
  panicThresholdPercent: number = DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT,
  overprovisioningFactor: number = DEFAULT_OVERPROVISIONING_FACTOR,
): PriorityLoad {
  const n = Math.max(1, hostSets.length);
  const health = new Array<number>(n).fill(0);
  const degraded = new Array<number>(n).fill(0);
  const healthyLoad = new Array<number>(n).fill(0);
  const degradedLoad = new Array<number>(n).fill(0);
  const panic = new Array<boolean>(n).fill(false);
  for (let i = 0; i < hostSets.length; i++) {
    const hs = hostSets[i]!;
    const total = hs.hosts.length;
    if (total === 0) continue;
    health[i] = Math.min(100, Math.floor((overprovisioningFactor * hs.healthyHosts.length) / total));
    degraded[i] = Math.min(100, Math.floor((overprovisioningFactor * hs.degradedHosts.length) / total));
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += health[i]! + degraded[i]!;
  const normalizedTotal = Math.min(100, sum);
  const threshold = Math.min(100, panicThresholdPercent);

  if (normalizedTotal > 0) {
    const h = distribute(healthyLoad, health, 100, normalizedTotal);
    const d = distribute(degradedLoad, degraded, h.remaining, normalizedTotal);
    // Rounding leftovers go to the first healthy priority, else the first degraded one.
    if (d.remaining !== 0) {
      if (h.first >= 0) healthyLoad[h.first]! += d.remaining;
      else if (d.first >= 0) degradedLoad[d.first]! += d.remaining;
    }
  }
  if (threshold === 0 && normalizedTotal === 0) {
    // Panic disabled and nothing available: Envoy assigns P0 so loads sum to 100; picks then find
    // no healthy host and fail (no_healthy_upstream).
    healthyLoad[0] = 100;
    return { healthyLoad, degradedLoad, panic };
  }
  for (let i = 0; i < hostSets.length; i++) {
    // Never panic while the normalized total health is 100 %, however sparse one level is.
    panic[i] = normalizedTotal === 100 ? false : hostSetInPanic(hostSets[i]!, threshold);
  }
  if (panic.every((p) => p)) {
    // Total panic: split by number of hosts per priority, regardless of health.
    let totalHosts = 0;
    for (const hs of hostSets) totalHosts += hs.hosts.length;
    healthyLoad.fill(0);
    degradedLoad.fill(0);
    if (totalHosts === 0) {
      healthyLoad[0] = 100;
    } else {
      let left = 100;
      let firstNonEmpty = -1;
      for (let i = 0; i < hostSets.length; i++) {
        const count = hostSets[i]!.hosts.length;
        if (firstNonEmpty < 0 && count > 0) firstNonEmpty = i;
        healthyLoad[i] = Math.floor((100 * count) / totalHosts);
        left -= healthyLoad[i]!;
      }
      healthyLoad[firstNonEmpty]! += left;
    }
  }
  return { healthyLoad, degradedLoad, panic };
}

function hostSetInPanic<H extends LbHost>(hs: HostSet<H>, threshold: number): boolean {
  const count = hs.hosts.length;
  const healthyPercent = count === 0 ? 0 : (100 * hs.healthyHosts.length) / count;
  const degradedPercent = count === 0 ? 0 : (100 * hs.degradedHosts.length) / count;
  return healthyPercent + degradedPercent < threshold;
}

/**
 * Picks a priority from a value in any range (`hash % 100 + 1` against the cumulative loads,
 * healthy first, then degraded), as Envoy's choosePriority. Returns the priority and whether the
 * healthy or degraded hosts are targeted.
 */
export function choosePriority(
  value: number,
  load: PriorityLoad,
): { priority: number; source: 'healthy_hosts' | 'degraded_hosts' } {
  const h = (value % 100) + 1;
  let aggregate = 0;
  for (let i = 0; i < load.healthyLoad.length; i++) {
    aggregate += load.healthyLoad[i]!;
    if (h <= aggregate) return { priority: i, source: 'healthy_hosts' };
  }
  for (let i = 0; i < load.degradedLoad.length; i++) {
    aggregate += load.degradedLoad[i]!;
    if (h <= aggregate) return { priority: i, source: 'degraded_hosts' };
  }
  return { priority: 0, source: 'healthy_hosts' };
}

/** The host list a source names. */
export function hostsOf<H extends LbHost>(hs: HostSet<H> | undefined, source: HostsSourceType): readonly H[] {
  if (!hs) return [];
  return source === 'all_hosts' ? hs.hosts : source === 'healthy_hosts' ? hs.healthyHosts : hs.degradedHosts;
}
