/**
 * `npm start` (scripts/demo.mjs) as a new user runs it: the demo on ports chosen through PORT /
 * UPSTREAM_PORTS and --port / --upstream-ports, answering through the real `tsproxy serve` on the
 * pinned Node, and a clear message naming the busy port when one is taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/conformance_cases.js';
import { send } from '../e2e/proxy.js';

const DEMO = join(REPO_ROOT, 'scripts', 'demo.mjs');

/** Ports that were free a moment ago (bound to port 0, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function collect(child: ChildProcess): { out: () => string } {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { out: () => out };
}

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('npm start on PORT/UPSTREAM_PORTS: the demo routes through tsproxy on the pinned Node and stops on SIGINT', async () => {
  const [proxy, a, b, c, admin] = await freePorts(5);
  const child = spawn(process.execPath, [DEMO], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(proxy), UPSTREAM_PORTS: `${a},${b},${c}`, ADMIN_PORT: String(admin), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = collect(child);
  try {
    await waitFor(() => log.out().includes('Ctrl-C to stop'), 15_000);
    assert.match(log.out(), new RegExp(`tsproxy demo is running on http://localhost:${proxy}`));
    assert.match(log.out(), /on Node\.js v2\d\./, 'the startup log names the Node version in use');
    const hello = await send(proxy, { method: 'GET', path: '/hello', authority: `localhost:${proxy}` });
    assert.equal(hello.status, 200);
    assert.equal(hello.body, 'Hello from tsproxy\n');
    const api = await send(proxy, { method: 'GET', path: '/api/users', authority: `localhost:${proxy}` });
    assert.equal(api.status, 200);
    assert.equal(api.body, `api: GET /v1/users (host localhost:${proxy})\n`);
    // The admin API the banner names answers with Envoy's stats.
    const stats = await send(admin, { method: 'GET', path: '/stats?filter=downstream_rq_total', authority: '127.0.0.1' });
    assert.equal(stats.status, 200);
    assert.match(stats.body, /^http\.demo\.downstream_rq_total: [1-9]/m);
  } finally {
    child.kill('SIGINT');
  }
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 0, log.out());
});

test('npm start with a busy port names the port and how to choose another', async () => {
  const [proxy, a, b, c, admin] = await freePorts(5);
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(b, '127.0.0.1', () => r()));
  try {
    const child = spawn(process.execPath, [DEMO, '--port', String(proxy), '--upstream-ports', `${a},${b},${c}`, '--admin-port', String(admin)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = collect(child);
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 1);
    assert.match(log.out(), new RegExp(`port ${b} \\(upstream green\\) is busy`));
    assert.match(log.out(), /UPSTREAM_PORTS=/);
  } finally {
    squatter.close();
  }
});
