/**
 * The one stats store, with Envoy's stat names (`cluster.web.upstream_rq_total`,
 * `http.ingress.downstream_rq_2xx`, `listener.127.0.0.1_10000.downstream_cx_total`).
 * The admin API, Prometheus output and `top` read this same store.
 *
 * Hot paths resolve their Counter/Gauge/Histogram objects once (at config or connection time)
 * and then only call `inc()`/`record()`: no string building per request.
 */

export class Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
  }
  reset(): void {
    this.value = 0;
  }
}

export class Gauge {
  value = 0;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** Envoy's default histogram bucket bounds (ms). */
export const DEFAULT_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

export class Histogram {
  count = 0;
  sum = 0;
  /** counts[i] = samples <= DEFAULT_BUCKETS[i] (non-cumulative); last slot is +Inf. */
  readonly counts = new Array<number>(DEFAULT_BUCKETS.length + 1).fill(0);
  constructor(readonly name: string) {}
  record(v: number): void {
    this.count++;
    this.sum += v;
    let i = 0;
    while (i < DEFAULT_BUCKETS.length && v > DEFAULT_BUCKETS[i]!) i++;
    this.counts[i]!++;
  }
}

export class StatsStore {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, Gauge>();
  readonly histograms = new Map<string, Histogram>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter(name);
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string): Gauge {
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge(name);
      this.gauges.set(name, g);
    }
    return g;
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram(name);
      this.histograms.set(name, h);
    }
    return h;
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
