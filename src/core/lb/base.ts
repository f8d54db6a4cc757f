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
  /** `priority * 3 + source` position, keys per-source state. */
  readonly index: number;
}

const SOURCES: readonly HostsSourceType[] = ['all_hosts', 'healthy_hosts', 'degraded_hosts'];

/** `S` is the per-source state an algorithm keeps (use `undefined` for none). */
export abstract class LoadBalancerBase<H extends LbHost, S = unknown> implements LoadBalancer<H> {
  readonly load: PriorityLoad;
  protected readonly healthyPanic: CounterSink | undefined;
  /** Per (priority, source) state, index `priority * 3 + source`. */
  private readonly perSource: (S | undefined)[] = [];

  /**
   * When one source takes 100 % of the load (the common case: one priority, healthy enough),
   * picks skip the priority draw entirely.
   */
  private readonly fixedSource: HostsSource | undefined;
  /** Pre-built sources, index `priority * 3 + source`, so picks allocate nothing. */
  private readonly sources: HostsSource[] = [];

  constructor(
    readonly hostSets: readonly HostSet<H>[],
    protected readonly random: Random,
    readonly options: LoadBalancerOptions = {},
  ) {
    this.load = computePriorityLoad(hostSets, options.healthyPanicThresholdPercent, options.overprovisioningFactor);
    this.healthyPanic = options.healthyPanic;
    for (let p = 0; p < Math.max(1, hostSets.length); p++) {
      for (const source of SOURCES) this.sources.push({ priority: p, source, index: this.sources.length });
    }
    const l = this.load;
    for (let p = 0; p < l.healthyLoad.length; p++) {
      if (l.healthyLoad[p] === 100 && !l.panic[p]) this.fixedSource = this.sourceOf(p, 'healthy_hosts');
      if (l.degradedLoad[p] === 100 && !l.panic[p]) this.fixedSource = this.sourceOf(p, 'degraded_hosts');
    }
  }

  private sourceOf(priority: number, source: HostsSourceType): HostsSource {
    return this.sources[priority * 3 + SOURCES.indexOf(source)]!;
  }

  /** True when picks need no priority draw (callers may then skip drawing a random value). */
  protected get hasFixedSource(): boolean {
    return this.fixedSource !== undefined;
  }

  abstract chooseHost(hashKey: bigint | undefined): H | null;

  /**
   * Chooses the priority from `value` (a hash or a random number) and the hosts to draw from,
   * counting a panic pick (Envoy's hostSourceToUse).
   */
  protected hostsSource(value: number): HostsSource {
    if (this.fixedSource) return this.fixedSource;
    const { priority, source } = choosePriority(value, this.load);
    if (this.load.panic[priority]) {
      this.healthyPanic?.inc();
      return this.sourceOf(priority, 'all_hosts');
    }
    return this.sourceOf(priority, source);
  }

  protected hostsFor(src: HostsSource): readonly H[] {
    return hostsOf(this.hostSets[src.priority], src.source);
  }

  /** Builds the per-source state (EDF schedule, ring, table) for a host list; called once per source. */
  protected abstract createState(hosts: readonly H[]): S;

  /** Cached per-source state, built by `createState` on first use. */
  protected stateFor(src: HostsSource): S {
    let s = this.perSource[src.index];
    if (s === undefined) {
      s = this.createState(this.hostsFor(src));
      this.perSource[src.index] = s;
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
