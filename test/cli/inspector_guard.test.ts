// The inspector guard's flag detection (what bin/tsproxy.js refuses); the refusals themselves
// are driven on real processes in test/e2e/signals.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
