/**
 * output/std_streams.ts: direct writes for pipes, files and /dev/null, Node's stream for anything
 * else; EAGAIN hands the rest over to the stream (drained() waits for it), EPIPE ends quietly.
 * With stand-in descriptors, then through the real CLI: which stream modules a run loads, a
 * reader that goes away, and a terminal (a pty from script(1)) that still gets colour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { drained, openStdStream, type StdIo } from '../../../src/cli/output/std_streams.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../run_cli.js';

type Kind = 'fifo' | 'file' | 'socket' | 'null' | 'tty';

/** A stand-in for Node: fstat of kind `kind`; writeSync by `write`; a recording stream. */
function fakeIo(kind: Kind, write: (b: Uint8Array, off: number, len: number) => number) {
  const streamed: string[] = [];
  const callbacks: Array<() => void> = [];
  const io: StdIo = {
    fstat: () => ({
      isFIFO: () => kind === 'fifo',
      isFile: () => kind === 'file',
      isSocket: () => kind === 'socket',
      isCharacterDevice: () => kind === 'null' || kind === 'tty',
      rdev: kind === 'null' ? 0x103 : kind === 'tty' ? 0x8800 : 0,
    }),
    writeSync: (_fd, b, off, len) => write(b, off, len),
    stream: () => ({
      isTTY: kind === 'tty',
      write: (chunk: string | Uint8Array, done: () => void) => {
        streamed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        callbacks.push(done);
        return true;
      },
    }),
  };
  return { io, streamed, callbacks };
}

test('pipes, sockets, files and /dev/null are written directly, in pieces as the system takes them', () => {
  for (const kind of ['fifo', 'socket', 'file', 'null'] as const) {
    const got: Buffer[] = [];
    // At most 4 bytes a call, as a busy pipe may take.
    const { io, streamed } = fakeIo(kind, (b, off, len) => {
      const n = Math.min(4, len);
      got.push(Buffer.from(b.subarray(off, off + n)));
      return n;
    });
    const s = openStdStream(1, io);
    assert.equal(s.isTTY, false, kind);
    s.write('route  r1 → c1\n');
    assert.ok(got.length > 4, kind);
    assert.equal(Buffer.concat(got).toString('utf8'), 'route  r1 → c1\n', kind);
    assert.deepEqual(streamed, [], kind);
  }
});

test('a terminal or another character device goes through Node\'s stream, and drained() waits for it', async () => {
  const { io, streamed, callbacks } = fakeIo('tty', () => assert.fail('no direct write to a terminal'));
  const s = openStdStream(1, io);
  assert.equal(s.isTTY, true);
  s.write('a\n');
  s.write('b\n');
  assert.deepEqual(streamed, ['a\n', 'b\n']);
  let done = false;
  const d = drained().then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'drained before the stream wrote');
  for (const cb of callbacks) cb();
  await d;
  assert.equal(done, true);
});

test('EAGAIN (a full non-blocking pipe): the rest and every later write go through the stream, in order', async () => {
  let calls = 0;
  const direct: string[] = [];
  const { io, streamed, callbacks } = fakeIo('fifo', (b, off, len) => {
    calls++;
    if (calls === 2) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
    direct.push(Buffer.from(b.subarray(off, off + 3)).toString('utf8'));
    return Math.min(3, len);
  });
  const s = openStdStream(1, io);
  s.write('abcdefgh');
  s.write('ij');
  assert.deepEqual(direct, ['abc']);
  assert.deepEqual(streamed, ['defgh', 'ij']);
  assert.equal(calls, 2, 'no direct write after the hand-over');
  let done = false;
  const d = drained().then(() => (done = true));
  callbacks[0]!();
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  callbacks[1]!();
  await d;
});

test('EPIPE (the reader went away) ends the output quietly; other errors are thrown', () => {
  let calls = 0;
  const { io } = fakeIo('fifo', () => {
    calls++;
    throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
  });
  const s = openStdStream(1, io);
  s.write('a');
  s.write('b');
  assert.equal(calls, 1);
  const { io: bad } = fakeIo('file', () => {
    throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  });
  assert.throws(() => openStdStream(2, bad).write('x'), /EIO/);
});

/** bin/tsproxy `args` through `sh -c` with `redirect` appended; a preload records the stream modules the run loaded. */
function streamModules(args: string, redirect: string): { status: number | null; stdout: string; loaded: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'tsproxy-std-streams-')), 'loaded.txt');
  const preload = `process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.filter((m) => /NativeModule (net|tty|stream|internal\\/fs\\/sync_write_stream)$/.test(m)).join(',')));`;
  const r = spawnSync('sh', ['-c', `bin/tsproxy ${args} ${redirect}`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TSPROXY_NODE: process.execPath, TSPROXY_NODE_ARGS: `--import=data:text/javascript,${encodeURIComponent(preload)}` },
  });
  return { status: r.status, stdout: r.stdout, loaded: readFileSync(out, 'utf8') };
}

const MATCH = 'match -c fixtures/explain/routes.yaml --host www.example.com --path /users/42 -H "x-tenant: acme"';

test('a bundled command writing to a pipe, a file or /dev/null loads none of Node\'s stream modules', () => {
  const piped = streamModules(MATCH, '| cat');
  assert.equal(piped.status, 0);
  assert.match(piped.stdout, /^route +users/m);
  assert.equal(piped.loaded, '');
  const file = streamModules(MATCH, '> /dev/null');
  assert.equal(file.status, 0);
  assert.equal(file.loaded, '');
  // An error on stderr too.
  const bad = streamModules('match -c fixtures/no-such-file.yaml --host x --path /nope', '2>/dev/null >/dev/null');
  assert.equal(bad.status, 2);
  assert.equal(bad.loaded, '');
});

test('a reader that went away (| true) ends the command quietly, with its own exit status', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; bin/tsproxy ${MATCH} | true; echo "status $?"`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TSPROXY_NODE: process.execPath },
  });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'status 0\n');
});

test('on a terminal (a pty from script(1)) the output is coloured as before', () => {
  const r = spawnSync('script', ['-qec', `bin/tsproxy ${MATCH}`, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', TSPROXY_NODE: process.execPath },
  });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /\x1b\[[0-9;]*m/, 'no colour on a terminal');
  assert.match(r.stdout, /route/);
});
