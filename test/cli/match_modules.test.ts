/**
 * What `tsproxy match` loads (issue 13: cold start). Not a timing test: the modules a command
 * loads are what its start-up costs, and they only grow by accident. Driven through the real
 * launcher (bin/tsproxy) with node's own `--import` preload passed in TSPROXY_NODE_ARGS (docs/
 * core.md "tsproxy match cold start"): the preload records every module URL the process resolves
 * and prints them at exit. On the 1,000-route fixture's shape (bench/cold_start_fixture.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './run_cli.js';

/**
 * The most of our own modules (dist/src) `match` may load. Measured 90 when set, 91 once the
 * compiled route table moved out of core/route.ts into core/route_table.ts (a split, no new
 * work), 95 once the YAML fast path's scalar and flow-collection rules and the decoder's scalar
 * types and JSON paths moved to their own files (splits, no new work); raise it only for a module
 * match really needs, knowing each costs start-up time.
 */
const MAX_OWN_MODULES = 95;

/** Runs bin/tsproxy with the recording preload; returns the exit status and the loaded URLs. */
function loadedBy(args: readonly string[], dir: string): { status: number | null; stdout: string; stderr: string; urls: string[] } {
  const hook = join(dir, 'record_loads.mjs');
  writeFileSync(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      'const seen = new Set();',
      'registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(r.url); return r; } });',
      "process.on('exit', () => process.stderr.write([...seen].map((u) => `loaded ${u}\\n`).join('')));",
    ].join('\n'),
  );
  const r = spawnSync(join(ROOT, 'bin', 'tsproxy'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, TSPROXY_NODE: process.execPath, TSPROXY_NODE_ARGS: `--import=${pathToFileURL(hook).href}` },
  });
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, urls };
}

/** The dist/src path of an URL of ours ("core/route.js"), or undefined. */
function own(url: string): string | undefined {
  const m = /\/dist\/src\/(.+)$/.exec(url);
  return m?.[1];
}

test('match loads the routing core and none of serve, lint, replay, diff, test, top or the yaml package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-match-modules-'));
  const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'cold_start_fixture.mjs'), '40'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, gen.stdout);
  // Route 38 is a safe_regex route (four matcher kinds in turn): the regex engine is loaded too.
  const r = loadedBy(['match', '-c', file, '--host', 'www.example.com', '--path', '/re38/7'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^route +r38 /m);
  const ours = r.urls.map(own).filter((p): p is string => p !== undefined);
  // The check can fail: the recording sees what match does need.
  for (const needed of ['cli/commands/match.js', 'core/route.js', 'config/fast_yaml.js', 'config/decode.js', 'analysis/explain/analyze.js']) {
    assert.ok(ours.includes(needed), `${needed} not seen among ${ours.length} modules`);
  }
  assert.ok(r.urls.some((u) => /\/node_modules\/re2\//.test(u)), 're2 not seen');
  const unwanted = ours.filter(
    (p) =>
      /^(runtime|tui)\//.test(p) ||
      /^analysis\/(lint|replay|diff|router_check|flags)\//.test(p) ||
      (/^cli\/commands\//.test(p) && p !== 'cli/commands/match.js') ||
      p === 'config/yaml_source.js',
  );
  assert.deepEqual(unwanted, [], 'modules match should not load');
  const packages = r.urls.filter((u) => /\/node_modules\/(yaml|chalk|ink|react)\//.test(u));
  assert.deepEqual(packages, [], 'packages match should not load');
  assert.ok(ours.length <= MAX_OWN_MODULES, `match loads ${ours.length} of our modules (at most ${MAX_OWN_MODULES}):\n${ours.join('\n')}`);
});

test('the recording sees the yaml package when match does load it', () => {
  // The negative control: the same preload through the same launcher on `lint` of a file the
  // fast YAML path does not take (a flow mapping with an anchor) loads the yaml package.
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-match-modules-'));
  const file = join(dir, 'anchors.yaml');
  writeFileSync(file, 'name: rc\nvirtual_hosts:\n- &vh { name: a, domains: ["*"], routes: [{ match: { prefix: "/" }, direct_response: { status: 200 } }] }\n');
  const r = loadedBy(['match', '-c', file, '--path', '/'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.urls.some((u) => /\/node_modules\/yaml\//.test(u)), 'the yaml package is loaded for a file the fast path does not take');
});
