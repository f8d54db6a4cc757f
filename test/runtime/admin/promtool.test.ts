// /stats/prometheus checked by Prometheus' own tools: `promtool check metrics` (from Debian's
// prometheus package, provided by scripts/ensure_promtool.sh) accepts the exposition — its only
// findings are the lint notes Envoy-style output always gets ("no help text", counters without
// "_total"), reported with exit 3; any parse error (exit 1) or other finding fails. Then, once,
// the real Prometheus server from the same package scrapes the admin listener on 127.0.0.1 and
// its query API returns tsproxy's series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../cli/run_cli.js';
import { httpCall, startAdminProxy } from './admin_harness.js';

const inCi = process.env['CI'] === 'true';

/** promtool's path, from scripts/ensure_promtool.sh (undefined when it cannot provide one). */
function findPromtool(): string | undefined {
  const r = spawnSync('bash', [join(ROOT, 'scripts/ensure_promtool.sh')], { encoding: 'utf8', timeout: 240_000 });
  const path = r.stdout.trim().split('\n').at(-1);
  return r.status === 0 && path && existsSync(path) ? path : undefined;
}

const promtool = findPromtool();
const skip = promtool === undefined && !inCi ? 'promtool unavailable (scripts/ensure_promtool.sh failed); CI fails instead' : false;

/**
 * The lint notes Envoy's exposition always triggers: prometheus_stats.cc writes no HELP and keeps
 * Envoy's stat names, so counters lack `_total`, gauges such as `membership_total` have it, and
 * `*_ms` names carry an abbreviated unit. Anything else fails.
 */
const ENVOY_STYLE = [
  /^\S+ no help text$/,
  /^\S+ counter metrics should have "_total" suffix$/,
  /^\S+ non-counter metrics should not have "_total" suffix$/,
  /^envoy_\S+_ms metric names should not contain abbreviated units$/,
];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('promtool check metrics accepts /stats/prometheus (only Envoy-style lint notes)', { skip }, async () => {
  assert.ok(promtool, 'promtool is required in CI: scripts/ensure_promtool.sh could not provide it');
  const p = await startAdminProxy({
    bootstrapExtra: 'stats_config:\n  histogram_bucket_settings:\n  - match: {prefix: "cluster."}\n    buckets: [0.1, 2.5, 1000]',
  });
  try {
    for (let i = 0; i < 5; i++) await p.traffic('/x');
    await p.traffic('/missing-cluster-is-fine');
    const text = (await p.admin('/stats/prometheus')).body;
    assert.match(text, /^envoy_cluster_upstream_rq_time_bucket\{envoy_cluster_name="web",le="0\.10000000000000000555111512312578"\} \d+$/m, 'custom buckets, {:.32g}');
    const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '');
    const unexpected = findings.filter((l) => !ENVOY_STYLE.some((re) => re.test(l.trim())));
    assert.ok(r.status === 0 || r.status === 3, `promtool exit ${r.status}: ${findings.join('\n')}`);
    assert.deepEqual(unexpected, [], 'only Envoy-style lint notes');
    assert.ok(findings.some((l) => /envoy_cluster_upstream_rq counter metrics should have "_total" suffix/.test(l)), 'the check really ran on our series');
    assert.ok(findings.every((l) => !/^envoy_cluster_upstream_rq_time /.test(l) || /no help text/.test(l)), 'histograms pass the histogram checks');
    // A broken exposition is caught (the check can fail).
    const broken = spawnSync(promtool, ['check', 'metrics'], { input: text.replace('# TYPE envoy_cluster_upstream_rq counter', '# TYPE envoy_cluster_upstream_rq countr'), encoding: 'utf8' });
    assert.equal(broken.status, 1, broken.stderr);
  } finally {
    await p.close();
  }
});

test('the real Prometheus server scrapes the admin listener; its query API returns tsproxy series', { skip, timeout: 60_000 }, async () => {
  const prometheus = join(dirname(promtool!), 'prometheus');
  if (!existsSync(prometheus)) {
    assert.ok(!inCi, 'prometheus binary missing next to promtool');
    return;
  }
  const p = await startAdminProxy();
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
- job_name: tsproxy
  metrics_path: /stats/prometheus
  static_configs: [{targets: ["127.0.0.1:${p.adminPort}"]}]
`,
  );
  const child = spawn(prometheus, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (let i = 0; i < 4; i++) await p.traffic('/x');
    let series: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const r = await httpCall(port, '/api/v1/query?query=' + encodeURIComponent('envoy_cluster_upstream_rq{envoy_cluster_name="web"}')).catch(() => undefined);
      if (r?.status === 200) {
        series = (JSON.parse(r.body) as { data: { result: typeof series } }).data.result;
        if (series.length > 0) break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(series.length, 1, 'Prometheus has the series');
    assert.equal(series[0]!.metric['envoy_response_code'], '200');
    assert.equal(series[0]!.metric['job'], 'tsproxy');
    assert.equal(series[0]!.value[1], '4');
    const up = await httpCall(port, '/api/v1/query?query=up');
    assert.match(up.body, /"value":\[[\d.]+,"1"\]/, 'the scrape target is up');
  } finally {
    child.kill('SIGTERM');
    await exited;
    await p.close();
  }
});
