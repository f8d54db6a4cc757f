/**
 * The launcher's V8 flags (bin/tsproxy, docs/core.md "tsproxy match cold start"): the commands
 * other than serve run with 1 MiB semi-spaces (serve's 2 MiB is checked in serve.test.ts); the
 * short commands without TurboFan (--max-opt=2), serve, top and replay with it; a size or tier
 * the user gives in TSPROXY_NODE_ARGS or NODE_OPTIONS wins. Driven through the real launcher with
 * node's `--import` preload, which prints the node flags it runs under.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './run_cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tsproxy-launcher-'));
const hook = join(dir, 'print_flags.mjs');
writeFileSync(hook, "process.stderr.write(`execArgv ${JSON.stringify(process.execArgv)}\\n`);\n");
const config = join(dir, 'routes.yaml');
writeFileSync(config, 'virtual_hosts:\n- name: all\n  domains: ["*"]\n  routes:\n  - match: { prefix: "/" }\n    route: { cluster: c }\n');

/** The node flags `bin/tsproxy args` ran with, and its exit status. */
function flagsOf(args: readonly string[], extraNodeArgs = '', nodeOptions = ''): { status: number | null; execArgv: string[]; stderr: string } {
  const r = spawnSync(join(ROOT, 'bin', 'tsproxy'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: nodeOptions, TSPROXY_NODE: process.execPath, TSPROXY_NODE_ARGS: `--import=${pathToFileURL(hook).href} ${extraNodeArgs}` },
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('execArgv '));
  return { status: r.status, execArgv: line ? (JSON.parse(line.slice('execArgv '.length)) as string[]) : [], stderr: r.stderr };
}

test('offline commands run with 1 MiB semi-spaces', () => {
  for (const args of [['match', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], ['lint', config], ['--version']]) {
    const r = flagsOf(args);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.ok(r.execArgv.includes('--max-semi-space-size=1'), `${args[0]}: ${r.execArgv.join(' ')}`);
  }
});

test("a semi-space size in TSPROXY_NODE_ARGS or NODE_OPTIONS wins over the launcher's", () => {
  const viaArgs = flagsOf(['match', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], '--max-semi-space-size=8');
  assert.equal(viaArgs.status, 0, viaArgs.stderr);
  assert.deepEqual(viaArgs.execArgv.filter((a) => a.startsWith('--max-semi-space-size')), ['--max-semi-space-size=8']);
  const viaOptions = flagsOf(['match', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], '', '--max-semi-space-size=8');
  assert.equal(viaOptions.status, 0, viaOptions.stderr);
  assert.deepEqual(viaOptions.execArgv.filter((a) => a.startsWith('--max-semi-space-size')), []);
});

test('the short commands run without TurboFan (--max-opt=2); replay, serve and top keep it; a --max-opt in TSPROXY_NODE_ARGS wins', () => {
  for (const args of [['match', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], ['explain', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], ['lint', config]]) {
    const r = flagsOf(args);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.ok(r.execArgv.includes('--max-opt=2'), `${args[0]}: ${r.execArgv.join(' ')}`);
  }
  for (const args of [['replay', '--help'], ['serve', '--help'], ['top', '--help'], ['--version']]) {
    const r = flagsOf(args);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.execArgv.some((a) => a.startsWith('--max-opt')), `${args[0]}: ${r.execArgv.join(' ')}`);
  }
  const mine = flagsOf(['match', '-c', config, '--type', 'route', '--host', 'a', '--path', '/'], '--max-opt=4');
  assert.equal(mine.status, 0, mine.stderr);
  assert.deepEqual(mine.execArgv.filter((a) => a.startsWith('--max-opt')), ['--max-opt=4']);
});
