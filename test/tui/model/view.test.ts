// The view model against known inputs: rates as counter deltas over the seconds between polls,
// success rate, quantiles (interval, else cumulative), hosts, breakers, ejections, the scopes
// found in stat names (dotted names, admin and per-worker trees left out), counter resets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile } from '../../../src/tui/model/sample.js';
import { buildView, type ClusterRow, type ListenerRow } from '../../../src/tui/model/view.js';
import { envoySample } from '../canned_admin.js';
import { cluster, sample, SUPPORTED } from './helpers.js';

const byName = (rows: readonly ClusterRow[], name: string): ClusterRow => rows.find((r) => r.name === name)!;

test('canned Envoy, two polls 1 s apart: per-cluster figures', () => {
  const v = buildView(envoySample(0, 10_000), envoySample(1, 11_000));
  assert.equal(v.seconds, 1);
  const web = byName(v.clusters, 'web');
  assert.equal(web.rps, 300);
  // 298 2xx + 1 4xx + 1 5xx completed, 1 of them 5xx.
  assert.equal(web.successRate, 1 - 1 / 300);
  assert.equal(web.errorsPerS, 1);
  assert.deepEqual(web.p50, { ms: 12.5, window: 'interval' });
  assert.deepEqual(web.p99, { ms: 181.5, window: 'interval' });
  assert.deepEqual([web.rqActive, web.cxActive, web.hostsHealthy, web.hostsTotal, web.ejectionsActive, web.retriesPerS], [9, 24, 2, 3, 1, 2]);
  assert.deepEqual(web.breakersOpen, []);
  const pay = byName(v.clusters, 'payments');
  assert.equal(pay.rps, 115);
  assert.equal(pay.successRate, 1 - 5 / 115);
  assert.deepEqual(pay.breakersOpen, ['rq_pending']);
  assert.deepEqual(pay.p99, { ms: 2105, window: 'interval' });
  const auth = byName(v.clusters, 'auth');
  assert.equal(auth.rps, 0);
  assert.equal(auth.successRate, null, 'nothing completed: no success rate');
  assert.deepEqual(auth.p50, { ms: 3.05, window: 'cumulative' }, 'no interval samples: the cumulative value');
  assert.deepEqual([auth.hostsHealthy, auth.hostsTotal], [0, 1]);
  const inv = byName(v.clusters, 'inventory.svc.cluster.local');
  assert.equal(inv.p99, null, 'never recorded');
  assert.equal(inv.rps, 0);
  assert.deepEqual(v.clusters.map((c) => c.name), ['auth', 'inventory.svc.cluster.local', 'payments', 'web'], '/clusters order');
});

test('canned Envoy: downstream rows and totals leave the admin listener and per-worker stats out', () => {
  const v = buildView(envoySample(0, 0), envoySample(1, 2000));
  assert.equal(v.seconds, 2);
  assert.deepEqual(
    v.downstream.map((r) => [r.kind, r.name, r.rps, r.errorsPerS, r.cxPerS, r.cxActive]),
    [
      ['listener', 'listener_0', 211, 5.5, 6, 64],
      ['http', 'ingress_http', 211, 5.5, 6, 64],
    ],
  );
  assert.equal((v.downstream[0] as ListenerRow).address, '0.0.0.0:10000');
  assert.deepEqual(v.totals, { rps: 211, errorsPerS: 5.5, cxActive: 64, rqActive: 17 });
  assert.deepEqual(v.server && [v.server.state, v.server.uptime], ['LIVE', '3726s']);
});

test('first poll: every rate is null, gauges and hosts are shown', () => {
  const v = buildView(undefined, envoySample(0, 0));
  assert.equal(v.seconds, null);
  assert.equal(v.totals.rps, null);
  assert.ok(v.clusters.every((c) => c.rps === null && c.successRate === null && c.retriesPerS === null));
  assert.equal(byName(v.clusters, 'payments').rqActive, 32);
  assert.ok(v.flags.every((f) => f.rate === null));
});

test('a counter that went backwards (reset_counters, restart) has no rate, never a negative one', () => {
  const a = sample(0, { 'cluster.c.upstream_rq_total': 100, 'cluster.c.upstream_rq_2xx': 100, 'cluster.c.upstream_rq_5xx': 0 }, { clusters: [cluster('c')] });
  const b = sample(1000, { 'cluster.c.upstream_rq_total': 5, 'cluster.c.upstream_rq_2xx': 5, 'cluster.c.upstream_rq_5xx': 0 }, { clusters: [cluster('c')] });
  const [c] = buildView(a, b).clusters;
  assert.equal(c!.rps, null);
  assert.equal(c!.successRate, null);
});

test('cluster RPS counts completed requests, so a cluster whose connections fail is not shown idle', () => {
  const a = sample(0, { 'cluster.down.upstream_rq_total': 0, 'cluster.down.upstream_rq_5xx': 10 }, { clusters: [cluster('down')] });
  const b = sample(1000, { 'cluster.down.upstream_rq_total': 0, 'cluster.down.upstream_rq_5xx': 40 }, { clusters: [cluster('down')] });
  const [c] = buildView(a, b).clusters;
  assert.deepEqual([c!.rps, c!.errorsPerS, c!.successRate], [30, 30, 0]);
});

test('rates divide by the real time between samples (upstream_rq_total when there are no class counters)', () => {
  const a = sample(0, { 'cluster.c.upstream_rq_total': 0 }, { clusters: [cluster('c')] });
  const b = sample(250, { 'cluster.c.upstream_rq_total': 50 }, { clusters: [cluster('c')] });
  assert.equal(buildView(a, b).clusters[0]!.rps, 200);
});

test('without /clusters: clusters come from the stats (dotted names kept, sub-trees left out), hosts from membership gauges', () => {
  const values = {
    'cluster.svc.ns.local.upstream_rq_total': 10,
    'cluster.svc.ns.local.canary.upstream_rq_total': 1,
    'cluster.svc.ns.local.zone.a.b.upstream_rq_total': 1,
    'cluster.svc.ns.local.membership_healthy': 2,
    'cluster.svc.ns.local.membership_total': 3,
    'cluster.svc.ns.local.circuit_breakers.high.rq_open': 1,
  };
  const [c, ...rest] = buildView(undefined, sample(0, values)).clusters;
  assert.equal(rest.length, 0);
  assert.deepEqual([c!.name, c!.hostsHealthy, c!.hostsTotal], ['svc.ns.local', 2, 3]);
  assert.deepEqual(c!.breakersOpen, ['high:rq']);
});

test('a listener without per-listener HTTP stats has no request rate (not a made-up one)', () => {
  const a = sample(0, { 'listener.127.0.0.1_8080.downstream_cx_total': 0, 'listener.127.0.0.1_8080.downstream_cx_active': 0 });
  const b = sample(1000, { 'listener.127.0.0.1_8080.downstream_cx_total': 4, 'listener.127.0.0.1_8080.downstream_cx_active': 2 });
  const [l] = buildView(a, b).downstream;
  assert.deepEqual(l && [l.kind, l.name, l.rps, l.cxPerS, l.cxActive], ['listener', '127.0.0.1_8080', null, 4, 2]);
});

test('quantile: interval first, cumulative when the interval is null, null for an unsupported quantile', () => {
  const h = { supported: SUPPORTED, interval: SUPPORTED.map((q) => (q === 99 ? null : q / 10)), cumulative: SUPPORTED.map((q) => q) };
  const s = sample(0, {}, { histograms: { x: h } });
  assert.deepEqual(quantile(s, 'x', 50), { ms: 5, window: 'interval' });
  assert.deepEqual(quantile(s, 'x', 99), { ms: 99, window: 'cumulative' });
  assert.equal(quantile(s, 'x', 42), null);
  assert.equal(quantile(s, 'missing', 50), null);
});
