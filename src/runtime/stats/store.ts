/**
 * The one stats store, with Envoy's stat names (`cluster.web.upstream_rq_total`,
 * `http.ingress.downstream_rq_2xx`, `listener.127.0.0.1_10000.downstream_cx_total`).
 * The admin API, Prometheus output and `top` read this same store.
 *
 * Hot paths resolve their Counter/Gauge/Histogram objects once (at config or connection time)
 * and then only call `inc()`/`record()`: no string building per request.
 */

import { DEFAULT_BUCKETS, Histogram } from './histogram.js';

export { DEFAULT_BUCKETS, Histogram } from './histogram.js';

/** A histogram `stats_matcher` rejected: records nothing (Envoy's NullHistogramImpl). */
class NullHistogram extends Histogram {
  override record(): void {}
}

export class Counter {
  value = 0;
  /** Reset while non-zero: `used` stays true after /reset_counters (Envoy's used flag). */
  private wasUsed = false;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
  }
  reset(): void {
    if (this.value !== 0) this.wasUsed = true;
    this.value = 0;
  }
  /** Envoy's Metric::used(): incremented at least once since creation (`?usedonly`). */
  get used(): boolean {
    return this.value !== 0 || this.wasUsed;
  }
}

export class Gauge {
  value = 0;
  /** Envoy's Metric::used(): set, incremented or decremented at least once (`?usedonly`). */
  used = false;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
    this.used = true;
  }
  dec(n = 1): void {
    this.value -= n;
    this.used = true;
  }
  set(v: number): void {
    this.value = v;
    this.used = true;
  }
}

/**
 * What `stats_config` decides when a stat is created: whether it exists at all (`stats_matcher`:
 * a rejected stat is a working object that no store lists, as Envoy's null stats) and the
 * bucket bounds of a histogram (`histogram_bucket_settings`, first match on the full name).
 */
export interface StatsCreationPolicy {
  rejects(name: string): boolean;
  histogramBuckets(name: string): readonly number[];
}

export class StatsStore {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, Gauge>();
  readonly histograms = new Map<string, Histogram>();
  /** Stats `stats_matcher` rejected: handed out (so callers work) but never listed. */
  private readonly rejected = new Map<string, Counter | Gauge | Histogram>();

  constructor(private readonly policy?: StatsCreationPolicy) {}

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      if (this.policy?.rejects(name)) return this.rejectedStat(name, () => new Counter(name));
      c = new Counter(name);
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string): Gauge {
    let g = this.gauges.get(name);
    if (!g) {
      if (this.policy?.rejects(name)) return this.rejectedStat(name, () => new Gauge(name));
      g = new Gauge(name);
      this.gauges.set(name, g);
    }
    return g;
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      if (this.policy?.rejects(name)) return this.rejectedStat(name, () => new NullHistogram(name));
      h = new Histogram(name, this.policy?.histogramBuckets(name) ?? DEFAULT_BUCKETS);
      this.histograms.set(name, h);
    }
    return h;
  }

  private rejectedStat<T extends Counter | Gauge | Histogram>(name: string, make: () => T): T {
    let s = this.rejected.get(name);
    if (s === undefined) {
      s = make();
      this.rejected.set(name, s);
    }
    return s as T;
  }

  /** Envoy's stats flush for histograms: interval histograms roll over into cumulative ones. */
  mergeHistograms(): void {
    for (const h of this.histograms.values()) h.merge();
  }

  /** Counter value by full name, 0 when never created (tests and admin read this). */
  counterValue(name: string): number {
    return this.counters.get(name)?.value ?? 0;
  }

  gaugeValue(name: string): number {
    return this.gauges.get(name)?.value ?? 0;
  }

  /** A scope prefixes names: `store.scope('cluster.web.').counter('upstream_rq_total')`. */
  scope(prefix: string): StatsScope {
    return new StatsScope(this, prefix);
  }

  resetCounters(): void {
    for (const c of this.counters.values()) c.reset();
  }
}

export class StatsScope {
  constructor(
    readonly store: StatsStore,
    readonly prefix: string,
  ) {}
  counter(name: string): Counter {
    return this.store.counter(this.prefix + name);
  }
  gauge(name: string): Gauge {
    return this.store.gauge(this.prefix + name);
  }
  histogram(name: string): Histogram {
    return this.store.histogram(this.prefix + name);
  }
  scope(prefix: string): StatsScope {
    return new StatsScope(this.store, this.prefix + prefix);
  }
}
