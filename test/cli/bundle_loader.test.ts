/**
 * The command bundles' code cache (src/cli/bundle_loader.ts), through the real launcher with its
 * own temporary directory: written by the first run that did the command's work, in Node's
 * compile-cache directory; taken (not written again) by the next; written again when V8 rejects
 * it; never read from a directory others can write to; none with NODE_DISABLE_COMPILE_CACHE=1;
 * a rebuilt bundle gets a new one, replacing its previous build's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, type CliResult } from './run_cli.js';
import { fnv1a } from '../../src/cli/bundle_loader.js';

const MATCH = ['match', '-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/users/42', '-H', 'x-tenant: acme'];

/** `<root>/bin/tsproxy args` from the repo root with TMPDIR=`tmp` (so Node's compile cache lives there). */
function run(tmp: string, args: readonly string[], env: Record<string, string | undefined> = {}, root: string = ROOT): CliResult {
  const r = spawnSync(join(root, 'bin', 'tsproxy'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, TSPROXY_NO_BUNDLE: undefined, TSPROXY_NODE: process.execPath, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Node's compile-cache directories under `tmp` (one per Node version, V8 flags and user). */
function cacheDirs(tmp: string): string[] {
  const top = join(tmp, 'node-compile-cache');
  return existsSync(top) ? readdirSync(top).map((d) => join(top, d)) : [];
}

/** The bundles' code cache files under `tmp`, as "<dir>/<name>". */
function codeCaches(tmp: string, command = 'match'): string[] {
  return cacheDirs(tmp).flatMap((d) => readdirSync(d).filter((f) => f.startsWith(`tsproxy-${command}-`) && f.endsWith('.v8cache')).map((f) => join(d, f)));
}

/** Identity of a file's current content: inode and modification time. */
function identity(file: string): string {
  const s = statSync(file);
  return `${s.ino}/${s.mtimeMs}/${s.size}`;
}

test('fnv1a: the FNV-1a test vectors', () => {
  assert.equal(fnv1a(''), '811c9dc5');
  assert.equal(fnv1a('a'), 'e40c292c');
  assert.equal(fnv1a('foobar'), 'bf9cf968');
});

test('the first run writes the code cache in Node\'s compile-cache directory; the next run takes it as it is', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  const first = run(tmp, MATCH);
  assert.equal(first.status, 0, first.stderr);
  const caches = codeCaches(tmp);
  assert.equal(caches.length, 1, caches.join('\n'));
  const file = caches[0]!;
  assert.ok(statSync(file).size > 100_000, `${file}: ${statSync(file).size} bytes, not the code of a whole run`);
  assert.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only');
  const before = identity(file);
  const second = run(tmp, MATCH);
  assert.deepEqual(second, first);
  // Written again only when missing or rejected by V8: untouched means V8 took it.
  assert.equal(identity(file), before);
  assert.deepEqual(codeCaches(tmp), caches);
});

test('a cache V8 rejects (not its format) is written again, and the output does not change', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  const first = run(tmp, MATCH);
  const [file] = codeCaches(tmp);
  assert.ok(file !== undefined);
  writeFileSync(file, Buffer.alloc(4096, 0x5a));
  const bad = identity(file);
  const second = run(tmp, MATCH);
  assert.deepEqual(second, first);
  assert.notEqual(identity(file), bad);
  assert.notDeepEqual(readFileSync(file).subarray(0, 64), Buffer.alloc(64, 0x5a));
  const good = identity(file);
  assert.deepEqual(run(tmp, MATCH), first);
  assert.equal(identity(file), good);
});

test('runs that do not do the command\'s work (--help, a usage error) write no code cache', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  assert.equal(run(tmp, ['match', '--help']).status, 0);
  assert.equal(run(tmp, ['match', '-c', 'fixtures/explain/routes.yaml', '--no-such-flag']).status, 2);
  assert.deepEqual(codeCaches(tmp), []);
  assert.equal(run(tmp, MATCH).status, 0);
  assert.equal(codeCaches(tmp).length, 1);
});

test('no code cache with NODE_DISABLE_COMPILE_CACHE=1, nor in a directory others can write to or (as root) another user owns', () => {
  const off = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  const r = run(off, MATCH, { NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(codeCaches(off), []);

  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  const first = run(tmp, MATCH);
  const [file] = codeCaches(tmp);
  assert.ok(file !== undefined);
  const dir = cacheDirs(tmp)[0]!;
  // A cache others could have written is not read, and none is written there.
  writeFileSync(file, Buffer.alloc(4096, 0x5a));
  chmodSync(dir, 0o777);
  assert.deepEqual(run(tmp, MATCH), first);
  assert.deepEqual(readFileSync(file), Buffer.alloc(4096, 0x5a));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    chownSync(dir, 54321, 54321);
    assert.deepEqual(run(tmp, MATCH), first);
    assert.deepEqual(readFileSync(file), Buffer.alloc(4096, 0x5a));
    chownSync(dir, 0, 0);
  }
  assert.deepEqual(run(tmp, MATCH), first);
  assert.notDeepEqual(readFileSync(file).subarray(0, 64), Buffer.alloc(64, 0x5a));
});

test("a rebuilt bundle gets a new cache, which replaces its previous build's; another copy of tsproxy keeps its own", () => {
  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-pkg-'));
    for (const p of ['bin', 'dist/src', 'dist/cli', 'package.json']) {
      cpSync(join(ROOT, p), join(dir, p), { recursive: true, filter: (f) => !f.endsWith('.map') });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  };
  const [a, b] = [copy(), copy()];
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-codecache-'));
  const first = run(tmp, MATCH, {}, a);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(run(tmp, MATCH, {}, b), first);
  const both = codeCaches(tmp);
  assert.equal(both.length, 2, both.join('\n'));
  const bundle = join(a, 'dist', 'cli', 'match.js');
  let mine = new Set(both);
  for (let i = 1; i <= 3; i++) {
    const t = new Date(Date.now() + i * 60_000);
    utimesSync(bundle, t, t);
    assert.deepEqual(run(tmp, MATCH, {}, a), first);
    const now = codeCaches(tmp);
    // One new file (this build's), one gone (the previous build's); b's untouched.
    assert.equal(now.length, 2, now.join('\n'));
    assert.equal(now.filter((f) => !mine.has(f)).length, 1, `rebuild ${i}`);
    mine = new Set(now);
  }
  assert.ok([...mine].some((f) => both.includes(f)), "the other copy's cache is kept");
  // Other commands' caches are theirs.
  assert.equal(run(tmp, ['lint', 'fixtures/demo/envoy.yaml'], {}, a).status, 0);
  assert.equal(codeCaches(tmp, 'lint').length, 1);
  assert.equal(codeCaches(tmp).length, 2);
});
