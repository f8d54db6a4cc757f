/**
 * Signals and exit paths of a real `tsproxy serve` process, started through bin/ as users start
 * it, in front of an echo upstream, with a file access log (Envoy's contract: SIGTERM/SIGINT
 * drain and exit, SIGUSR1 reopens the access logs, SIGHUP is eaten):
 *
 * - SIGUSR1 (`kill`, and `process._debugProcess(pid)`, which sends it) never opens Node's
 *   inspector: the process listens on its proxy port only and 127.0.0.1:9229 stays closed; after
 *   `mv access.log access.log.1`, lines continue in a new access.log, none lost, none twice.
 * - SIGHUP: logged, the proxy keeps serving. SIGTERM, SIGINT: exit 0, every request logged.
 * - Fatal errors (an uncaught exception, an unhandled rejection) and `process.exit()` from code
 *   inside the process: the buffered lines are in the file. The trigger is a module the test
 *   preloads with node's own `--import` (through TSPROXY_NODE_ARGS): nothing in tsproxy exists
 *   for the test.
 * - Inspector flags are refused unless TSPROXY_ALLOW_INSPECT=1.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './conformance_cases.js';
import { bootstrapYaml } from './bootstrap.js';
import { startEchoUpstreams, type EchoUpstreams } from './echo_upstreams.js';
import { send } from './proxy.js';

const ROUTES = `name: local
virtual_hosts:
- name: app
  domains: ["*"]
  routes:
  - match: {prefix: "/"}
    route: {cluster: svc}
`;

/** Every child started here, killed at the end whatever happened. */
const children = new Set<ChildProcess>();
const dirs: string[] = [];
let echo: EchoUpstreams | undefined;

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await echo?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Setup {
  dir: string;
  config: string;
  log: string;
}

async function setup(): Promise<Setup> {
  echo ??= await startEchoUpstreams(['svc']);
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-signals-'));
  dirs.push(dir);
  const log = join(dir, 'access.log');
  const accessLog = `access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${log}
    log_format:
      text_format_source:
        inline_string: "AL %REQ(:PATH)% %RESPONSE_CODE% %UPSTREAM_CLUSTER%\\n"
`;
  const config = join(dir, 'envoy.yaml');
  writeFileSync(config, bootstrapYaml({ routeText: ROUTES, clusterPorts: echo.ports, accessLogYaml: accessLog }));
  return { dir, config, log };
}

interface Serve {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<number | string>;
}

/** Starts `tsproxy serve` through bin/tsproxy (`bin`) or `node bin/tsproxy.js` (`node`) and waits for "listening on". */
async function startServe(s: Setup, via: 'bin' | 'node', env: Record<string, string> = {}): Promise<Serve> {
  const args = ['serve', '-c', s.config, '--drain-time-s', '1'];
  const fullEnv = { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '', ...env };
  const child =
    via === 'bin'
      ? spawn(join(REPO_ROOT, 'bin', 'tsproxy'), args, { env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(process.execPath, [join(REPO_ROOT, 'bin', 'tsproxy.js'), ...args], { env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no "listening on" within 15 s; stderr: ${stderr}`)), 15_000);
    const check = (): void => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`serve exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
  return { child, pid: child.pid!, port, stderr: () => stderr, exited };
}

/** Waits, bounded, until `pred()` holds. */
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function exitCode(s: Serve, ms = 15_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => (timer = setTimeout(() => r('still running'), ms)));
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** TCP ports `pid` listens on (its socket fds matched against /proc/net/tcp{,6} in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

/** Whether something accepts connections on 127.0.0.1:9229 (Node's inspector port). */
function port9229Open(): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(9229, '127.0.0.1');
    sock.setTimeout(2000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

/** No inspector in `s`: it listens on its proxy port only, never printed a debugger URL, and 9229 is closed (or not its). */
async function assertNoInspector(s: Serve): Promise<void> {
  assert.deepEqual(listeningPorts(s.pid), [s.port]);
  assert.doesNotMatch(s.stderr(), /Debugger listening|inspector/i);
  if (await port9229Open()) {
    // Someone else on this host has 9229; it is not this process (checked above), say so.
    assert.ok(!listeningPorts(s.pid).includes(9229));
  }
}

function logLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
}

async function get(s: Serve, path: string): Promise<void> {
  const r = await send(s.port, { method: 'GET', path, authority: 'app' });
  assert.equal(r.status, 200, `${path}: ${r.body}`);
}

const expected = (paths: readonly string[]): string[] => paths.map((p) => `AL ${p} 200 svc`);

test('SIGUSR1 through bin/tsproxy: the access log is reopened after a rename (none lost, none twice), no inspector, TERM exits 0 with every line', { timeout: 60_000 }, async () => {
  const s = await setup();
  const serve = await startServe(s, 'bin');
  // bin/tsproxy exec'd node (same pid) without --disable-sigusr1, which would block SIGUSR1.
  assert.ok(!readFileSync(`/proc/${serve.pid}/cmdline`, 'utf8').includes('--disable-sigusr1'));
  const before = Array.from({ length: 10 }, (_, i) => `/before-${i}`);
  const afterPaths = Array.from({ length: 10 }, (_, i) => `/after-${i}`);
  for (const p of before) await get(serve, p);
  // logrotate: rename, then signal. The lines still buffered go to the renamed file.
  renameSync(s.log, s.log + '.1');
  process.kill(serve.pid, 'SIGUSR1');
  await until(() => /caught SIGUSR1\. Reopening access logs\./.test(serve.stderr()) && existsSync(s.log), 'the reopen');
  for (const p of afterPaths) await get(serve, p);
  await assertNoInspector(serve);
  process.kill(serve.pid, 'SIGTERM');
  assert.equal(await exitCode(serve), 0, serve.stderr());
  assert.deepEqual(logLines(s.log + '.1'), expected(before));
  assert.deepEqual(logLines(s.log), expected(afterPaths));
  assert.doesNotMatch(serve.stderr(), /\[error\]/);
});

test('process._debugProcess(pid) on `node bin/tsproxy.js serve` is a SIGUSR1 like any other: no inspector', { timeout: 60_000 }, async () => {
  const s = await setup();
  const serve = await startServe(s, 'node');
  await get(serve, '/one');
  (process as unknown as { _debugProcess(pid: number): void })._debugProcess(serve.pid);
  await until(() => /caught SIGUSR1/.test(serve.stderr()), 'the SIGUSR1 log line');
  await get(serve, '/two');
  await assertNoInspector(serve);
  process.kill(serve.pid, 'SIGTERM');
  assert.equal(await exitCode(serve), 0, serve.stderr());
  assert.deepEqual(logLines(s.log), expected(['/one', '/two']));
});

test('SIGHUP is logged and eaten: the proxy keeps serving; SIGINT then drains and exits 0 with every line', { timeout: 60_000 }, async () => {
  const s = await setup();
  const serve = await startServe(s, 'bin');
  await get(serve, '/a');
  process.kill(serve.pid, 'SIGHUP');
  await until(() => /\[warn\] caught and eating SIGHUP/.test(serve.stderr()), 'the SIGHUP log line');
  await get(serve, '/b');
  process.kill(serve.pid, 'SIGHUP');
  await get(serve, '/c');
  assert.equal(serve.child.exitCode, null);
  process.kill(serve.pid, 'SIGINT');
  assert.equal(await exitCode(serve), 0, serve.stderr());
  assert.match(serve.stderr(), /SIGINT: draining/);
  assert.deepEqual(logLines(s.log), expected(['/a', '/b', '/c']));
});

/** A module preloaded with node's --import: on SIGUSR2, fails the way TEST_FATAL says. */
function fatalHook(dir: string): string {
  const file = join(dir, 'fatal_hook.mjs');
  writeFileSync(
    file,
    `process.on('SIGUSR2', () => {
  const how = process.env.TEST_FATAL;
  if (how === 'throw') setImmediate(() => { throw new Error('thrown by the test hook'); });
  else if (how === 'reject') void Promise.reject(new Error('rejected by the test hook'));
  else if (how === 'exit') process.exit(3);
});
`,
  );
  return pathToFileURL(file).href;
}

for (const [how, code, message] of [
  ['throw', 70, /\[critical\] uncaught exception: Error: thrown by the test hook/],
  ['reject', 70, /\[critical\] unhandled promise rejection: Error: rejected by the test hook/],
  ['exit', 3, undefined],
] as const) {
  test(`a fatal error inside serve (${how === 'exit' ? 'process.exit(3)' : how === 'throw' ? 'uncaught exception' : 'unhandled rejection'}): the buffered access log lines are written before the exit (${code})`, { timeout: 60_000 }, async () => {
    const s = await setup();
    const serve = await startServe(s, 'bin', { TSPROXY_NODE_ARGS: `--import=${fatalHook(s.dir)}`, TEST_FATAL: how });
    const paths = Array.from({ length: 20 }, (_, i) => `/${how}-${i}`);
    for (const p of paths) await get(serve, p);
    // Flushed every second: these lines are still in memory.
    process.kill(serve.pid, 'SIGUSR2');
    assert.equal(await exitCode(serve), code, serve.stderr());
    assert.deepEqual(logLines(s.log), expected(paths));
    if (message) {
      assert.match(serve.stderr(), message);
      assert.match(serve.stderr(), /exiting with code 70 \(access logs flushed\)/);
    }
  });
}

test('inspector flags are refused unless TSPROXY_ALLOW_INSPECT=1, on every way in', { timeout: 60_000 }, async () => {
  const s = await setup();
  const bin = join(REPO_ROOT, 'bin', 'tsproxy');
  const js = join(REPO_ROOT, 'bin', 'tsproxy.js');
  const base = { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' };
  const runs: Array<[string, string, string[], NodeJS.ProcessEnv]> = [
    ['NODE_OPTIONS=--inspect-brk (would wait for a debugger)', bin, [], { ...base, NODE_OPTIONS: '--inspect-brk=127.0.0.1:0' }],
    ['TSPROXY_NODE_ARGS=--inspect-wait', bin, [], { ...base, TSPROXY_NODE_ARGS: '--inspect-wait=127.0.0.1:0' }],
    ['TSPROXY_NODE_ARGS=--inspect_port (underscore spelling)', bin, [], { ...base, TSPROXY_NODE_ARGS: '--inspect_port=0' }],
    ['TSPROXY_NODE_ARGS=--experimental-config-file', bin, [], { ...base, TSPROXY_NODE_ARGS: `--experimental-config-file=${join(s.dir, 'node.config.json')}` }],
    ['node --inspect bin/tsproxy.js', process.execPath, ['--inspect=127.0.0.1:0', js], base],
    ['NODE_OPTIONS=--inspect with node bin/tsproxy.js', process.execPath, [js], { ...base, NODE_OPTIONS: '--inspect=127.0.0.1:0' }],
  ];
  for (const [what, cmd, pre, env] of runs) {
    const r = spawnSync(cmd, [...pre, 'serve', '-c', s.config], { env, encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /refusing to run with Node's inspector enabled.*TSPROXY_ALLOW_INSPECT=1/, what);
    assert.doesNotMatch(r.stderr, /listener ".*" listening on/, what);
  }
  // Opted in: the inspector the user asked for (on a free port) is left open, serve runs.
  const serve = await startServe(s, 'bin', { TSPROXY_ALLOW_INSPECT: '1', TSPROXY_NODE_ARGS: '--inspect=127.0.0.1:0' });
  await get(serve, '/allowed');
  assert.match(serve.stderr(), /Debugger listening on ws:\/\/127\.0\.0\.1:\d+/);
  assert.equal(listeningPorts(serve.pid).length, 2);
  assert.doesNotMatch(serve.stderr(), /closed Node's inspector/);
  process.kill(serve.pid, 'SIGTERM');
  assert.equal(await exitCode(serve), 0, serve.stderr());
});

test('no source file but the inspector guard imports node:inspector (inspector.open() is never called)', () => {
  const src = join(REPO_ROOT, 'src');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && /['"](node:)?inspector(\/promises)?['"]/.test(readFileSync(p, 'utf8'))) offenders.push(relative(REPO_ROOT, p));
    }
  };
  walk(src);
  assert.deepEqual(offenders, ['src/cli/inspector_guard.ts']);
  const code = readFileSync(join(src, 'cli', 'inspector_guard.ts'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  assert.match(code, /inspector\.close\(\)/);
  assert.doesNotMatch(code, /\.open\(/);
});
