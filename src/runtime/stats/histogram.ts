/**
 * Envoy's histograms (ParentHistogramImpl over libcircllhist): every recorded value is an
 * unsigned integer (ms values are truncated, as `std::chrono::milliseconds` does) that lands in
 * a log-linear bin of two significant decimal digits — `[5, 5.1)`, `[42, 43)`, `[120, 130)`,
 * plus a bin for 0 — exactly circllhist's `hist_insert_intscale(value, 0, 1)` bins.
 *
 * Recording touches one slot of a preallocated per-decade Float64Array (allocated the first time
 * a decade is hit, then reused): no allocation per sample. `merge()` is Envoy's stats flush
 * (`stats_flush_interval`, default 5 s, or every admin read with `stats_flush_on_admin`): the
 * samples recorded since the last merge become the *interval* histogram and are added to the
 * *cumulative* one. Quantiles (`hist_approx_quantile`), bucket counts (`hist_approx_count_below`)
 * and the sum (`hist_approx_sum`, bin midpoints) are computed from the bins as circllhist does,
 * with the same floating-point operations, so the numbers match Envoy's `/stats` and
 * `/stats/prometheus` for the same samples.
 */

/** Envoy's default bucket bounds (HistogramSettingsImpl::defaultBuckets), in the unit recorded (ms). */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/** HistogramStatisticsImpl::supportedQuantiles. */
export const SUPPORTED_QUANTILES: readonly number[] = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1];

/** Decades of integer values a uint64 can span (1 .. 1.8e19). */
const DECADES = 20;
/** Two significant digits: 10..99 per decade. */
const SLOTS = 90;

/** Bins of one histogram: the zero bin and, per decade, 90 slots (lazily allocated). */
class Bins {
  zero = 0;
  readonly decades: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(DECADES).fill(undefined);

  add(other: Bins): void {
    this.zero += other.zero;
    for (let d = 0; d < DECADES; d++) {
      const src = other.decades[d];
      if (src === undefined) continue;
      let dst = this.decades[d];
      if (dst === undefined) dst = this.decades[d] = new Float64Array(SLOTS);
      for (let i = 0; i < SLOTS; i++) dst[i]! += src[i]!;
    }
  }

  clear(): void {
    this.zero = 0;
    for (const a of this.decades) a?.fill(0);
  }

  /** Calls `f(left, width, count)` for every non-empty bin in ascending order. */
  forEach(f: (left: number, width: number, count: number) => boolean | void): void {
    if (this.zero > 0 && f(0, 0, this.zero) === false) return;
    for (let d = 0; d < DECADES; d++) {
      const a = this.decades[d];
      if (a === undefined) continue;
      const scale = 10 ** d;
      const width = scale / 10;
      for (let i = 0; i < SLOTS; i++) {
        const c = a[i]!;
        if (c === 0) continue;
        // circllhist's hist_bucket_to_double: (val / 10) * 10^exp, the same operations.
        if (f(((i + 10) / 10) * scale, width, c) === false) return;
      }
    }
  }
}

/** Statistics of one bin set, computed on demand and cached until the next merge. */
export class HistogramStatistics {
  private quantiles: number[] | undefined;
  private buckets: number[] | undefined;
  private count: number | undefined;
  private sum: number | undefined;

  constructor(
    private readonly bins: Bins,
    readonly supportedBuckets: readonly number[],
  ) {}

  /** Drops cached values (the bins changed). */
  invalidate(): void {
    this.quantiles = this.buckets = this.count = this.sum = undefined;
  }

  /** hist_sample_count. */
  sampleCount(): number {
    if (this.count === undefined) {
      let n = 0;
      this.bins.forEach((_l, _w, c) => {
        n += c;
      });
      this.count = n;
    }
    return this.count;
  }

  /** hist_approx_sum: the sum of bin midpoints times counts. */
  sampleSum(): number {
    if (this.sum === undefined) {
      let s = 0;
      this.bins.forEach((left, width, c) => {
        s += (left + width / 2) * c;
      });
      this.sum = s;
    }
    return this.sum;
  }

  /** hist_approx_quantile for SUPPORTED_QUANTILES; NaN for every quantile when empty. */
  computedQuantiles(): readonly number[] {
    if (this.quantiles === undefined) this.quantiles = approxQuantiles(this.bins, SUPPORTED_QUANTILES, this.sampleCount());
    return this.quantiles;
  }

  /** hist_approx_count_below for every supported bucket bound (cumulative counts). */
  computedBuckets(): readonly number[] {
    if (this.buckets === undefined) {
      // One walk: bins and bounds both ascend; a bin counts under every bound at or above its top.
      const bounds = this.supportedBuckets;
      const out = new Array<number>(bounds.length).fill(0);
      let first = 0;
      this.bins.forEach((left, width, c) => {
        const top = left + width;
        while (first < bounds.length && bounds[first]! < top) first++;
        if (first === bounds.length) return false;
        out[first]! += c;
      });
      for (let i = 1; i < out.length; i++) out[i]! += out[i - 1]!;
      this.buckets = out;
    }
    return this.buckets;
  }

  /** HistogramStatisticsImpl::computeDisjointBuckets: per-bucket (non-cumulative) counts. */
  computeDisjointBuckets(): number[] {
    const cum = this.computedBuckets();
    return cum.map((v, i) => v - (i === 0 ? 0 : cum[i - 1]!));
  }
}

function approxQuantiles(bins: Bins, qs: readonly number[], total: number): number[] {
  if (total === 0) return qs.map(() => NaN);
  const targets = qs.map((q) => total * q);
  const out: number[] = [];
  let left = 0;
  let width = 0;
  let lower = 0;
  let upper = 0;
  let qi = 0;
  // Walk the bins and the quantiles together (hist_approx_quantile): a quantile falls in the
  // first bin whose running count reaches it, linearly interpolated inside that bin.
  const at = (t: number): number => {
    if (lower === t) return left;
    if (upper === t) return left + width;
    return width === 0 ? left : left + ((t - lower) / (upper - lower)) * width;
  };
  const emit = (): void => {
    while (qi < targets.length && upper >= targets[qi]!) out.push(at(targets[qi++]!));
  };
  bins.forEach((l, w, c) => {
    left = l;
    width = w;
    lower = upper;
    upper = lower + c;
    emit();
    return qi < targets.length;
  });
  // A quantile beyond the last bin (rounding) is placed by the last bin, as circllhist does.
  while (qi < targets.length) out.push(at(targets[qi++]!));
  return out;
}

/**
 * One histogram (Envoy's ParentHistogram). `record()` is the hot-path call; everything else runs
 * at flush or admin time.
 */
export class Histogram {
  /** Samples recorded since creation (merged or not); for tests and quick checks. */
  count = 0;
  /** Exact sum of the recorded values (after truncation to integers). */
  sum = 0;
  private current = new Bins();
  private interval = new Bins();
  private readonly cumulative = new Bins();
  readonly cumulativeStatistics: HistogramStatistics;
  private merged = false;
  private intervalStats: HistogramStatistics;

  constructor(
    readonly name: string,
    /** Bucket bounds for Prometheus and `histogram_buckets` (sorted ascending). */
    readonly supportedBuckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    this.intervalStats = new HistogramStatistics(this.interval, supportedBuckets);
    this.cumulativeStatistics = new HistogramStatistics(this.cumulative, supportedBuckets);
  }

  /** Records one value (ms): truncated to an unsigned integer as Envoy's uint64 samples. */
  record(value: number): void {
    const v = value >= 1 ? Math.floor(value) : 0;
    this.count++;
    this.sum += v;
    const bins = this.current;
    if (v === 0) {
      bins.zero++;
      return;
    }
    // Decade d holds [10^d, 10^(d+1)); its slots are the two leading digits 10..99.
    let d = 0;
    let p = 10;
    while (v >= p && d < DECADES - 1) {
      p *= 10;
      d++;
    }
    const lead = d === 0 ? v * 10 : Math.min(99, Math.floor(v / (p / 100)));
    let a = bins.decades[d];
    if (a === undefined) a = bins.decades[d] = new Float64Array(SLOTS);
    a[lead - 10]!++;
  }

  /**
   * Envoy's merge at stats flush: the samples since the last merge become the interval
   * histogram and are added to the cumulative one.
   */
  merge(): void {
    const fresh = this.current;
    this.cumulative.add(fresh);
    const old = this.interval;
    old.clear();
    this.interval = fresh;
    this.current = old;
    this.intervalStats = new HistogramStatistics(this.interval, this.supportedBuckets);
    this.cumulativeStatistics.invalidate();
    if (!this.merged && this.cumulativeStatistics.sampleCount() > 0) this.merged = true;
  }

  /** Statistics of the last completed interval (the samples between the last two merges). */
  get intervalStatistics(): HistogramStatistics {
    return this.intervalStats;
  }

  /** Envoy's ParentHistogram::used(): some samples have been merged. */
  get used(): boolean {
    return this.merged;
  }
}
