// `tsproxy top` for real: the CLI in a tmux pane (a real terminal), polling a local server that
// answers canned Envoy 1.32 admin responses with counters advancing each poll; the screen is read
// with `tmux capture-pane -p`. Keys go one per send-keys, a little apart. ink draws nothing while
// CI=true unless told it is interactive, so the app runs under `env -u CI` as a user's shell would.
// Each test has its own tmux server (-L), killed in after().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT, startCannedAdmin } from './canned_admin.js';

const TREND = /^web .*?([▁▂▃▄▅▆▇█]+)$/m;

// In CI (CI=true) a missing tmux fails the tests instead of skipping them (.ci/run installs it).
const hasTmux = spawnSync('tmux', ['-V']).status === 0 || process.env.CI === 'true';

class Pane {
  readonly socket = `tsproxy-top-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    command: string,
    readonly width = 132,
    readonly height = 42,
  ) {
    // The shell prints the app's exit status after it, and keeps the pane open to be read.
    this.tmux('new-session', '-d', '-s', 'top', '-x', String(width), '-y', String(height), `${command}; echo "top exited with $?"; sleep 60`);
  }

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', cwd: ROOT });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'top');
  }

  /** Waits (bounded) until the screen satisfies `pred`; returns it. */
  async until(pred: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let s = '';
    while (Date.now() < deadline) {
      s = this.screen();
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`timed out waiting for ${what}; screen:\n${s}`);
  }

  /** One key, then a pause so the app reads it alone. */
  async key(k: string): Promise<void> {
    this.tmux('send-keys', '-t', 'top', k);
    await new Promise((r) => setTimeout(r, 300));
  }

  /**
   * Waits (bounded) for the app to exit and returns its exit status, which the pane's shell
   * prints after it (`top exited with N`; 128+n for signal n).
   */
  async exitStatus(timeoutMs = 10_000): Promise<string> {
    const s = await this.until((x) => /top exited with \d+/.test(x), 'the app to exit', timeoutMs);
    return /top exited with (\d+)/.exec(s)![1]!;
  }

  /** Whether the app still runs (its shell has not printed the exit status). */
  running(): boolean {
    return !/top exited with/.test(this.screen());
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

function topCommand(admin: string, interval: string): string {
  return `env -u CI NO_COLOR=1 '${process.execPath}' '${ROOT}bin/tsproxy.js' top --admin ${admin} --interval ${interval}`;
}

test('live view in a terminal: figures, growing sparklines, sort, filter, pause, help, resize, q', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const admin = await startCannedAdmin();
  const pane = new Pane(topCommand(admin.url, '400ms'));
  t.after(async () => {
    pane.kill();
    await admin.close();
  });
  let s = await pane.until((x) => (TREND.exec(x)?.[1]?.length ?? 0) >= 2, 'two polls of rates and a two-bar trend');
  assert.match(s, /tsproxy top {2}http:\/\/127\.0\.0\.1:\d+ {2}\| {2}1\.32\.1 LIVE up 1h2m {2}\| {2}rates over \d\.\ds/);
  assert.match(s, /^listener listener_0 \(0\.0\.0\.0:10000\) +\d+ +\d+/m);
  assert.match(s, /^CLUSTER +RPS▼ +SUCCESS +5XX\/S +P50 +P99 +RQ +CX +HOSTS CB OPEN +EJECT RETRY\/S RPS TREND/m);
  assert.match(s, /^web +\d+ +99\.66% +[\d.]+ +12\.5ms +182ms +9 +24 +2\/3 - +1 +[\d.]+ +[▁▂▃▄▅▆▇█]+$/m);
  assert.match(s, /^payments +\d+ +95\.65% .* rq_pending /m);
  assert.match(s, /^UH +[\d.]+\/s +\(\d+ total\) +no healthy host in the cluster \(503\) +mostly cluster\.auth/m);
  assert.match(s, /s sort: RPS {2}r reverse {2}\/ filter {2}p pause {2}\? help {2}q quit {2}\| every 0\.4s/);
  const before = TREND.exec(s)![1]!.length;
  s = await pane.until((x) => (TREND.exec(x)?.[1]?.length ?? 0) > before, 'the web trend to grow');

  await pane.key('s');
  s = await pane.until((x) => x.includes('s sort: 5XX/S'), 'sort by 5xx/s');
  assert.ok(s.indexOf('\npayments ') < s.indexOf('\nweb '), 'payments (more 5xx) first');

  for (const k of ['/', 'w', 'e', 'b', 'Enter']) await pane.key(k);
  s = await pane.until((x) => x.includes('filter "web"'), 'the filter');
  assert.doesNotMatch(s, /^payments /m);
  assert.match(s, /^web /m);
  await pane.key('Escape');
  s = await pane.until((x) => /^payments /m.test(x), 'the filter cleared');

  await pane.key('p');
  s = await pane.until((x) => x.includes('[PAUSED]'), 'paused');
  const polls = admin.statsPolls();
  const frozen = s;
  await pane.until(() => admin.statsPolls() >= polls + 2, 'polling to go on while paused');
  assert.equal(pane.screen(), frozen, 'the paused screen does not change');
  await pane.key('p');
  await pane.until((x) => !x.includes('[PAUSED]'), 'resumed');

  await pane.key('?');
  s = await pane.until((x) => x.includes('tsproxy top: keys'), 'help');
  assert.match(s, /Response flags: Envoy keeps no per-flag counter/);
  assert.match(s, /UH +NoHealthyUpstream/);
  await pane.key('?');
  await pane.until((x) => x.includes('CLUSTER'), 'the dashboard again');

  pane.tmux('resize-window', '-t', 'top', '-x', '64', '-y', '24');
  s = await pane.until((x) => /^CLUSTER +RPS +SUCCESS +5XX\/S▼ +P99 +HOSTS *$/m.test(x), 'the narrow layout');
  assert.match(s, /^tsproxy top {2}http/, 'the frame starts at the top: no leftovers of the wide frame');
  assert.doesNotMatch(s, /RPS TREND/);
  assert.ok(s.split('\n').every((l) => [...l].length <= 64), `fits 64 columns:\n${s}`);

  await pane.key('q');
  assert.equal(await pane.exitStatus(), '0');
  assert.doesNotMatch(pane.screen(), /CLUSTER/, 'the alternate screen is gone: the terminal is restored');
});

test('admin unreachable on a terminal: the error in the view, retried until the admin answers', { skip: !hasTmux && 'tmux is not installed' }, async (t) => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const pane = new Pane(topCommand(`http://127.0.0.1:${port}`, '300ms'), 120, 30);
  let admin: Awaited<ReturnType<typeof startCannedAdmin>> | undefined;
  t.after(async () => {
    pane.kill();
    await admin?.close();
  });
  const s = await pane.until((x) => x.includes('ECONNREFUSED'), 'the error');
  assert.match(s, new RegExp(`cannot reach the admin API at http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(retrying every 0\\.3s\\)`));
  assert.equal(pane.running(), true, 'still running');
  admin = await startCannedAdmin({ port });
  await pane.until((x) => x.includes('rates over') && !x.includes('ECONNREFUSED'), 'the dashboard once the admin answers');
  await pane.key('q');
  assert.equal(await pane.exitStatus(), '0');
});
