/**
 * The per-command bundles (scripts/bundle.mjs; docs/core.md "Third pass: per-command bundles"),
 * through the real launcher: each short-lived command runs from dist/cli/<command>.js and loads
 * nothing of dist/src but the inspector guard, the bundle loader and the on-demand modules; it answers exactly as
 * the module tree does (TSPROXY_NO_BUNDLE=1); the on-demand paths work from the bundle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, type CliResult } from './run_cli.js';
import { loadedBy, ownModule, type RecordedRun } from './load_recorder.js';

/** scripts/bundle.mjs's ON_DEMAND: the modules a bundle loads from dist/src. */
const ON_DEMAND = ['config/yaml_source.js', 'runtime/filters/registry.js', 'runtime/local_info.js', 'cli/output/admin_source.js'];

const BUNDLED = ['match', 'explain', 'test', 'lint', 'diff'];

/** A Bootstrap-less route configuration the fast YAML path does not take (an anchor in a flow mapping): the yaml package parses it. */
const ANCHORS = 'name: rc\nvirtual_hosts:\n- &vh { name: a, domains: ["*"], routes: [{ match: { prefix: "/" }, direct_response: { status: 200 } }] }\n';

function anchorsFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tsproxy-bundle-')), 'anchors.yaml');
  writeFileSync(file, ANCHORS);
  return file;
}

/** bin/tsproxy.js `args` from the repo root, NO_COLOR=1 unless `env` says otherwise. */
function run(args: readonly string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, ['bin/tsproxy.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, TSPROXY_NO_BUNDLE: undefined, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The dist/src modules a run loaded other than through an on-demand module (which loads its own
 * imports from dist/src) or the launcher's inspector guard; each as "module <- parent".
 */
function strayOwnModules(r: RecordedRun): string[] {
  const viaOnDemand = new Set<string>();
  const stray: string[] = [];
  for (const { url, parent } of r.loads) {
    const own = ownModule(url);
    if (own === undefined) continue;
    const fromLauncher = parent.endsWith('/bin/tsproxy.js') && (own === 'cli/inspector_guard.js' || own === 'cli/bundle_loader.js');
    const fromBundle = parent.includes('/dist/cli/') && ON_DEMAND.includes(own);
    if (fromLauncher || fromBundle || viaOnDemand.has(parent)) viaOnDemand.add(url);
    else stray.push(`${own} <- ${parent}`);
  }
  return stray;
}

/** One run of each bundled command, with the fixtures of its own tests. */
const EACH: ReadonlyArray<readonly string[]> = [
  ['match', '-c', 'fixtures/demo/envoy.yaml', '--host', 'localhost:10000', '--path', '/api/users'],
  ['explain', '-c', 'fixtures/demo/envoy.yaml', '--host', 'localhost:10000', '--path', '/api/users'],
  ['test', '-c', 'fixtures/router_check/routes.yaml', '-t', 'fixtures/router_check/tests.yaml'],
  ['lint', 'fixtures/demo/envoy.yaml'],
  ['diff', 'fixtures/diff/routes_old.yaml', 'fixtures/diff/routes_new.yaml'],
];

test("diff needs serve's local address only: of the runtime it loads runtime/local_info.js alone", () => {
  const r = loadedBy(EACH[4]!);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.deepEqual(r.urls.map(ownModule).filter((p) => p?.startsWith('runtime/')), ['runtime/local_info.js']);
});

test('each short-lived command runs from its bundle and loads nothing of dist/src but the inspector guard, the bundle loader and the on-demand modules', () => {
  assert.deepEqual(EACH.map((a) => a[0]), BUNDLED);
  for (const args of EACH) {
    const command = args[0]!;
    const r = loadedBy(args);
    assert.ok(r.status === 0 || r.status === 1, `${command}: ${r.stderr}`);
    const bundles = r.urls.filter((u) => u.includes('/dist/cli/')).map((u) => u.slice(u.indexOf('/dist/cli/') + 1));
    assert.deepEqual(bundles, [`dist/cli/${command}.js`], command);
    assert.deepEqual(strayOwnModules(r), [], `${command} loaded modules of dist/src`);
    // The same run on the module tree: the check sees main.js and the command's modules there.
    const tree = loadedBy(args, { TSPROXY_NO_BUNDLE: '1' });
    assert.equal(tree.stdout, r.stdout, command);
    assert.deepEqual(tree.urls.filter((u) => u.includes('/dist/cli/')), [], command);
    const stray = strayOwnModules(tree);
    assert.ok(stray.includes(`cli/main.js <- ${pathToFileURL(join(ROOT, 'bin', 'tsproxy.js')).href}`), stray.join('\n'));
    assert.ok(stray.some((s) => s.startsWith(`cli/commands/${command}.js <- `)), stray.join('\n'));
  }
});

test('no command, --help, --version, replay, serve and top run on the module tree', () => {
  for (const args of [[], ['--help'], ['--version'], ['replay', '--help'], ['serve', '--help'], ['top', '--help']]) {
    const r = loadedBy(args);
    assert.ok(r.urls.some((u) => u.endsWith('/dist/src/cli/main.js')), `main.js not loaded for ${args.join(' ')}`);
    assert.deepEqual(r.urls.filter((u) => u.includes('/dist/cli/')), [], args.join(' '));
  }
});

/** Runs covering each bundled command: ok, no match or failing tests (exit 1), usage and config errors (exit 2). */
function identityCases(anchors: string): string[][] {
  const routes = ['-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com'];
  const ingress = ['-c', 'fixtures/explain/bootstrap.yaml', '--listener', 'ingress', '--host', 'api.example.com', '--path', '/api/x'];
  const rc = 'fixtures/router_check';
  return [
    ['match', ...routes, '--path', '/users/42', '-H', 'x-tenant: acme'],
    ['match', ...ingress, '--remote-address', '127.0.0.1', '--json'],
    ['match', '-c', 'fixtures/demo/envoy.yaml', '--host', 'nope', '--path', '/zzz'],
    ['match', '-c', 'fixtures/explain/bad.yaml', '--path', '/'],
    ['match', '-c', anchors, '--path', '/'],
    ['match', '--nope'],
    ['explain', ...ingress, '--json'],
    ['explain', ...routes, '--path', '/nothing', '--json'],
    ['explain', '-c', anchors, '--path', '/', '--json'],
    ['test', '-c', `${rc}/routes.yaml`, '-t', `${rc}/tests.yaml`, '--details'],
    ['test', '-c', `${rc}/routes.yaml`, '-t', `${rc}/failing.json`, '--details'],
    ['test', '-c', `${rc}/bad_routes.yaml`, '-t', `${rc}/tests.yaml`, '--json'],
    ['lint', 'fixtures/lint/route__shadowed/bad.yaml', '--format', 'json'],
    ['lint', 'fixtures/explain/bootstrap.yaml', 'fixtures/explain/bad.yaml', '--format', 'json'],
    ['lint', anchors, '--format', 'json'],
    ['diff', 'fixtures/diff/routes_old.yaml', 'fixtures/diff/routes_new.yaml', '--json'],
    ['diff', 'fixtures/diff/cosmetic_old.yaml', 'fixtures/diff/cosmetic_new.json'],
  ];
}

test('every bundled command answers exactly as the module tree does (TSPROXY_NO_BUNDLE=1)', () => {
  const cases = identityCases(anchorsFile());
  assert.deepEqual([...new Set(cases.map((c) => c[0]))], BUNDLED);
  const statuses = new Set<number | null>();
  for (const args of cases) {
    const bundle = run(args);
    const tree = run(args, { TSPROXY_NO_BUNDLE: '1' });
    assert.deepEqual(bundle, tree, args.join(' '));
    assert.ok(bundle.stdout.length + bundle.stderr.length > 0, args.join(' '));
    statuses.add(bundle.status);
  }
  assert.deepEqual([...statuses].sort(), [0, 1, 2]);
});

test('from the bundle: the yaml package for a file the fast path does not take, loaded through dist/src/config/yaml_source.js', () => {
  const r = loadedBy(['match', '-c', anchorsFile(), '--path', '/']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^virtual host +a /m);
  const source = r.loads.find((l) => l.url.endsWith('/dist/src/config/yaml_source.js'));
  assert.ok(source !== undefined && source.parent.endsWith('/dist/cli/match.js'), JSON.stringify(source));
  assert.ok(r.loads.some((l) => /\/node_modules\/yaml\//.test(l.url) && l.parent === source.url), 'yaml not loaded by yaml_source.js');
});

/** The module that first asked for the module whose URL matches `re`, in a recorded run. */
function parentOf(r: RecordedRun, re: RegExp): string | undefined {
  return r.loads.find((l) => re.test(l.url))?.parent;
}

test('from the bundle: chalk for FORCE_COLOR=1, the filter registry for a filter other than the router', () => {
  const args = ['match', '-c', 'fixtures/explain/bootstrap.yaml', '--listener', 'ingress', '--host', 'api.example.com', '--path', '/api/x'];
  const r = loadedBy(args, { NO_COLOR: undefined, FORCE_COLOR: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(parentOf(r, /\/node_modules\/chalk\//) ?? '', /\/dist\/cli\/match\.js$/);
  assert.match(parentOf(r, /\/dist\/src\/runtime\/filters\/registry\.js$/) ?? '', /\/dist\/cli\/match\.js$/);
  // Coloured, and the fault filter found in the registry (a filter tsproxy runs).
  assert.match(r.stdout, /\x1b\[/);
  assert.match(r.stdout, /envoy\.filters\.http\.fault.*runs/);
  assert.equal(r.stdout, run(args, { NO_COLOR: undefined, FORCE_COLOR: '1', TSPROXY_NO_BUNDLE: '1' }).stdout);
  // The check can fail: without colour nor filters other than the router, neither is loaded.
  const plain = loadedBy(['match', '-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(plain.urls.filter((u) => /\/node_modules\/chalk\/|local_info|filters\/registry/.test(u)), []);
});

test("from the bundle: serve's local address for a loopback peer (x-forwarded-for), from dist/src/runtime/local_info.js", () => {
  const args = ['match', '-c', 'fixtures/explain/edge.yaml', '--host', 'www.example.com', '--path', '/', '--remote-address', '127.0.0.1'];
  const r = loadedBy(args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /x-forwarded-for: \(none\) -> \d+\.\d+\.\d+\.\d+$/m);
  assert.match(parentOf(r, /\/dist\/src\/runtime\/local_info\.js$/) ?? '', /\/dist\/cli\/match\.js$/);
  assert.equal(r.stdout, run(args, { TSPROXY_NO_BUNDLE: '1' }).stdout);
});

test('from the bundle: --version reads the package.json next to it and finds re2', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const tree = run(['--version']);
  assert.equal(tree.status, 0, tree.stderr);
  for (const command of BUNDLED) {
    // The bundle's own program, called directly (bin/tsproxy.js sends `tsproxy --version` to the tree).
    const script = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'bundle_loader.js')).href)});
const { main } = loadBundle(new URL(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', `${command}.js`)).href)}));
process.exitCode = await main(['node', 'tsproxy', '--version']);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, tree.stdout, command);
  }
  assert.match(tree.stdout, new RegExp(`^tsproxy  version: ${pkg.version.replace(/\./g, '\\.')}/node-`));
  assert.match(tree.stdout, /^re2 +\d+\.\d+\.\d+ /m);
});

test('the bundles import nothing statically and name no absolute path of the build', () => {
  const files = readdirSync(join(ROOT, 'dist', 'cli')).filter((f) => f.endsWith('.js'));
  assert.deepEqual(files.sort(), BUNDLED.map((c) => `${c}.js`).sort());
  for (const f of files) {
    const text = readFileSync(join(ROOT, 'dist', 'cli', f), 'utf8');
    assert.doesNotMatch(text, /^import[\s{*]/m, f);
    assert.ok(!text.includes(ROOT.replace(/\/$/, '')), `${f} names ${ROOT}`);
    // The on-demand modules, relative to the bundle.
    assert.match(text, /"\.\.\/src\/(config\/yaml_source|runtime\/filters\/registry)\.js"/, f);
  }
});

test('a copy of the package elsewhere runs from its own bundle, whatever its files\' times; in a checkout a bundle older than tsc\'s output (stale) is not used', () => {
  // The package's files (no src/, as npm installs it).
  const copy = mkdtempSync(join(tmpdir(), 'tsproxy-bundle-copy-'));
  for (const p of ['bin', 'dist/src', 'dist/cli', 'package.json']) {
    cpSync(join(ROOT, p), join(copy, p), { recursive: true, preserveTimestamps: true, filter: (f) => !f.endsWith('.map') });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const args = ['match', '-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/users/42', '-H', 'x-tenant: acme'];
  const here = run(args);
  const there = loadedBy(args, {}, copy);
  assert.equal(there.status, 0, there.stderr);
  assert.equal(there.stdout, here.stdout);
  const copyUrl = pathToFileURL(copy).href;
  assert.deepEqual(there.urls.filter((u) => u.includes('/dist/')).map((u) => u.slice(copyUrl.length)).sort(), ['/dist/cli/match.js', '/dist/src/cli/bundle_loader.js', '/dist/src/cli/inspector_guard.js']);
  // npm extracts files with the time of extraction, in any order: an entry newer than its bundle
  // in an installed package is not a stale bundle.
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(copy, 'dist', 'src', 'cli', 'entries', 'match.js'), later, later);
  const installed = loadedBy(args, {}, copy);
  assert.equal(installed.stdout, here.stdout);
  assert.deepEqual(installed.urls.filter((u) => u.includes('/dist/cli/')).map((u) => u.slice(copyUrl.length)), ['/dist/cli/match.js']);
  // In a checkout (src/ beside dist/), tsc after the bundle: its output of the entry is newer.
  mkdirSync(join(copy, 'src'));
  const stale = loadedBy(args, {}, copy);
  assert.equal(stale.stdout, here.stdout);
  assert.ok(stale.urls.includes(`${copyUrl}/dist/src/cli/main.js`), 'the module tree is not used');
  assert.deepEqual(stale.urls.filter((u) => u.includes('/dist/cli/')), []);
});
