// The inspector guard's flag detection (what bin/tsproxy.js refuses; the refusals themselves are
// driven on real processes in test/e2e/signals.test.ts), and how it closes an inspector that a
// SIGUSR1 opened during start-up: in children, and through bin/tsproxy.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guardInspector, inspectorFlags, sigusr1Disabled } from '../../src/cli/inspector_guard.js';
import { ROOT } from './run_cli.js';

test('inspector flags are found on the command line and in NODE_OPTIONS, in either spelling; other flags are not', () => {
  assert.deepEqual(inspectorFlags(['--inspect'], undefined), ['--inspect']);
  assert.deepEqual(inspectorFlags(['--max-semi-space-size=2', '--import=file:///x.mjs'], '--enable-source-maps --inspect-brk=0'), ['--inspect-brk=0']);
  assert.deepEqual(inspectorFlags([], '"--inspect_wait=127.0.0.1:0"'), ['--inspect_wait=127.0.0.1:0']);
  assert.deepEqual(inspectorFlags(['--debug-port=0', '--inspect-port=1', '--inspect-publish-uid=http'], ''), ['--debug-port=0', '--inspect-port=1', '--inspect-publish-uid=http']);
  assert.deepEqual(inspectorFlags(['--experimental-config-file=n.json', '--experimental-default-config-file'], undefined), ['--experimental-config-file=n.json', '--experimental-default-config-file']);
  assert.deepEqual(inspectorFlags(['--inspector-notafl', '--cpu-prof', '--disable-sigusr1'], '--title=inspect'), []);
});

test('guardInspector refuses inspector flags unless TSPROXY_ALLOW_INSPECT=1', () => {
  assert.match(guardInspector([], { NODE_OPTIONS: '--inspect' }, false, () => {}) ?? '', /refusing to run with Node's inspector enabled \(--inspect\).*TSPROXY_ALLOW_INSPECT=1/);
  assert.equal(guardInspector(['--inspect-port=0'], { TSPROXY_ALLOW_INSPECT: '1' }, false, () => {}), undefined);
  assert.match(guardInspector(['--inspect-port=0'], { TSPROXY_ALLOW_INSPECT: 'yes' }, false, () => {}) ?? '', /refusing/);
  // No flag and no inspector open in this process: nothing to refuse or close.
  const warned: string[] = [];
  assert.equal(guardInspector([], {}, true, (m) => warned.push(m)), undefined);
  assert.deepEqual(warned, []);
});

test('--disable-sigusr1 is noticed (it blocks the access log reopen), the last of it and its negation wins', () => {
  assert.equal(sigusr1Disabled(['--disable-sigusr1'], undefined), true);
  assert.equal(sigusr1Disabled([], '--disable_sigusr1'), true);
  assert.equal(sigusr1Disabled(['--no-disable-sigusr1'], '--disable-sigusr1'), false);
  assert.equal(sigusr1Disabled([], ''), false);
});

/**
 * Runs `body` in a child node whose inspector a SIGUSR1 opened before anything else ran (on a
 * free port: --inspect-port only arms it), with `name` imported from the guard; the child prints
 * one JSON line. Returns that line parsed, with `opened` (whether the signal did open it).
 */
function withSignalOpenedInspector<T>(name: string, body: string): T {
  const guardUrl = new URL('../../src/cli/inspector_guard.js', import.meta.url).href;
  const script = `import inspector from 'node:inspector';
import { ${name} } from ${JSON.stringify(guardUrl)};
process.kill(process.pid, 'SIGUSR1');
for (let i = 0; i < 500 && inspector.url() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
const opened = inspector.url() !== undefined;
${body}`;
  const r = spawnSync(process.execPath, ['--inspect-port=127.0.0.1:0', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as T & { opened: boolean };
  assert.equal(out.opened, true, r.stderr);
  return out;
}

test('an inspector opened by a SIGUSR1 nobody asked for (before any listener existed) is closed, with a warning', () => {
  const out = withSignalOpenedInspector<{ closed: boolean; after: string | null; warnings: string[] }>(
    'closeUnrequestedInspector',
    `const warnings = [];
const closed = closeUnrequestedInspector((m) => warnings.push(m));
console.log(JSON.stringify({ opened, closed, after: inspector.url() ?? null, warnings }));`,
  );
  assert.equal(out.closed, true);
  assert.equal(out.after, null);
  assert.match(out.warnings[0]!, /closed Node's inspector \(ws:\/\/127\.0\.0\.1:\d+\/.*\), opened by a SIGUSR1 received during start-up/);
});

test('for a short-lived command the guard does not load node:inspector; for serve and top it does', () => {
  const guardUrl = new URL('../../src/cli/inspector_guard.js', import.meta.url).href;
  for (const longRunning of [false, true]) {
    const script = `import { guardInspector } from ${JSON.stringify(guardUrl)};
const refusal = guardInspector([], {}, ${longRunning});
console.log(JSON.stringify({ refusal: refusal ?? null, inspector: process.moduleLoadList.includes('NativeModule inspector') }));
`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { refusal: null, inspector: longRunning });
  }
});

test('endUnrequestedInspector: where process._debugEnd is missing, the full check closes the inspector and warns', () => {
  const out = withSignalOpenedInspector<{ after: string | null; warnings: string[] }>(
    'endUnrequestedInspector',
    `delete process._debugEnd;
const warnings = [];
endUnrequestedInspector((m) => warnings.push(m));
console.log(JSON.stringify({ opened, after: inspector.url() ?? null, warnings }));`,
  );
  assert.equal(out.after, null);
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0]!, /closed Node's inspector/);
});

/**
 * A preload (node's --import, which runs before bin/tsproxy.js installs its SIGUSR1 listener) that
 * opens the inspector the way an early SIGUSR1 would, on a free port (process.debugPort = 0, not
 * 9229), waits until it listens, and reports at exit whether it still does.
 */
function earlySigusr1Preload(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tsproxy-inspector-')), 'early_sigusr1.mjs');
  writeFileSync(
    file,
    `import inspector from 'node:inspector';
process.debugPort = 0;
process.kill(process.pid, 'SIGUSR1');
for (let i = 0; i < 500 && inspector.url() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
process.stderr.write(\`preload: opened \${inspector.url() ?? 'no'}\n\`);
process.on('exit', () => process.stderr.write(\`preload: at exit \${inspector.url() ?? 'closed'}\n\`));
`,
  );
  return pathToFileURL(file).href;
}

test('through bin/tsproxy.js: an inspector an early SIGUSR1 opened is closed, quietly for short commands (bundle or not), with a warning for top', () => {
  const preload = earlySigusr1Preload();
  const cli = (args: readonly string[], env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [`--import=${preload}`, 'bin/tsproxy.js', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', TSPROXY_ALLOW_INSPECT: undefined, TSPROXY_NO_BUNDLE: undefined, ...env },
    });
  const match = ['match', '-c', 'fixtures/demo/envoy.yaml', '--host', 'localhost:10000', '--path', '/api/users'];
  for (const [args, env] of [
    [match, {}],
    [match, { TSPROXY_NO_BUNDLE: '1' }],
    [['lint', 'fixtures/demo/envoy.yaml'], {}],
  ] as const) {
    const r = cli(args, env);
    const what = `${args[0]} ${JSON.stringify(env)}`;
    assert.ok(r.status === 0 || r.status === 1, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /^preload: opened ws:\/\/127\.0\.0\.1:\d+\//m, what);
    assert.match(r.stderr, /^preload: at exit closed$/m, what);
    assert.doesNotMatch(r.stderr, /tsproxy: closed Node's inspector/, what);
  }
  // top (long-running): loads node:inspector to see it, closes it and says so.
  const top = cli(['top', '--help'], {});
  assert.equal(top.status, 0, top.stderr);
  assert.match(top.stderr, /tsproxy: closed Node's inspector \(ws:\/\/127\.0\.0\.1:\d+\/.*\), opened by a SIGUSR1 received during start-up/);
  assert.match(top.stderr, /^preload: at exit closed$/m);
  // The check can fail: opted in, tsproxy leaves the inspector alone.
  const allowed = cli(match, { TSPROXY_ALLOW_INSPECT: '1' });
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(allowed.stderr, /^preload: at exit ws:\/\/127\.0\.0\.1:\d+\//m);
});
