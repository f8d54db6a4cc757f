/**
 * What every algorithm shares (Envoy's LoadBalancerBase): the snapshot, the priority load, and
 * the choice of a host source — a priority and its healthy, degraded or (in panic) all hosts.
 * Pure; per-source state (EDF schedulers, rings) is cached per instance, built on first use.
 */
import { choosePriority, computePriorityLoad, hostsOf, type PriorityLoad } from './priority_load.js';
import type { CounterSink, HostSet, HostsSourceType, LbHost, LoadBalancer, LoadBalancerOptions, Random } from './types.js';

/** A chosen priority and which of its hosts to draw from. */
export interface HostsSource {
  readonly priority: number;
  readonly source: HostsSourceType;
}

const SOURCES: readonly HostsSourceType[] = ['all_hosts', 'healthy_hosts', 'degraded_hosts'];

export abstract class LoadBalancerBase<H extends LbHost> implements LoadBalancer<H> {
  readonly load: PriorityLoad;
  protected readonly healthyPanic: CounterSink | undefined;
  /** Per (priority, source) state, index `priority * 3 + source`. */
  private readonly perSource: unknown[] = [];

  constructor(
    readonly hostSets: readonly HostSet<H>[],
    protected readonly random: Random,
    readonly options: LoadBalancerOptions = {},
  ) {
    this.load = computePriorityLoad(hostSets, options.healthyPanicThresholdPercent, options.overprovisioningFactor);
    this.healthyPanic = options.healthyPanic;
  }

  abstract chooseHost(hashKey: bigint | undefined): H | null;

  /**
   * Chooses the priority from `value` (a hash or a random number) and the hosts to draw from,
   * counting a panic pick (Envoy's hostSourceToUse).
   */
  protected hostsSource(value: number): HostsSource {
    const { priority, source } = choosePriority(value, this.load);
    if (this.load.panic[priority]) {
      this.healthyPanic?.inc();
      return { priority, source: 'all_hosts' };
    }
    return { priority, source };
  }

  protected hostsFor(src: HostsSource): readonly H[] {
    return hostsOf(this.hostSets[src.priority], src.source);
  }

  /** Cached per-source state, created by `make` on first use. */
  protected stateFor<S>(src: HostsSource, make: (hosts: readonly H[]) => S): S {
    const key = src.priority * 3 + SOURCES.indexOf(src.source);
    let s = this.perSource[key] as S | undefined;
    if (s === undefined) {
      s = make(this.hostsFor(src));
      this.perSource[key] = s;
    }
    return s;
  }
}

/** True when every host of the list has the same weight (Envoy then skips EDF). */
export function equalWeights(hosts: readonly LbHost[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i]!.weight !== hosts[0]!.weight) return false;
  return true;
}

/** Folds a 64-bit hash into a number for `% 100` priority choice and table indexing. */
export function hashToNumber(hash: bigint): number {
  return Number(hash % 4294967296n);
}
