// `tsproxy top` through the real CLI against a local server answering canned Envoy 1.32 admin
// responses (counters advancing between polls): --once text, --json, a pipe without flags, an
// unreachable or failing admin (exit 1), usage errors (exit 2), and that ink is loaded only by the
// live view (`match` and snapshots never load ink or react).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ROOT } from './run_cli.js';
import { startCannedAdmin } from '../tui/canned_admin.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real bin/tsproxy.js, asynchronously (the canned admin runs in this process). */
function run(args: readonly string[], nodeArgs: readonly string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, 'bin/tsproxy.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr });
    });
  });
}

test('--once: one text snapshot from two polls, every endpoint read once per poll, exit 0', async (t) => {
  const admin = await startCannedAdmin();
  t.after(() => admin.close());
  const r = await run(['top', '--admin', admin.url, '--once', '--interval', '200ms']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(admin.statsPolls(), 2);
  assert.deepEqual(
    [...new Set(admin.requests)].sort(),
    ['/clusters?format=json', '/listeners?format=json', '/server_info', '/stats?format=json&filter=%5E(cluster%7Chttp%7Clistener)%5C.'],
  );
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, new RegExp(`^tsproxy top {2}${admin.url} {2}\\| {2}1\\.32\\.1 LIVE up 1h2m {2}\\| {2}rates over \\d+\\.\\ds$`));
  assert.match(r.stdout, /^DOWNSTREAM +RPS +5XX\/S +CX\/S +CX +RQ$/m);
  assert.match(r.stdout, /^listener listener_0 \(0\.0\.0\.0:10000\) +\d+ +\d+(\.\d)? /m);
  assert.match(r.stdout, /^CLUSTER +RPS +SUCCESS +5XX\/S +P50 +P99 +RQ +CX +HOSTS CB OPEN +EJECT RETRY\/S$/m);
  assert.match(r.stdout, /^web +\d+ +99\.66% +[\d.]+ +12\.5ms +182ms +9 +24 +2\/3 - +1 +[\d.]+$/m);
  assert.match(r.stdout, /^payments +\d+ +95\.65% +[\d.]+ +45\.5ms +2\.1s +32 +32 +2\/2 rq_pending +0 +[\d.]+$/m);
  assert.match(r.stdout, /^auth +0 +- +0 +3\.0ms\* +9\.1ms\* +0 +0 +0\/1 - +0 +0$/m);
  assert.match(r.stdout, /^\* since start: no samples in Envoy's last stats flush interval$/m);
  assert.match(r.stdout, /^UH +[\d.]+\/s +\(1505 total\) +no healthy host in the cluster \(503\) +mostly cluster\.auth$/m);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no escape sequences in a snapshot');
  assert.doesNotMatch(r.stdout, /admin/, 'the admin listener is left out');
});

test('--json: the snapshot as JSON, rates per second over the measured interval', async (t) => {
  const admin = await startCannedAdmin();
  t.after(() => admin.close());
  const r = await run(['top', '--admin', admin.url, '--json', '--interval', '150ms']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const secs: number = j.interval_s;
  assert.ok(secs >= 0.15 && secs < 10, `interval ${secs}`);
  const near = (rate: number, perPoll: number) => Math.abs(rate * secs - perPoll) < 0.01 * perPoll + 0.01;
  const web = j.clusters.find((c: { name: string }) => c.name === 'web');
  assert.ok(near(web.rps, 300), `web rps ${web.rps}`);
  assert.equal(web.success_rate, 0.996667);
  assert.deepEqual(web.hosts, { healthy: 2, degraded: 0, total: 3 });
  assert.deepEqual(web.upstream_rq_time_p99, { ms: 181.5, window: 'interval' });
  assert.equal(web.outlier_ejections_active, 1);
  const pay = j.clusters.find((c: { name: string }) => c.name === 'payments');
  assert.deepEqual(pay.circuit_breakers_open, ['rq_pending']);
  assert.ok(near(j.totals.rps, 422));
  assert.deepEqual(j.listeners.map((l: { name: string; address: string }) => [l.name, l.address]), [['listener_0', '0.0.0.0:10000']]);
  assert.deepEqual(j.http.map((h: { name: string }) => h.name), ['ingress_http']);
  const uh = j.response_flags.find((f: { flag: string }) => f.flag === 'UH');
  assert.ok(near(uh.per_s, 5));
  assert.deepEqual([uh.total, uh.top, uh.derived_from], [1505, 'cluster.auth', ['cluster.*.upstream_cx_none_healthy']]);
  assert.equal(j.server.state, 'LIVE');
});

test('stdout not a terminal and no flag: a snapshot, not the live view', async (t) => {
  const admin = await startCannedAdmin();
  t.after(() => admin.close());
  const r = await run(['top', '--admin', admin.url.replace('http://', ''), '--interval', '100ms']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^CLUSTER /m);
  assert.equal(admin.statsPolls(), 2);
});

test('an unreachable admin: a clear error on stderr, exit 1', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((r) => closed.close(() => r()));
  const r = await run(['top', '--admin', `http://127.0.0.1:${port}`, '--once']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `tsproxy top: cannot reach the admin API at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

test('an admin that answers 503: exit 1 naming the endpoint and status', async (t) => {
  const admin = await startCannedAdmin({ failWith: 503 });
  t.after(() => admin.close());
  const r = await run(['top', '--admin', admin.url, '--json']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `tsproxy top: ${admin.url}/stats answered 503 Service Unavailable\n`);
});

test('usage errors exit 2', async () => {
  const bad = await run(['top', '--interval', '5h']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--interval <duration>' argument '5h' is invalid\. must be between 100ms and 1h/);
  const https = await run(['top', '--admin', 'https://127.0.0.1:9901', '--once']);
  assert.equal(https.status, 2);
  assert.equal(https.stderr, 'tsproxy top: --admin: only http:// admin addresses are supported, got https://\n');
});

test('ink and react load only for the live view: not for match, not for a snapshot', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-top-'));
  const hook = join(dir, 'record_loads.mjs');
  // Records every module URL resolved in the process; prints the ink/react ones at exit.
  writeFileSync(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      'const seen = new Set();',
      'registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); if (/\\/node_modules\\/(ink|react)\\//.test(r.url)) seen.add(r.url.replace(/.*\\/node_modules\\//, "")); return r; } });',
      "process.on('exit', () => process.stderr.write(`loaded: ${[...seen].length}\\n`));",
    ].join('\n'),
  );
  const load = ['--import', pathToFileURL(hook).href];
  const match = await run(['match', '-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/'], load);
  assert.match(match.stderr, /^loaded: 0$/m);
  const admin = await startCannedAdmin();
  t.after(() => admin.close());
  const once = await run(['top', '--admin', admin.url, '--once', '--interval', '100ms'], load);
  assert.equal(once.status, 0, once.stderr);
  assert.match(once.stderr, /^loaded: 0$/m);
  // The check can fail: importing the live view's module loads both.
  const live = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [...load, '-e', "await import('./dist/src/tui/interactive.js')", '--input-type=module'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', () => resolve(err));
  });
  assert.match(live, /^loaded: [1-9]\d*$/m);
});
