// Formatting, sparklines, column layout by terminal width, sorting and filtering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, fmtCount, fmtMs, fmtPercent, fmtQuantile, fmtRate } from '../../../src/tui/model/format.js';
import { EMPTY_HISTORY, pushHistory } from '../../../src/tui/model/history.js';
import { sparkline } from '../../../src/tui/model/sparkline.js';
import { CLUSTER_COLUMNS, filterRows, formatTableLine, layoutTable, sortRows } from '../../../src/tui/model/table.js';
import { buildView } from '../../../src/tui/model/view.js';
import { envoySample } from '../canned_admin.js';

test('number formats', () => {
  assert.deepEqual([null, 0, 0.25, 9.96, 418.4, 12_345, 12_345_678].map(fmtRate), ['-', '0', '0.3', '10.0', '418', '12.3k', '12.3M']);
  assert.deepEqual([null, 1, 0.99999, 0.9565, 0].map(fmtPercent), ['-', '100%', '99.99%', '95.65%', '0.00%']);
  assert.deepEqual([0, 0.42, 3.05, 12.5, 181.5, 2105].map(fmtMs), ['0ms', '0.42ms', '3.0ms', '12.5ms', '182ms', '2.1s']);
  assert.equal(fmtQuantile({ ms: 9.1, window: 'cumulative' }), '9.1ms*');
  assert.equal(fmtQuantile(null), '-');
  assert.deepEqual([7, 12_345, 4_500_000].map(fmtCount), ['7', '12.3k', '4.5M']);
  assert.equal(fit('inventory.svc.cluster.local', 10, 'left'), 'inventory…');
  assert.equal(fit('42', 5, 'right'), '   42');
});

test('sparkline: scaled to the largest value, zero stays the lowest bar, padded to width', () => {
  assert.equal(sparkline([0, 1, 2, 4, 8], 5), '▁▂▃▅█');
  assert.equal(sparkline([0, 0, 0], 5), '  ▁▁▁');
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3), '▇██');
  assert.equal(sparkline([], 0), '');
});

test('history keeps the last N figures per series and drops clusters that left', () => {
  let h = EMPTY_HISTORY;
  const v1 = buildView(envoySample(0, 0), envoySample(1, 1000));
  for (let i = 0; i < 5; i++) h = pushHistory(h, v1, 3);
  assert.deepEqual(h.rps, [422, 422, 422]);
  assert.deepEqual(h.clusterRps.get('web'), [300, 300, 300]);
  const first = buildView(undefined, envoySample(0, 0));
  assert.deepEqual(pushHistory(EMPTY_HISTORY, first).rps, [], 'no rate, no point');
  const noClusters = { ...v1, clusters: [] };
  assert.equal(pushHistory(h, noClusters).clusterRps.size, 0);
});

test('layout keeps the most important columns as the terminal narrows; the name column takes the rest', () => {
  const keys = (w: number) => layoutTable(CLUSTER_COLUMNS, w).columns.map((c) => c.key);
  assert.deepEqual(keys(200), CLUSTER_COLUMNS.map((c) => c.key));
  assert.deepEqual(keys(40), ['name', 'rps', 'success', 'errors']);
  assert.deepEqual(keys(20), ['name']);
  const t = layoutTable(CLUSTER_COLUMNS, 60);
  assert.equal(t.widths.reduce((a, b) => a + b, 0) + t.widths.length - 1 <= 60, true);
  const v = buildView(envoySample(0, 0), envoySample(1, 1000));
  const web = v.clusters.find((c) => c.name === 'web')!;
  assert.equal(formatTableLine(layoutTable(CLUSTER_COLUMNS, 50), web, EMPTY_HISTORY), 'web                    300   99.66%    1.0   182ms');
});

test('sorting: figures largest first, success and hosts worst first, names A-Z, missing figures last; reverse flips', () => {
  const v = buildView(envoySample(0, 0), envoySample(1, 1000));
  const names = (key: Parameters<typeof sortRows>[1], reverse = false) => sortRows(v.clusters, key, reverse).map((c) => c.name);
  assert.deepEqual(names('rps'), ['web', 'payments', 'auth', 'inventory.svc.cluster.local']);
  assert.deepEqual(names('rps', true), ['auth', 'inventory.svc.cluster.local', 'payments', 'web']);
  assert.deepEqual(names('success'), ['payments', 'web', 'auth', 'inventory.svc.cluster.local']);
  assert.deepEqual(names('p99'), ['payments', 'web', 'auth', 'inventory.svc.cluster.local']);
  assert.deepEqual(names('hosts'), ['auth', 'web', 'inventory.svc.cluster.local', 'payments']);
  assert.deepEqual(names('name'), ['auth', 'inventory.svc.cluster.local', 'payments', 'web']);
  assert.deepEqual(filterRows(v.clusters, 'PAY').map((c) => c.name), ['payments']);
  assert.deepEqual(filterRows(v.clusters, '  ').length, 4);
});
