/**
 * The sidecar model for real: inside a network namespace this test creates (root), iptables
 * REDIRECTs the clients' connections to several ip:port pairs to one port, 15001, where
 * `tsproxy serve` (the real bin, spawned inside the namespace) has a `use_original_dst` listener.
 * The addon reads SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST and each connection is served by the
 * right listener: exact ip:port, the 0.0.0.0:port and [::]:port fallbacks, a bound listener, the
 * accepting listener for a destination no listener has, and an ORIGINAL_DST cluster that forwards
 * to the original destination (an echo server inside the namespace).
 *
 * The namespace: `lo` up and a veth pair with both ends inside it (routing via lo alone hangs here;
 * the dummy link type is unavailable): va 10.200.0.1, 10.200.2.1 (the clients' source),
 * fd00:200::1, fd00:200::2 (IPv6 clients' source); vb 10.200.1.1. Only connections from the
 * clients' source addresses are redirected, so tsproxy's own upstream connection is not.
 *
 * Skips, saying why, only where the machine forbids namespaces (not root, `ip netns add` refused).
 * iptables or the addon missing is a failure under CI=true, a skip otherwise.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './conformance_cases.js';
import { originalDstBootstrap, originalDstClusterYaml } from './original_dst_config.js';
import { loadOriginalDstReader } from '../../src/runtime/network/original_dst.js';

const NS = `tsproxy-odst-${process.pid}`;
const CI = process.env['CI'] === 'true';

function run(cmd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error.message) : ''}`.trim() };
}

/** Runs `cmd` inside the namespace; throws with its output when it fails. */
function inNs(...cmd: string[]): string {
  const r = run('ip', ['netns', 'exec', NS, ...cmd]);
  if (!r.ok) throw new Error(`ip netns exec ${NS} ${cmd.join(' ')}: ${r.out}`);
  return r.out;
}

/** Why this machine cannot run the test (a skip), or a failure to report, or nothing. */
function prerequisites(): { skip?: string; fail?: string } {
  if (process.platform !== 'linux') return { skip: `network namespaces are Linux-only (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'not root: creating a network namespace needs CAP_SYS_ADMIN' };
  const missing = (what: string): { skip?: string; fail?: string } => (CI ? { fail: `${what} (CI=true: required)` } : { skip: what });
  if (!run('ip', ['-V']).ok) return missing('iproute2 (`ip`) is not installed');
  if (!run('iptables', ['--version']).ok) return missing('iptables is not installed (apt-get install -y iptables)');
  const addon = loadOriginalDstReader();
  if ('error' in addon) return missing(addon.error);
  const add = run('ip', ['netns', 'add', NS]);
  if (!add.ok) return { skip: `this machine forbids network namespaces: ip netns add: ${add.out}` };
  return {};
}

const pre = prerequisites();
if (pre.skip) process.stdout.write(`# skipped: ${pre.skip}\n`);
const skip = pre.skip ?? false;

const children: ChildProcess[] = [];
let dir = '';
let ipv6 = '';

/** Spawns `node <args>` inside the namespace; resolves once `ready` matches its output (10 s at most). */
function spawnInNs(args: readonly string[], ready: RegExp, outputs: { stdout: string; stderr: string }): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not ready within 10 s: ${args.join(' ')}\n${outputs.stderr}${outputs.stdout}`)), 10_000);
    const check = (): void => {
      if (ready.test(outputs.stderr) || ready.test(outputs.stdout)) {
        clearTimeout(t);
        resolve(child);
      }
    };
    child.stdout!.on('data', (c: Buffer) => ((outputs.stdout += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => ((outputs.stderr += c.toString()), check()));
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited (${code}) before ready: ${args.join(' ')}\n${outputs.stderr}${outputs.stdout}`));
    });
  });
}

const ECHO = `const http = require('node:http');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end(JSON.stringify({ echo: req.socket.localAddress + ':' + req.socket.localPort, path: req.url })));
}).listen(8000, '10.200.1.1', () => process.stdout.write('echo ready\\n'));
`;

const CLIENT = `const http = require('node:http');
(async () => {
  const out = [];
  for (const c of JSON.parse(process.argv[2])) {
    out.push(await new Promise((resolve) => {
      const req = http.request({ host: c.host, port: c.port, localAddress: c.source, path: '/p', headers: { host: 'app' }, agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, listener: res.headers['x-listener'] ?? null, local: res.headers['x-local'] ?? null, body }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => resolve({ error: e.message }));
      req.end();
    }));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

interface ClientResult {
  status?: number;
  listener?: string | null;
  local?: string | null;
  body?: string;
  error?: string;
}

/** Runs the client inside the namespace: one connection per case, in order. */
function requests(cases: ReadonlyArray<{ host: string; port: number; source?: string }>): ClientResult[] {
  const out = inNs(process.execPath, join(dir, 'client.cjs'), JSON.stringify(cases));
  return JSON.parse(out) as ClientResult[];
}

const serveOut = { stdout: '', stderr: '' };

before(async () => {
  if (pre.fail) throw new Error(pre.fail);
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tsproxy-netns-'));
  inNs('ip', 'link', 'set', 'lo', 'up');
  inNs('ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  inNs('ip', 'addr', 'add', '10.200.0.1/24', 'dev', 'va');
  inNs('ip', 'addr', 'add', '10.200.2.1/24', 'dev', 'va');
  inNs('ip', 'addr', 'add', '10.200.1.1/24', 'dev', 'vb');
  inNs('ip', 'link', 'set', 'va', 'up');
  inNs('ip', 'link', 'set', 'vb', 'up');
  inNs('iptables', '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-s', '10.200.2.1', '-j', 'REDIRECT', '--to-ports', '15001');
  try {
    inNs('ip', '-6', 'addr', 'add', 'fd00:200::1/64', 'dev', 'va', 'nodad');
    inNs('ip', '-6', 'addr', 'add', 'fd00:200::2/64', 'dev', 'va', 'nodad');
    inNs('ip6tables', '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-s', 'fd00:200::2', '-j', 'REDIRECT', '--to-ports', '15001');
  } catch (err) {
    ipv6 = `IPv6 redirection unavailable here: ${(err as Error).message}`;
    process.stdout.write(`# ${ipv6}\n`);
  }
  writeFileSync(join(dir, 'echo.cjs'), ECHO);
  writeFileSync(join(dir, 'client.cjs'), CLIENT);
  const cfg = join(dir, 'sidecar.yaml');
  writeFileSync(
    cfg,
    originalDstBootstrap({
      virtual: { address: '::', port: 15001 },
      targets: [
        { name: 'svc-a', address: '10.200.0.1', port: 80 },
        { name: 'any-80', address: '0.0.0.0', port: 80 },
        { name: 'svc-b-bound', address: '10.200.1.1', port: 9090, bind: true },
        { name: 'v6-any-80', address: '::', port: 80 },
        { name: 'v6-exact', address: 'fd00:200::1', port: 8080 },
        { name: 'passthrough', address: '0.0.0.0', port: 8000, cluster: 'original_dst' },
      ],
      clusters: originalDstClusterYaml('original_dst'),
    }).replace('address: "::", port_value: 15001}', 'address: "::", port_value: 15001, ipv4_compat: true}'),
  );
  await spawnInNs([join(dir, 'echo.cjs')], /echo ready/, { stdout: '', stderr: '' });
  await spawnInNs([join(REPO_ROOT, 'bin', 'tsproxy.js'), 'serve', '-c', cfg, '--drain-time-s', '0'], /listener "svc-b-bound" listening on 10\.200\.1\.1:9090/, serveOut);
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => (c.kill('SIGKILL'), resolve()), 3000);
          c.once('exit', () => (clearTimeout(t), resolve()));
        }),
    ),
  );
  if (!skip) run('ip', ['netns', 'del', NS]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('iptables REDIRECT to 15001: each original ip:port is served by its listener', { skip, timeout: 30_000 }, () => {
  const src = '10.200.2.1';
  const results = requests([
    { host: '10.200.0.1', port: 80, source: src },
    { host: '10.200.1.1', port: 80, source: src },
    { host: '10.200.1.1', port: 9090, source: src },
    { host: '10.200.0.1', port: 7000, source: src },
    // Not redirected (another source address): straight to the virtual listener.
    { host: '127.0.0.1', port: 15001 },
    { host: '10.200.1.1', port: 8000, source: src },
  ]);
  const brief = results.map((r) => (r.error ? `error ${r.error}` : `${r.status} ${r.listener} ${r.local}`));
  assert.deepEqual(brief, [
    '200 svc-a 10.200.0.1:80',
    '200 any-80 10.200.1.1:80',
    '200 svc-b-bound 10.200.1.1:9090',
    '200 virtual 10.200.0.1:7000',
    '200 virtual 127.0.0.1:15001',
    '200 passthrough 10.200.1.1:8000',
  ]);
  // The ORIGINAL_DST cluster connected to the original destination: the echo server.
  assert.deepEqual(JSON.parse(results[5]!.body!), { echo: '10.200.1.1:8000', path: '/p' });
  assert.equal(results[0]!.body, 'svc-a');
});

test('IPv6: IP6T_SO_ORIGINAL_DST, exact [ip]:port and the [::]:port fallback', { skip: skip || ipv6 || false, timeout: 30_000 }, () => {
  const src = 'fd00:200::2';
  const results = requests([
    { host: 'fd00:200::1', port: 8080, source: src },
    { host: 'fd00:200::1', port: 80, source: src },
    { host: 'fd00:200::1', port: 7000, source: src },
  ]);
  assert.deepEqual(
    results.map((r) => (r.error ? `error ${r.error}` : `${r.status} ${r.listener} ${r.local}`)),
    ['200 v6-exact [fd00:200::1]:8080', '200 v6-any-80 [fd00:200::1]:80', '200 virtual [fd00:200::1]:7000'],
  );
});

test('the access log: %DOWNSTREAM_LOCAL_ADDRESS% is the original destination, the direct one the socket', { skip, timeout: 15_000 }, async () => {
  // SIGTERM flushes the access log (written to serve's stdout).
  const serve = children[1]!;
  const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
  serve.kill('SIGTERM');
  assert.equal(await exited, 0, serveOut.stderr);
  const lines = serveOut.stdout.split('\n').filter((l) => l.startsWith('AL '));
  assert.ok(lines.includes('AL svc-a 10.200.0.1:80 127.0.0.1:15001 -'), lines.join('\n'));
  assert.ok(lines.includes('AL virtual 127.0.0.1:15001 127.0.0.1:15001 -'), lines.join('\n'));
  assert.ok(lines.includes('AL passthrough 10.200.1.1:8000 127.0.0.1:15001 10.200.1.1:8000'), lines.join('\n'));
  if (!ipv6) assert.ok(lines.includes('AL v6-exact [fd00:200::1]:8080 [::1]:15001 -'), lines.join('\n'));
  assert.doesNotMatch(serveOut.stderr, /serve\/original-dst|error/);
});
