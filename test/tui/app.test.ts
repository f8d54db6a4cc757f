// The ink app with ink-testing-library on the canned Envoy answers: the dashboard's figures,
// sparklines growing poll by poll, the keys (sort, filter, pause, help, quit), an unreachable
// admin shown in the view and retried, and the layout at a narrow size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement, useEffect } from 'react';
import { render } from 'ink-testing-library';
import { TopApp, type Schedule } from '../../src/tui/app.js';
import type { AdminSample } from '../../src/tui/model/sample.js';
import { envoySample, statsBodyAt } from './canned_admin.js';
import { parseStatsJson } from '../../src/tui/model/stats_sample.js';

/** Polls answered from a script of samples or errors; the next poll runs when the test says. */
function scripted(script: ReadonlyArray<AdminSample | Error>) {
  let i = 0;
  const pending: Array<() => void> = [];
  const poll = async (): Promise<AdminSample> => {
    const next = script[Math.min(i++, script.length - 1)]!;
    if (next instanceof Error) throw next;
    return next;
  };
  const schedule: Schedule = (fn) => {
    pending.push(fn);
    return () => {
      const at = pending.indexOf(fn);
      if (at >= 0) pending.splice(at, 1);
    };
  };
  return { poll, schedule, polls: () => i, fire: () => pending.splice(0).forEach((f) => f()) };
}

/** Sample n of the canned admin whose counters advance one step per poll, n seconds in. */
function advancing(n: number): AdminSample {
  return { ...envoySample(1, n * 1000), stats: parseStatsJson(JSON.parse(statsBodyAt(n))) };
}

async function until(frame: () => string | undefined, pred: (f: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const f = frame() ?? '';
    if (pred(f)) return f;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}; last frame:\n${frame()}`);
}

const press = async (stdin: { write(s: string): void }, s: string) => {
  stdin.write(s);
  await new Promise((r) => setTimeout(r, 20));
};

test('dashboard: title, totals, downstream and cluster rows, flags, keys line; rates from the second poll', async (t) => {
  const sc = scripted([advancing(0), advancing(1), advancing(2), advancing(3)]);
  const app = render(createElement(TopApp, { poll: sc.poll, schedule: sc.schedule, intervalMs: 1000, admin: 'http://127.0.0.1:9901', size: { columns: 100, rows: 40 } }));
  t.after(() => app.unmount());
  let f = await until(app.lastFrame, (s) => s.includes('first poll: no rates yet'), 'the first poll');
  assert.match(f, /tsproxy top {2}http:\/\/127\.0\.0\.1:9901 {2}\| {2}1\.32\.1 LIVE up 1h2m/);
  sc.fire();
  f = await until(app.lastFrame, (s) => s.includes('rates over 1.0s'), 'the second poll');
  assert.match(f, /rps .*422\/s {3}5xx .*11\/s {3}cx 64 {2}rq 17/);
  assert.match(f, /listener listener_0 \(0\.0\.0\.0:10000\) +422 +11 +12 +64 +-/);
  assert.match(f, /http ingress_http +422 +11 +12 +64 +17/);
  // ink-testing-library's terminal is 100 columns: every column but the trend sparkline fits.
  assert.match(f, /^CLUSTER +RPS▼ +SUCCESS +5XX\/S +P50 +P99 +RQ +CX +HOSTS CB OPEN +EJECT RETRY\/S$/m);
  assert.match(f, /web +300 +99\.66% +1\.0 +12\.5ms +182ms +9 +24 +2\/3 - +1 +2\.0/);
  assert.match(f, /payments +115 +95\.65% +5\.0 +45\.5ms +2\.1s +32 +32 +2\/2 rq_pending +0 +3\.0/);
  assert.match(f, /auth +0 +- +0 +3\.0ms\* +9\.1ms\* +0 +0 +0\/1/);
  assert.match(f, /UH +5\.0\/s +\(1505 total\) +no healthy host in the cluster \(503\) +mostly cluster\.auth/);
  assert.match(f, /s sort: RPS {2}r reverse {2}\/ filter {2}p pause {2}\? help {2}q quit/);
  // Rows in RPS order.
  assert.ok(f.indexOf('\nweb ') < f.indexOf('\npayments ') && f.indexOf('\npayments ') < f.indexOf('\nauth '));
  // The header's sparklines grow one bar per poll.
  const bars = (frame: string) => /^rps +(█*) 422\/s/m.exec(frame)?.[1]?.length ?? 0;
  assert.equal(bars(f), 1);
  sc.fire();
  await until(app.lastFrame, (s) => bars(s) === 2, 'a two-bar sparkline');
  sc.fire();
  f = await until(app.lastFrame, (s) => bars(s) === 3, 'a three-bar sparkline');
  assert.match(f, /5xx +███ 11\/s/);
});

test('keys: s cycles the sort, / filters by name, p pauses, ? shows help, q quits', async (t) => {
  const sc = scripted([advancing(0), advancing(1), advancing(2), advancing(4)]);
  let unmounted = false;
  // Sees ink unmount the tree, which is what useApp().exit() does.
  function Watch() {
    useEffect(() => () => void (unmounted = true), []);
    return createElement(TopApp, { poll: sc.poll, schedule: sc.schedule, intervalMs: 1000, admin: 'a', size: { columns: 100, rows: 40 } });
  }
  const app = render(createElement(Watch));
  t.after(() => app.unmount());
  await until(app.lastFrame, (s) => s.includes('first poll'), 'the first poll');
  sc.fire();
  await until(app.lastFrame, (s) => s.includes('rates over 1.0s'), 'rates');
  await press(app.stdin, 's');
  let f = await until(app.lastFrame, (s) => s.includes('s sort: 5XX/S'), 'sort by 5xx');
  assert.ok(f.indexOf('\npayments ') < f.indexOf('\nweb '), 'payments (5/s) above web (1/s)');
  assert.match(f, /5XX\/S▼/);
  await press(app.stdin, 'r');
  f = await until(app.lastFrame, (s) => s.includes('(reversed)'), 'reversed');
  assert.ok(f.indexOf('\nweb ') < f.indexOf('\npayments '));
  await press(app.stdin, '/');
  for (const ch of 'pay') await press(app.stdin, ch);
  f = await until(app.lastFrame, (s) => s.includes('/pay█'), 'the filter being typed');
  assert.doesNotMatch(f, /\nweb /);
  assert.match(f, /\npayments /);
  await press(app.stdin, '\r');
  f = await until(app.lastFrame, (s) => s.includes('filter "pay" (Esc clears)'), 'the kept filter');
  await press(app.stdin, 'p');
  f = await until(app.lastFrame, (s) => s.includes('[PAUSED]'), 'paused');
  sc.fire();
  await until(() => String(sc.polls()), (s) => s === '3', 'the third poll');
  await new Promise((r) => setTimeout(r, 50));
  assert.match(app.lastFrame()!, /rates over 1\.0s/, 'the frozen frame stays');
  await press(app.stdin, 'p');
  f = await until(app.lastFrame, (s) => !s.includes('[PAUSED]'), 'resumed');
  assert.match(f, /rates over 1\.0s/);
  sc.fire();
  f = await until(app.lastFrame, (s) => s.includes('rates over 2.0s'), 'the fourth poll, two seconds later');
  await press(app.stdin, '?');
  f = await until(app.lastFrame, (s) => s.includes('tsproxy top: keys'), 'help');
  assert.match(f, /^lines 1-38 of \d+/m);
  for (let i = 0; i < 4; i++) await press(app.stdin, ' ');
  f = await until(app.lastFrame, (s) => /UH +NoHealthyUpstream: no healthy host/.test(s), 'help scrolled to the flags');
  assert.match(f, /From\s+cluster\.\*\.upstream_cx_none_healthy/);
  assert.doesNotMatch(f, /tsproxy top: keys/, 'scrolled past the top');
  await press(app.stdin, '?');
  await until(app.lastFrame, (s) => s.includes('CLUSTER'), 'back to the dashboard');
  assert.equal(unmounted, false);
  await press(app.stdin, 'q');
  await until(() => String(unmounted), (s) => s === 'true', 'q to end the app');
});

test('an unreachable admin is shown in the view and retried; the last good poll stays on screen', async (t) => {
  const down = new Error('cannot reach the admin API at http://127.0.0.1:9901: connect ECONNREFUSED 127.0.0.1:9901');
  const sc = scripted([down, advancing(0), down, advancing(1)]);
  const app = render(createElement(TopApp, { poll: sc.poll, schedule: sc.schedule, intervalMs: 2000, admin: 'http://127.0.0.1:9901', size: { columns: 100, rows: 30 } }));
  t.after(() => app.unmount());
  let f = await until(app.lastFrame, (s) => s.includes('ECONNREFUSED'), 'the error');
  assert.match(f, /connect ECONNREFUSED 127\.0\.0\.1:9901 \(retrying\s+every 2s\)/, 'the error wraps rather than being cut');
  sc.fire();
  f = await until(app.lastFrame, (s) => s.includes('CLUSTER'), 'the dashboard after the admin came back');
  assert.doesNotMatch(f, /ECONNREFUSED/);
  sc.fire();
  f = await until(app.lastFrame, (s) => s.includes('ECONNREFUSED'), 'the second error');
  assert.match(f, /retrying\s+every 2s; showing the last good poll/);
  assert.match(f, /CLUSTER/);
  sc.fire();
  f = await until(app.lastFrame, (s) => s.includes('rates over 1.0s') && !s.includes('ECONNREFUSED'), 'recovered');
});

test('a narrow, short terminal: fewer columns, rows that do not fit are counted', async (t) => {
  const sc = scripted([advancing(0), advancing(1)]);
  const app = render(createElement(TopApp, { poll: sc.poll, schedule: sc.schedule, intervalMs: 1000, admin: 'a', size: { columns: 60, rows: 16 } }));
  t.after(() => app.unmount());
  await until(app.lastFrame, (s) => s.includes('first poll'), 'the first poll');
  sc.fire();
  const f = await until(app.lastFrame, (s) => s.includes('rates over'), 'rates');
  assert.match(f, /^CLUSTER +RPS▼  SUCCESS  5XX\/S     P99   HOSTS$/m);
  assert.match(f, /… \d more \(\/ filters by name\)/);
  assert.ok(f.split('\n').length <= 16, `fits 16 rows:\n${f}`);
  assert.ok(f.split('\n').every((l) => [...l].length <= 60), 'fits 60 columns');
});
