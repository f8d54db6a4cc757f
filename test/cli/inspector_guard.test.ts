// The inspector guard's flag detection (what bin/tsproxy.js refuses); the refusals themselves
// are driven on real processes in test/e2e/signals.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { guardInspector, inspectorFlags, sigusr1Disabled } from '../../src/cli/inspector_guard.js';

test('inspector flags are found on the command line and in NODE_OPTIONS, in either spelling; other flags are not', () => {
  assert.deepEqual(inspectorFlags(['--inspect'], undefined), ['--inspect']);
  assert.deepEqual(inspectorFlags(['--max-semi-space-size=2', '--import=file:///x.mjs'], '--enable-source-maps --inspect-brk=0'), ['--inspect-brk=0']);
  assert.deepEqual(inspectorFlags([], '"--inspect_wait=127.0.0.1:0"'), ['--inspect_wait=127.0.0.1:0']);
  assert.deepEqual(inspectorFlags(['--debug-port=0', '--inspect-port=1', '--inspect-publish-uid=http'], ''), ['--debug-port=0', '--inspect-port=1', '--inspect-publish-uid=http']);
  assert.deepEqual(inspectorFlags(['--experimental-config-file=n.json', '--experimental-default-config-file'], undefined), ['--experimental-config-file=n.json', '--experimental-default-config-file']);
  assert.deepEqual(inspectorFlags(['--inspector-notafl', '--cpu-prof', '--disable-sigusr1'], '--title=inspect'), []);
});

test('guardInspector refuses inspector flags unless TSPROXY_ALLOW_INSPECT=1', () => {
  assert.match(guardInspector([], { NODE_OPTIONS: '--inspect' }, () => {}) ?? '', /refusing to run with Node's inspector enabled \(--inspect\).*TSPROXY_ALLOW_INSPECT=1/);
  assert.equal(guardInspector(['--inspect-port=0'], { TSPROXY_ALLOW_INSPECT: '1' }, () => {}), undefined);
  assert.match(guardInspector(['--inspect-port=0'], { TSPROXY_ALLOW_INSPECT: 'yes' }, () => {}) ?? '', /refusing/);
  // No flag and no inspector open in this process: nothing to refuse or close.
  const warned: string[] = [];
  assert.equal(guardInspector([], {}, (m) => warned.push(m)), undefined);
  assert.deepEqual(warned, []);
});

test('--disable-sigusr1 is noticed (it blocks the access log reopen), the last of it and its negation wins', () => {
  assert.equal(sigusr1Disabled(['--disable-sigusr1'], undefined), true);
  assert.equal(sigusr1Disabled([], '--disable_sigusr1'), true);
  assert.equal(sigusr1Disabled(['--no-disable-sigusr1'], '--disable-sigusr1'), false);
  assert.equal(sigusr1Disabled([], ''), false);
});

test('an inspector opened by a SIGUSR1 nobody asked for (before any listener existed) is closed, with a warning', () => {
  const guardUrl = new URL('../../src/cli/inspector_guard.js', import.meta.url).href;
  // In a child, with the signal-opened inspector on a free port (--inspect-port only arms it).
  const script = `import inspector from 'node:inspector';
import { closeUnrequestedInspector } from ${JSON.stringify(guardUrl)};
process.kill(process.pid, 'SIGUSR1');
for (let i = 0; i < 500 && inspector.url() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
const opened = inspector.url() !== undefined;
const warnings = [];
const closed = closeUnrequestedInspector((m) => warnings.push(m));
console.log(JSON.stringify({ opened, closed, after: inspector.url() ?? null, warnings }));
`;
  const r = spawnSync(process.execPath, ['--inspect-port=127.0.0.1:0', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { opened: boolean; closed: boolean; after: string | null; warnings: string[] };
  assert.equal(out.opened, true, r.stderr);
  assert.equal(out.closed, true);
  assert.equal(out.after, null);
  assert.match(out.warnings[0]!, /closed Node's inspector \(ws:\/\/127\.0\.0\.1:\d+\/.*\), opened by a SIGUSR1 received during start-up/);
});
