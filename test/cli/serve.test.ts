// `tsproxy serve` as a process: starts, logs the bound port, serves, drains on SIGTERM and exits
// 0; a broken config prints file:line:col diagnostics and exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { bootstrap } from '../runtime/http/harness.js';

const root = new URL('../../../', import.meta.url).pathname;

const CONFIG = bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200, body: {inline_string: "served"}}' });

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('serve through the installed command (bin/tsproxy): 2 MiB V8 semi-spaces, logs the bound port, serves, exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-serve-'));
  const file = join(dir, 'envoy.yaml');
  writeFileSync(file, CONFIG);
  const env = { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' };
  const child = spawn(join(root, 'bin/tsproxy'), ['serve', '-c', file, '--drain-time-s', '1'], { cwd: root, env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    let port = 0;
    for (let i = 0; i < 100 && port === 0; i++) {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(port > 0, stderr);
    // The launcher exec'd node itself (same pid) with the serve heap flag.
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--max-semi-space-size=2'), cmdline.join(' '));
    const r = await get(port);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'served');
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM: draining/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('serve: config errors are printed as file:line:col and exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-serve-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, CONFIG.replace('stat_prefix: ingress', 'stat_prefix: ingress\n          bogus_field: 1'));
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', file], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: error .*bogus_field`));
});

/** Waits (bounded) until `pred(stderr())` holds. */
async function until(pred: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

test('serve: unimplemented features are file:line:col warnings on stderr, and serve still starts', async () => {
  const file = 'fixtures/serve/unsupported.yaml';
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', file, '--drain-time-s', '0'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const last = `${file}:69:11: warning cluster "shadow": discovery type EDS is not implemented by serve; the cluster has no hosts (503 UH) [serve/unsupported]`;
    assert.ok(await until(() => /listening on 127\.0\.0\.1:\d+/.test(stderr) && stderr.includes(last)), stderr);
    const lines = stderr.split('\n');
    for (const expected of [
      `${file}:36:19: warning virtual host "all", routes[1]: request_mirror_policies (request shadowing) are not implemented by serve; requests are not mirrored [serve/unsupported]`,
      `${file}:49:16: warning cluster "web": lb_policy CLUSTER_PROVIDED is not implemented by serve; using ROUND_ROBIN [serve/unsupported]`,
      `${file}:51:5: warning cluster "web": health_checks (active health checking) are not implemented by serve; every host counts as healthy unless its health_status says otherwise [serve/unsupported]`,
      last,
    ]) {
      assert.ok(lines.includes(expected), `missing: ${expected}\n${stderr}`);
    }
    assert.equal(lines.filter((l) => l.endsWith('[serve/unsupported]')).length, 13, stderr); // (via, admin and max_grpc_timeout are implemented: no warning)
    // The cluster manager's own unpositioned warnings for the same problems are not repeated.
    assert.doesNotMatch(stderr, /\[warn\] cluster 'web': lb_policy/);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.equal(code, 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('serve: a TLS listener without a certificate refuses to start with exit 2 and a positioned error', async () => {
  const file = 'fixtures/serve/tls.yaml';
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', file], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  try {
    const code = await Promise.race([
      new Promise<number | null>((r) => child.on('exit', (c) => r(c))),
      new Promise<string>((r) => setTimeout(() => r('timeout'), 5000)),
    ]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^fixtures\/serve\/tls\.yaml:11:11: error listener "https": TLS a server \(downstream\) TLS context needs at least one certificate .* \[serve\/tls\]$/m);
    assert.doesNotMatch(stderr, /listening on/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
