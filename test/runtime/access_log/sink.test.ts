/**
 * The access log sink's failure paths and exit paths: Envoy's `filesystem.*` stats, one report
 * per burst of failed writes, reopen (logrotate) with and without success, synchronous flushes
 * that lose nothing, and the AccessLogManager sharing one sink per path.
 *
 * Tests run as root, so permission tricks do not fail a write: failures come from /dev/full
 * (ENOSPC), from a path whose parent is a file (ENOTDIR) or is a directory (EISDIR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { accessLogFileStats } from '../../../src/runtime/access_log/file_stats.js';
import { batchSink, openFileSink } from '../../../src/runtime/access_log/sink.js';
import { AccessLogManager } from '../../../src/runtime/access_log/manager.js';
import { AccessLogConfigError, createAccessLogger, createAccessLoggers } from '../../../src/runtime/access_log/index.js';
import { sampleInfo } from './helpers.js';

const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsproxy-sink-'));
}

function fsStats(store: StatsStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of ['write_buffered', 'write_completed', 'write_failed', 'flushed_by_timer', 'reopen_failed']) out[n] = store.counterValue(`filesystem.${n}`);
  out['write_total_buffered'] = store.gaugeValue('filesystem.write_total_buffered');
  return out;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

test('failed writes count filesystem.write_failed and are reported once per burst, then once when writes succeed again', async () => {
  const store = new StatsStore();
  const reports: string[] = [];
  const errors: string[] = [];
  let failuresLeft = 3;
  const written: string[] = [];
  const sink = batchSink(
    (data, done) => {
      if (failuresLeft-- > 0) return setImmediate(() => done(new Error('ENOSPC: no space left on device')));
      written.push(data.toString());
      setImmediate(done);
    },
    { stats: accessLogFileStats(store), report: (m) => reports.push(m), onError: (e) => errors.push(e.message), flushIntervalMs: 60_000 },
  );
  for (let i = 0; i < 5; i++) {
    sink.write(`line ${i}\n`);
    if (i === 0) sink.write('second line of the first batch\n');
    await sink.flush();
  }
  await sink.close();
  assert.deepEqual(written, ['line 3\n', 'line 4\n']);
  assert.equal(errors.length, 3);
  assert.equal(reports.length, 2, reports.join('\n'));
  assert.match(reports[0]!, /write failed \(ENOSPC: no space left on device\); 2 line\(s\) dropped; .*filesystem\.write_failed/);
  assert.match(reports[1]!, /writing again after 3 failed write\(s\); 4 line\(s\) \(\d+ bytes\) were dropped/);
  assert.deepEqual(fsStats(store), { write_buffered: 6, write_completed: 2, write_failed: 3, flushed_by_timer: 0, reopen_failed: 0, write_total_buffered: 0 });
});

test('/dev/full: every failed batch is counted, the burst reported once, and again at close since it never recovered', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, async () => {
  const store = new StatsStore();
  const reports: string[] = [];
  const sink = openFileSink('/dev/full', { stats: accessLogFileStats(store), report: (m) => reports.push(m), flushIntervalMs: 60_000 });
  for (let i = 0; i < 4; i++) {
    sink.write(`GET /${i} 200\n`);
    await sink.flush();
  }
  assert.equal(reports.length, 1, reports.join('\n'));
  assert.match(reports[0]!, /^access log \/dev\/full: write failed \(ENOSPC/);
  await sink.close();
  assert.equal(reports.length, 2);
  assert.match(reports[1]!, /closed while writes were failing: 4 failed write\(s\), 4 line\(s\)/);
  assert.deepEqual(fsStats(store), { write_buffered: 4, write_completed: 0, write_failed: 4, flushed_by_timer: 0, reopen_failed: 0, write_total_buffered: 0 });
});

test('the flush interval writes a batch and counts filesystem.flushed_by_timer', async () => {
  const store = new StatsStore();
  const dir = tempDir();
  try {
    const path = join(dir, 'a.log');
    const sink = openFileSink(path, { stats: accessLogFileStats(store), flushIntervalMs: 5 });
    sink.write('one\n');
    sink.write('two\n');
    assert.equal(store.gaugeValue('filesystem.write_total_buffered'), 8);
    for (let i = 0; i < 200 && store.counterValue('filesystem.write_completed') === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');
    assert.deepEqual(fsStats(store), { write_buffered: 2, write_completed: 1, write_failed: 0, flushed_by_timer: 1, reopen_failed: 0, write_total_buffered: 0 });
    await sink.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reopen after a rename (logrotate): lines logged before go to the renamed file, later ones to a new file; none lost, none twice', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'access.log');
    const store = new StatsStore();
    // Small batches: writes are in flight and queued when the reopen arrives.
    const sink = openFileSink(path, { stats: accessLogFileStats(store), maxBufferBytes: 64, flushIntervalMs: 60_000 });
    const before = Array.from({ length: 50 }, (_, i) => `before ${i}`);
    const after = Array.from({ length: 50 }, (_, i) => `after ${i}`);
    for (const l of before) sink.write(l + '\n');
    renameSync(path, path + '.1');
    const reopened = sink.reopen();
    for (const l of after) sink.write(l + '\n');
    await reopened;
    await sink.close();
    assert.deepEqual(lines(readFileSync(path + '.1', 'utf8')), before);
    assert.deepEqual(lines(readFileSync(path, 'utf8')), after);
    assert.equal(store.counterValue('filesystem.reopen_failed'), 0);
    assert.equal(store.counterValue('filesystem.write_failed'), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reopen that cannot open the path (its parent became a file, or it became a directory) counts filesystem.reopen_failed, is reported, and keeps writing to the old file', async () => {
  for (const breakPath of ['parent is a file', 'path is a directory'] as const) {
    const dir = tempDir();
    try {
      const logDir = join(dir, 'logs');
      mkdirSync(logDir);
      const path = join(logDir, 'access.log');
      const store = new StatsStore();
      const reports: string[] = [];
      const sink = openFileSink(path, { stats: accessLogFileStats(store), report: (m) => reports.push(m), flushIntervalMs: 60_000 });
      sink.write('first\n');
      await sink.flush();
      let old: string;
      if (breakPath === 'parent is a file') {
        old = join(dir, 'logs.old', 'access.log');
        renameSync(logDir, join(dir, 'logs.old'));
        writeFileSync(logDir, 'not a directory');
      } else {
        old = path + '.1';
        renameSync(path, old);
        mkdirSync(path);
      }
      sink.write('second\n');
      await sink.reopen();
      sink.write('third\n');
      await sink.close();
      assert.deepEqual(lines(readFileSync(old, 'utf8')), ['first', 'second', 'third'], breakPath);
      assert.equal(store.counterValue('filesystem.reopen_failed'), 1, breakPath);
      assert.equal(store.counterValue('filesystem.write_failed'), 0, breakPath);
      assert.equal(reports.length, 1, breakPath);
      assert.match(reports[0]!, breakPath === 'parent is a file' ? /cannot reopen \(ENOTDIR/ : /cannot reopen \(EISDIR/);
      assert.match(reports[0]!, /still writing to the file opened before/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('an access log path whose parent is a file is a config error', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'file'), '');
    assert.throws(
      () => createAccessLogger({ typed_config: { '@type': FILE, path: join(dir, 'file', 'access.log') } }),
      (e: unknown) => e instanceof AccessLogConfigError && /cannot open .*ENOTDIR/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flushSync writes every buffered and queued line before it returns', () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'a.log');
    const sink = openFileSink(path, { flushIntervalMs: 60_000 });
    const want = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    for (const l of want) sink.write(l + '\n');
    sink.flushSync();
    assert.deepEqual(lines(readFileSync(path, 'utf8')), want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('process.exit() right after writes handed to the thread pool: flushSync in the exit event leaves every line exactly once, in order', () => {
  const sinkUrl = new URL('../../../src/runtime/access_log/sink.js', import.meta.url).href;
  const dir = tempDir();
  try {
    const script = join(dir, 'exit.mjs');
    // Batches of ~4 KiB: several writes are in flight or queued when process.exit() is called,
    // in the same tick as the last write() or a few event-loop turns later.
    writeFileSync(
      script,
      `import { openFileSink } from ${JSON.stringify(sinkUrl)};
import { pbkdf2 } from 'node:crypto';
const [path, count, turns, busy] = process.argv.slice(2);
// busy: the only thread-pool thread (UV_THREADPOOL_SIZE=1) is taken, so the batch handed to
// the pool has not started when the process exits: the pool still writes it (libuv finishes
// queued work at exit), flushSync must not write it a second time.
if (busy === 'busy') pbkdf2('p', 's', 5e5, 32, 'sha256', () => {});
const sink = openFileSink(path, { maxBufferBytes: 4096, flushIntervalMs: 60000 });
process.on('exit', () => sink.flushSync());
for (let i = 0; i < Number(count); i++) sink.write('line ' + i + ' ' + 'x'.repeat(i % 97) + '\\n');
let left = Number(turns);
const next = () => (left-- > 0 ? setImmediate(next) : process.exit(3));
next();
`,
    );
    const cases = [[500, 0, ''], [500, 1, ''], [2000, 0, ''], [2000, 2, ''], [3000, 5, ''], [101, 0, ''], [500, 0, 'busy'], [2000, 1, 'busy']] as const;
    for (const [count, turns, busy] of cases) {
      const path = join(dir, `access-${count}-${turns}-${busy}.log`);
      const r = spawnSync(process.execPath, [script, path, String(count), String(turns), busy], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, UV_THREADPOOL_SIZE: busy ? '1' : '4' },
      });
      assert.equal(r.status, 3, r.stderr);
      const got = lines(readFileSync(path, 'utf8'));
      const want = Array.from({ length: count }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
      assert.equal(got.length, want.length, `${count} lines, exit after ${turns} turns ${busy}`);
      // A pool busy past flushSync's 100 ms wait writes its batch after the later ones.
      if (busy) assert.deepEqual([...got].sort(), [...want].sort());
      else assert.deepEqual(got, want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line logged after close is reported, not silently dropped', async () => {
  const reports: string[] = [];
  const sink = batchSink((_d, done) => done(), { report: (m) => reports.push(m) });
  await sink.close();
  sink.write('late\n');
  sink.write('later\n');
  assert.equal(reports.length, 1);
  assert.match(reports[0]!, /logged after the log was closed is dropped/);
});

test('AccessLogManager: two access logs on one path share one file; reopen and close reach it once', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'access.log');
    const store = new StatsStore();
    const manager = new AccessLogManager({ stats: accessLogFileStats(store), flushIntervalMs: 60_000 });
    const entry = (tag: string) => ({ typed_config: { '@type': FILE, path, log_format: { text_format: `${tag} %RESPONSE_CODE%\n` } } });
    const both = createAccessLoggers([entry('a'), entry('b')], { manager });
    both.log(sampleInfo({ responseCode: 200 }));
    renameSync(path, path + '.1');
    await manager.reopen();
    both.log(sampleInfo({ responseCode: 404 }));
    await both.close();
    // The loggers' close() flushed; the file is the manager's until it closes.
    manager.flushSync();
    await manager.close();
    assert.deepEqual(lines(readFileSync(path + '.1', 'utf8')), ['a 200', 'b 200']);
    assert.deepEqual(lines(readFileSync(path, 'utf8')), ['a 404', 'b 404']);
    // One file, one batch per flush: two writes for four lines.
    assert.deepEqual(fsStats(store), { write_buffered: 4, write_completed: 2, write_failed: 0, flushed_by_timer: 0, reopen_failed: 0, write_total_buffered: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
