/**
 * What `tsproxy match` loads (issue 13: cold start). Not a timing test: the modules a command
 * loads are what its start-up costs, and they only grow by accident. `match` runs from its bundle
 * (dist/cli/match.js, scripts/bundle.mjs): what the bundle holds is read from esbuild's metafile
 * (dist/cli/meta.json). The same guarantees hold for the module tree (TSPROXY_NO_BUNDLE=1), driven
 * through the real launcher with the load recorder (load_recorder.ts). On the 1,000-route
 * fixture's shape (bench/cold_start_fixture.mjs). That the launcher does use the bundle, and loads
 * nothing of dist/src besides: bundle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run_cli.js';
import { loadedBy, ownModule } from './load_recorder.js';

/**
 * The most of our own modules (dist/src) `match` may load or its bundle hold, besides the
 * launcher's (the inspector guard, main.js or the bundle's entry). Measured 90 when set with
 * those two counted, 91 once the compiled route table moved out of core/route.ts into
 * core/route_table.ts (a split, no new work); 90 without them and with program.ts (the program
 * set-up out of main.ts, for the bundles); 94 once the YAML fast path's scalar and flow-collection
 * rules and the decoder's scalar types and JSON paths moved to their own files (splits, no new
 * work); 95 with cli/output/std_streams.ts (writing without Node's stdout/stderr streams, which
 * cost more to load than it does). Raise it only for a module match really needs, knowing each
 * costs start-up time.
 */
const MAX_OWN_MODULES = 95;

/** Our modules (dist/src paths) `match` must not hold or load: serve's, the TUI's, the other commands'. */
function unwanted(ours: readonly string[]): string[] {
  return ours.filter(
    (p) =>
      /^(runtime|tui)\//.test(p) ||
      /^analysis\/(lint|replay|diff|router_check|flags)\//.test(p) ||
      (/^cli\/commands\//.test(p) && p !== 'cli/commands/match.js') ||
      p === 'cli/main.js' ||
      p === 'config/yaml_source.js',
  );
}

/** Modules the checks can see missing: what match does need. */
const NEEDED = ['cli/commands/match.js', 'core/route.js', 'config/fast_yaml.js', 'config/decode.js', 'analysis/explain/analyze.js'];

const UNWANTED_PACKAGES = /\/node_modules\/(yaml|chalk|ink|react)\//;

test('the match bundle holds the routing core and none of serve, lint, replay, diff, test, top or the yaml package', () => {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const inputs = Object.keys(meta.outputs['dist/cli/match.js']?.inputs ?? {});
  const ours = inputs.map((i) => /^dist\/src\/(.+)$/.exec(i)?.[1]).filter((p): p is string => p !== undefined);
  for (const needed of [...NEEDED, 'cli/entries/match.js']) assert.ok(ours.includes(needed), `${needed} not among the ${ours.length} modules of the bundle`);
  assert.ok(inputs.includes('builtin-cjs:re2'), 're2 not required by the bundle');
  assert.deepEqual(unwanted(ours), [], 'modules the match bundle should not hold');
  assert.deepEqual(inputs.filter((i) => UNWANTED_PACKAGES.test(`/${i}`)), [], 'packages the match bundle should not hold');
  const own = ours.filter((p) => p !== 'cli/entries/match.js');
  assert.ok(own.length <= MAX_OWN_MODULES, `the match bundle holds ${own.length} of our modules besides its entry (at most ${MAX_OWN_MODULES}):\n${own.join('\n')}`);
  // The negative control: the same check on the test bundle finds its command and router_check.
  const testInputs = Object.keys(meta.outputs['dist/cli/test.js']?.inputs ?? {}).map((i) => /^dist\/src\/(.+)$/.exec(i)?.[1]).filter((p): p is string => p !== undefined);
  assert.ok(unwanted(testInputs).length > 0, 'the check sees nothing unwanted in the test bundle either');
});

test('the module tree (TSPROXY_NO_BUNDLE=1): match loads the routing core and none of serve, lint, replay, diff, test, top or the yaml package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-match-modules-'));
  const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'cold_start_fixture.mjs'), '40'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, gen.stdout);
  // Route 38 is a safe_regex route (four matcher kinds in turn): the regex engine is loaded too.
  const r = loadedBy(['match', '-c', file, '--host', 'www.example.com', '--path', '/re38/7'], { TSPROXY_NO_BUNDLE: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^route +r38 /m);
  const ours = r.urls.map(ownModule).filter((p): p is string => p !== undefined);
  // The check can fail: the recording sees what match does need.
  for (const needed of NEEDED) assert.ok(ours.includes(needed), `${needed} not seen among ${ours.length} modules`);
  assert.ok(r.urls.some((u) => /\/node_modules\/re2\//.test(u)), 're2 not seen');
  assert.deepEqual(unwanted(ours.filter((p) => p !== 'cli/main.js')), [], 'modules match should not load');
  assert.deepEqual(r.urls.filter((u) => UNWANTED_PACKAGES.test(u)), [], 'packages match should not load');
  assert.deepEqual(r.urls.filter((u) => u.includes('/dist/cli/')), [], 'no bundle with TSPROXY_NO_BUNDLE=1');
  // The inspector guard and main.js come with the launcher, not with match.
  const own = ours.filter((p) => p !== 'cli/main.js' && p !== 'cli/inspector_guard.js');
  assert.ok(own.length <= MAX_OWN_MODULES, `match loads ${own.length} of our modules (at most ${MAX_OWN_MODULES}):\n${own.join('\n')}`);
});

test('the recording sees the yaml package when match does load it, with and without the bundle', () => {
  // The negative control: the same preload through the same launcher on a file the fast YAML
  // path does not take (a flow mapping with an anchor) loads the yaml package.
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-match-modules-'));
  const file = join(dir, 'anchors.yaml');
  writeFileSync(file, 'name: rc\nvirtual_hosts:\n- &vh { name: a, domains: ["*"], routes: [{ match: { prefix: "/" }, direct_response: { status: 200 } }] }\n');
  for (const noBundle of ['1', undefined]) {
    const r = loadedBy(['match', '-c', file, '--path', '/'], { TSPROXY_NO_BUNDLE: noBundle });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.urls.some((u) => /\/node_modules\/yaml\//.test(u)), `the yaml package is loaded for a file the fast path does not take (TSPROXY_NO_BUNDLE=${noBundle})`);
  }
});
