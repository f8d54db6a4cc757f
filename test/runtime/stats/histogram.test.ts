// Histograms as Envoy computes them (circllhist bins, hist_approx_quantile, count_below,
// approx_sum), checked against known inputs: Envoy's own well-known summary for one sample of 1
// ("P0(nan,1) P25(nan,1.025) ... P100(nan,1.1)"), and values 1..100 worked out by hand from the
// bin rules (value v in [10^d, 10^(d+1)) lands in a bin of width 10^(d-1); v < 10 in width 0.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BUCKETS, Histogram } from '../../../src/runtime/stats/histogram.js';
import { quantileSummary } from '../../../src/runtime/admin/stats_text.js';

test("Envoy's default buckets, as histogram_impl.cc lists them", () => {
  assert.deepEqual(DEFAULT_BUCKETS, [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000]);
});

test('one sample of 1: the summary Envoy prints, interval empty after the next merge', () => {
  const h = new Histogram('t');
  assert.equal(quantileSummary(h), 'No recorded values');
  h.record(1);
  assert.equal(quantileSummary(h), 'No recorded values', 'not merged yet');
  h.merge();
  assert.equal(quantileSummary(h), 'P0(1,1) P25(1.025,1.025) P50(1.05,1.05) P75(1.075,1.075) P90(1.09,1.09) P95(1.095,1.095) P99(1.099,1.099) P99.5(1.0995,1.0995) P99.9(1.0999,1.0999) P100(1.1,1.1)');
  h.merge();
  assert.equal(quantileSummary(h), 'P0(nan,1) P25(nan,1.025) P50(nan,1.05) P75(nan,1.075) P90(nan,1.09) P95(nan,1.095) P99(nan,1.099) P99.5(nan,1.0995) P99.9(nan,1.0999) P100(nan,1.1)');
});

test('values 1..100: quantiles at bin edges and inside the [100, 110) bin', () => {
  const h = new Histogram('t');
  for (let v = 1; v <= 100; v++) h.record(v);
  h.merge();
  // Sample k (k < 100) is alone in a bin whose upper edge is k + 1 (k + 0.1 below 10); the running
  // count reaches k at that bin, so the quantile at count k is the bin's upper edge.
  const q = h.cumulativeStatistics.computedQuantiles();
  assert.deepEqual(q.slice(0, 7), [1, 26, 51, 76, 91, 96, 100]);
  // 99.5 and 99.9 fall in the last bin [100, 110): 100 + 0.5 * 10 and 100 + 0.9 * 10.
  assert.ok(Math.abs(q[7]! - 105) < 1e-9 && Math.abs(q[8]! - 109) < 1e-9, String(q));
  assert.equal(q[9], 110);
  assert.equal(h.cumulativeStatistics.sampleCount(), 100);
});

test('bucket counts: a sample counts under a bound only when its whole bin is below it', () => {
  const h = new Histogram('t');
  for (const v of [0, 0.4, 5, 5, 9.99, 10, 26, 3_600_000, 5_000_000]) h.record(v);
  h.merge();
  const b = h.cumulativeStatistics.computedBuckets();
  const at = (bound: number) => b[DEFAULT_BUCKETS.indexOf(bound)];
  assert.equal(at(0.5), 2, '0 and 0.4 (truncated to 0) are in the zero bin');
  assert.equal(at(1), 2);
  assert.equal(at(5), 2, '5 is in [5, 5.1): above the 5 bound');
  assert.equal(at(10), 5, '9.99 is truncated to 9: [9, 9.1); 10 is in [10, 11), above the 10 bound');
  assert.equal(at(25), 6, '26 is in [26, 27), above 25');
  assert.equal(at(50), 7);
  assert.equal(at(3600000), 7, '3600000 is in [3600000, 3700000)');
  assert.equal(h.cumulativeStatistics.sampleCount(), 9);
  assert.deepEqual(h.cumulativeStatistics.computeDisjointBuckets().slice(0, 4), [2, 0, 0, 3]);
});

test('approximate sum: bin midpoints (hist_approx_sum); exact count and sum kept beside', () => {
  const h = new Histogram('t');
  h.record(5);
  h.record(42);
  h.record(123);
  h.merge();
  assert.equal(h.cumulativeStatistics.sampleSum(), 5.05 + 42.5 + 125);
  assert.equal(h.count, 3);
  assert.equal(h.sum, 170);
});

test('custom buckets are used as given (sorted by stats_config)', () => {
  const h = new Histogram('t', [1, 10, 100]);
  for (const v of [0, 2, 50, 500]) h.record(v);
  h.merge();
  assert.deepEqual(h.cumulativeStatistics.computedBuckets(), [1, 2, 3]);
});

test('recording does not allocate once a decade is in use', () => {
  const h = new Histogram('t');
  h.record(7);
  // The least growth over three rounds, after one round of warm-up: V8 compiling the loop, or
  // anything else the process allocates meanwhile, can grow the heap in one round (seen once in
  // a full run under load); an allocation per record (200k x 16+ bytes) grows every round.
  const round = (): number => {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) h.record(i % 9);
    return process.memoryUsage().heapUsed - before;
  };
  round();
  const grown = Math.min(round(), round(), round());
  assert.ok(grown < 1_000_000, `heap grew ${grown} bytes over 200k records`);
});
