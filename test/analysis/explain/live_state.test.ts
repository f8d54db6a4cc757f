/**
 * Live facts over admin responses recorded from a real Envoy's admin API (fixtures/top: the
 * shapes `top` also reads): panic mode, an ejected host, an open max_pending_requests breaker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { liveFacts, parseLiveClusters, parseStatValues, formatLive } from '../../../src/analysis/explain/live_state.js';
import type { ExplainReport } from '../../../src/analysis/explain/report_types.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../../fixtures/top/${name}`, import.meta.url)), 'utf8'));
const clusters = parseLiveClusters(fixture('envoy_clusters.json'));
const stats = parseStatValues(fixture('envoy_stats_1.json'));

/** A report routed to `cluster` and forwarded (the offline verdict). */
function forwarded(cluster: string): ExplainReport {
  return { action: { cluster: { name: cluster } }, outcome: { status: null, response_flag: '-', details: 'via_upstream', stats: [], summary: '' } } as unknown as ExplainReport;
}

test('max_pending_requests open (rq_pending_open = 1): 503 UO now', () => {
  const l = liveFacts('http://envoy:9901', 'payments', clusters, stats, undefined, forwarded('payments'));
  assert.deepEqual(l.circuit_breakers_open, ['default.rq_pending_open']);
  assert.deepEqual(l.hosts, { total: 2, healthy: 2, degraded: 0 });
  assert.equal(l.predicted?.response_flag, 'UO');
  assert.match(formatLive(l), /max_pending_requests is open/);
});

test('an ejected host is named; two of three healthy is no panic', () => {
  const l = liveFacts('http://envoy:9901', 'web', clusters, stats, undefined, forwarded('web'));
  assert.equal(l.ejected_hosts.length, 1);
  assert.ok(l.ejected_hosts[0]!.startsWith('10.0.1.11:'));
  assert.equal(l.panic, false);
  assert.equal(l.predicted, null);
  assert.deepEqual(l.hosts, { total: 3, healthy: 2, degraded: 0 });
});

test('the only host failing active health checks: panic mode (default threshold 50%), no UH', () => {
  const l = liveFacts('http://envoy:9901', 'auth', clusters, stats, undefined, forwarded('auth'));
  assert.equal(l.panic, true);
  assert.equal(l.predicted, null);
  assert.deepEqual(l.unhealthy_hosts.map((h) => h.reasons), [['failed_active_hc']]);
  assert.match(l.verdict[0]!, /panic mode/);
});

test('a cluster the running proxy does not have: 503 NC now', () => {
  const l = liveFacts('http://envoy:9901', 'nope', clusters, stats, undefined, forwarded('nope'));
  assert.equal(l.known, false);
  assert.deepEqual(l.predicted, { status: 503, response_flag: 'NC', details: 'cluster_not_found' });
});

test('not the shape of /clusters?format=json: a TypeError naming the endpoint', () => {
  assert.throws(() => parseLiveClusters([1, 2]), /\/clusters\?format=json/);
  assert.equal(parseLiveClusters({}).size, 0);
});
