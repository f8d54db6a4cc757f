// `tsproxy serve --admin-port` through the real CLI: the admin binds 127.0.0.1 (not the traffic
// listener's address, not 0.0.0.0) unless told otherwise, never shares the traffic port, and
// POST /quitquitquit ends serve with exit 0. Also in-process: a port alone binds 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../cli/run_cli.js';
import { loadConfig } from '../../../src/config/load.js';
import { startServer } from '../../../src/runtime/server.js';
import { bootstrap } from '../http/harness.js';
import { httpCall } from './admin_harness.js';

const YAML = bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200, body: {inline_string: hi}}' });

test('startServer with only an admin port: the admin listener is 127.0.0.1 and separate from traffic', async () => {
  const loaded = loadConfig(YAML, 'a.yaml');
  const r = await startServer(loaded.config!, { admin: { port: 0 } });
  const s = r.server!;
  try {
    assert.equal(s.adminAddress?.address, '127.0.0.1');
    assert.notEqual(s.adminAddress?.port, s.listeners[0]!.port);
    assert.equal((await httpCall(s.adminAddress!.port, '/ready')).body, 'LIVE\n');
    assert.equal((await httpCall(s.listeners[0]!.port, '/ready')).body, 'hi', 'the traffic port does not serve the admin');
    assert.equal((await httpCall(s.adminAddress!.port, '/anything')).status, 404, 'the admin port does not serve traffic');
  } finally {
    await s.stop(0);
  }
  const none = await startServer(loadConfig(YAML, 'a.yaml').config!);
  try {
    assert.equal(none.server!.adminAddress, undefined, 'no admin block, no flag: no admin listener');
    assert.equal((await none.server!.admin.request('GET', '/ready')).body, 'LIVE\n', 'in-process admin still answers');
  } finally {
    await none.server!.stop(0);
  }
});

test('tsproxy serve --admin-port 0: logs the admin address (127.0.0.1), /quitquitquit exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-admin-cli-'));
  const file = join(dir, 'envoy.yaml');
  writeFileSync(file, YAML);
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', file, '--admin-port', '0', '--drain-time-s', '0'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  try {
    let m: RegExpMatchArray | null = null;
    for (let i = 0; i < 100 && !(m = /admin address: ([\d.]+):(\d+)/.exec(stderr)); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(m, stderr);
    assert.equal(m[1], '127.0.0.1');
    const port = Number(m[2]);
    const info = JSON.parse((await httpCall(port, '/server_info')).body) as { command_line_options: Record<string, unknown>; version: string };
    assert.equal(info.command_line_options['admin_port'], 0);
    assert.match(info.version, /^tsproxy\//);
    assert.equal((await httpCall(port, '/quitquitquit')).status, 405);
    assert.equal((await httpCall(port, '/quitquitquit', 'POST')).body, 'OK\n');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.equal(code, 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('tsproxy serve --admin-port with a bad value exits 2', async () => {
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', 'x.yaml', '--admin-port', '99999'], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(stderr, /--admin-port must be a port number/);
});
