// GET /stats (text, json, filter, usedonly, type, histogram_buckets), /stats/prometheus, over
// the admin listener of a real startServer after real traffic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminProxy, type AdminProxy } from './admin_harness.js';

let p: AdminProxy;
before(async () => {
  p = await startAdminProxy();
  for (let i = 0; i < 3; i++) assert.equal((await p.traffic('/x')).status, 200);
});
after(() => p.close());

test('/stats text: counters and gauges sorted by name, then histograms with P0..P100', async () => {
  const r = await p.admin('/stats');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const lines = r.body.trimEnd().split('\n');
  assert.ok(lines.includes('cluster.web.upstream_rq_200: 3'), r.body);
  assert.ok(lines.includes('http.ingress.downstream_rq_2xx: 3'));
  assert.ok(lines.includes(`listener.127.0.0.1_${p.port}.downstream_cx_total: 3`));
  assert.ok(lines.includes('cluster.web.upstream_cx_active: 1'), 'a gauge');
  const scalars = lines.filter((l) => !/: (P0\(|No recorded values)/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
  assert.deepEqual(scalars, [...scalars].sort(), 'sorted');
  const hist = lines.find((l) => l.startsWith('http.ingress.downstream_rq_time: '));
  assert.match(hist ?? '', /^http\.ingress\.downstream_rq_time: P0\([\d.]+,[\d.]+\) P25\(.*\) P50\(.*\) P75\(.*\) P90\(.*\) P95\(.*\) P99\(.*\) P99\.5\(.*\) P99\.9\(.*\) P100\([\d.]+,[\d.]+\)$/);
  for (const h of ['cluster.web.upstream_rq_time', 'cluster.web.upstream_cx_connect_ms', 'http.ingress.downstream_rq_time']) {
    assert.ok(lines.some((l) => l.startsWith(`${h}: P0(`)), `${h} recorded`);
  }
  // Histograms come after every counter and gauge.
  const firstHist = lines.findIndex((l) => / P0\(|No recorded values/.test(l));
  assert.ok(lines.slice(firstHist).every((l) => / P0\(|No recorded values/.test(l)));
});

test('/stats?filter= is an RE2 partial match; invalid regex is 400', async () => {
  const r = await p.admin('/stats?filter=' + encodeURIComponent('upstream_rq_2\\d\\d$'));
  assert.deepEqual(r.body.trimEnd().split('\n'), ['cluster.web.upstream_rq_200: 3']);
  const bad = await p.admin('/stats?filter=' + encodeURIComponent('(a'));
  assert.equal(bad.status, 400);
  assert.equal(bad.body, 'Invalid re2 regex');
  // RE2 has no backreferences: refused, not run by a backtracking engine.
  assert.equal((await p.admin('/stats?filter=' + encodeURIComponent('(a)\\1'))).status, 400);
});

test('/stats?usedonly leaves out stats never written; ?type= selects a kind', async () => {
  const all = await p.admin('/stats?filter=cluster%5C.web%5C.upstream_rq_');
  const used = await p.admin('/stats?usedonly&filter=cluster%5C.web%5C.upstream_rq_');
  assert.match(all.body, /^cluster\.web\.upstream_rq_timeout: 0$/m);
  assert.doesNotMatch(used.body, /upstream_rq_timeout/);
  assert.match(used.body, /^cluster\.web\.upstream_rq_200: 3$/m);
  const gauges = await p.admin('/stats?type=Gauges&filter=^cluster%5C.web');
  assert.match(gauges.body, /^cluster\.web\.upstream_cx_active: 1$/m);
  assert.doesNotMatch(gauges.body, /upstream_rq_200/);
  const hists = await p.admin('/stats?type=Histograms');
  assert.ok(hists.body.trimEnd().split('\n').every((l) => / P0\(|No recorded values/.test(l)), hists.body);
  assert.equal((await p.admin('/stats?type=Bogus')).status, 400);
});

test('/stats?format=json: stats then one histograms entry with supported and computed quantiles', async () => {
  const r = await p.admin('/stats?format=json&filter=ingress');
  assert.equal(r.headers['content-type'], 'application/json');
  const doc = JSON.parse(r.body) as { stats: Array<{ name?: string; value?: number; histograms?: { supported_quantiles: number[]; computed_quantiles: Array<{ name: string; values: Array<{ cumulative: number | null; interval: number | null }> }> } }> };
  assert.deepEqual(doc.stats.find((s) => s.name === 'http.ingress.downstream_rq_2xx'), { name: 'http.ingress.downstream_rq_2xx', value: 3 });
  const h = doc.stats.at(-1)!.histograms!;
  assert.deepEqual(h.supported_quantiles, [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100]);
  const rqTime = h.computed_quantiles.find((q) => q.name === 'http.ingress.downstream_rq_time')!;
  assert.equal(rqTime.values.length, 10);
  assert.equal(typeof rqTime.values[9]!.cumulative, 'number');
});

test('/stats?histogram_buckets=cumulative prints B<bound>(interval,cumulative)', async () => {
  const r = await p.admin('/stats?histogram_buckets=cumulative&filter=http.ingress.downstream_rq_time%24');
  assert.match(r.body, /^http\.ingress\.downstream_rq_time: B0\.5\(\d+,\d+\) B1\(\d+,\d+\) .* B3\.6e\+06\(\d+,3\)\n$/);
  assert.equal((await p.admin('/stats?histogram_buckets=bogus')).status, 400);
});

test('/stats/prometheus: envoy_ names, tags as labels, # TYPE lines, histogram buckets', async () => {
  const r = await p.admin('/stats/prometheus');
  assert.equal(r.status, 200);
  const t = r.body;
  assert.match(t, /^# TYPE envoy_cluster_upstream_rq counter\nenvoy_cluster_upstream_rq\{envoy_response_code="200",envoy_cluster_name="web"\} 3\n\n/m);
  assert.match(t, /^envoy_cluster_upstream_rq_xx\{envoy_response_code_class="2",envoy_cluster_name="web"\} 3$/m);
  assert.match(t, /^envoy_http_downstream_rq_xx\{envoy_response_code_class="2",envoy_http_conn_manager_prefix="ingress"\} 3$/m);
  assert.match(t, new RegExp(`^envoy_listener_downstream_cx_total\\{envoy_listener_address="127\\.0\\.0\\.1_${p.port}"\\} 3$`, 'm'));
  assert.match(t, /^# TYPE envoy_cluster_upstream_cx_active gauge\n/m);
  assert.match(t, /^# TYPE envoy_http_downstream_rq_time histogram\n/m);
  assert.match(t, /^envoy_http_downstream_rq_time_bucket\{envoy_http_conn_manager_prefix="ingress",le="0\.5"\} \d+$/m);
  assert.match(t, /^envoy_http_downstream_rq_time_bucket\{envoy_http_conn_manager_prefix="ingress",le="3600000"\} 3$/m);
  assert.match(t, /^envoy_http_downstream_rq_time_bucket\{envoy_http_conn_manager_prefix="ingress",le="\+Inf"\} 3$/m);
  assert.match(t, /^envoy_http_downstream_rq_time_count\{envoy_http_conn_manager_prefix="ingress"\} 3$/m);
  assert.match(t, /^envoy_http_downstream_rq_time_sum\{envoy_http_conn_manager_prefix="ingress"\} [\d.e+]+$/m);
  assert.match(t, /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="web"\} 3$/m, 'counters keep their own names, no _total added');
  assert.match(t, /^envoy_listener_admin_downstream_cx_total\{\} \d+$/m, 'listener.admin keeps its name (no listener_address tag)');
  assert.doesNotMatch(t, /^# HELP/m);
  // Counters, then gauges, then histograms.
  const types = [...t.matchAll(/^# TYPE \S+ (\w+)$/gm)].map((m) => m[1]);
  const order = types.map((x) => ['counter', 'gauge', 'histogram'].indexOf(x!));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  const filtered = await p.admin('/stats/prometheus?filter=upstream_rq_200');
  assert.equal(filtered.body, '# TYPE envoy_cluster_upstream_rq counter\nenvoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="web"} 3\n\n');
  assert.equal((await p.admin('/stats?format=prometheus&filter=upstream_rq_200')).body, filtered.body);
});
