/**
 * bin/tsproxy.js turns on Node's compile cache (V8 code cache of the modules a command loads),
 * in Node's default place: NODE_COMPILE_CACHE, else <os.tmpdir()>/node-compile-cache. Never in
 * the package's own directory, so a read-only global install works; where the directory cannot be
 * made, the command runs as before and says nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run_cli.js';

const ARGS = ['match', '-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/'];

function run(env: Record<string, string | undefined>) {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
  return spawnSync(process.execPath, ['bin/tsproxy.js', ...ARGS], { cwd: ROOT, encoding: 'utf8', env: { ...base, ...env } });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

test('the compile cache is written under the temporary directory, and used by the next run (module tree; the bundle: bundle.test.ts)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-cc-'));
  const first = run({ TMPDIR: tmp, TSPROXY_NO_BUNDLE: '1' });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stderr, '');
  const cache = join(tmp, 'node-compile-cache');
  assert.ok(existsSync(cache), 'no node-compile-cache directory under TMPDIR');
  const files = filesUnder(cache);
  // One entry per module compiled: our ~90 modules for match, and commander's.
  assert.ok(files.length >= 50, `only ${files.length} cache entries`);
  // Node's own debug output says which cached code it took (NODE_DEBUG_NATIVE=COMPILE_CACHE).
  const second = run({ TMPDIR: tmp, TSPROXY_NO_BUNDLE: '1', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  assert.match(second.stderr, /V8 code cache for ESM file:\/\/\S*\/dist\/src\/core\/route\.js was accepted/);
});

test('where the cache directory cannot be made, the command runs and says nothing about it', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-cc-'));
  const notADir = join(tmp, 'file');
  writeFileSync(notADir, '');
  const ok = run({ TMPDIR: tmp + '/ok' });
  // A path under a regular file: not creatable, even by root.
  const r = run({ TMPDIR: join(notADir, 'sub') });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, ok.stdout);
  assert.match(r.stdout, /^route /m);
});

test('NODE_DISABLE_COMPILE_CACHE=1 leaves it off', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-cc-'));
  const r = run({ TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(tmp, 'node-compile-cache')), false);
});
