import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// dist/test/cli/x.test.js -> repo root is three levels up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const F = 'fixtures/router_check';

function tsproxy(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/tsproxy.js', 'test', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function noStackTrace(s: string): void {
  assert.doesNotMatch(s, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(s, /internal error/);
}

test('passing YAML tests: names with --details, then the coverage line; exit 0', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.yaml`, '--details');
  assert.equal(r.stderr, '');
  assert.equal(
    r.stdout,
    [
      'api rewrite',
      'redirect',
      'health',
      'canary on',
      'canary off without runtime',
      'split b',
      'tls required',
      'tls given',
      'cluster header',
      'Current route coverage: 100%',
      '',
    ].join('\n'),
  );
  assert.equal(r.code, 0);
});

test('without --details only the coverage line is printed', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.yaml`);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Current route coverage: 100%\n', '']);
});

test('failures: Envoy\'s lines on stderr under the failing test, passing names on stdout, no coverage; exit 1', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/failing.json`, '--details');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'passes\n');
  assert.equal(
    r.stderr,
    [
      'wrong everything',
      'expected: [web], actual: [api], test type: cluster_name',
      'expected: [checkout], actual: [other], test type: virtual_cluster_name',
      'expected: [fallback], actual: [shop], test type: virtual_host_name',
      'expected: [/v1/x], actual: [/v2/x], test type: path_rewrite',
      'expected: [shop.example.com], actual: [api.internal], test type: host_rewrite',
      'expected: [http://elsewhere/], actual: [], test type: path_redirect',
      'expected: [301], actual: [0], test type: code_redirect',
      'actual: [x-client: 127.0.0.1], test type: request_header_matches.string_match.prefix',
      'expected: [has(x-missing):true], actual: [has(x-missing):false], test type: request_header_matches.present_match',
      'expected: [x-served-by: api], actual: NOT [x-served-by: api], test type: response_header_matches.string_match.exact',
      'expected: [x-served-by: web], actual: [x-served-by: api], test type: response_header_matches.string_match.exact',
      'expected: [15000], actual: [5000], test type: timeout',
      'expected: [search], actual: [payments], test type: route_metadata',
      'wrong vhost name',
      'expected: [wrong], actual: [admin], test type: virtual_host_name',
      '',
    ].join('\n'),
  );
});

test('--only-show-failures prints only failing tests; without -d or it, nothing is itemised', () => {
  const only = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/failing.json`, '--only-show-failures');
  assert.equal(only.code, 1);
  assert.equal(only.stdout, '');
  assert.match(only.stderr, /^wrong everything\nexpected: \[web\]/);
  assert.doesNotMatch(only.stderr, /^passes$/m);
  const quiet = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/failing.json`);
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [1, '', '']);
});

test('-f: coverage floor; the requirement is printed as Envoy formats doubles', () => {
  const ok = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.pb_text`, '-f', '30');
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'Current route coverage: 37.5%\n', '']);
  const low = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.pb_text`, '--fail-under', '40.0');
  assert.equal(low.code, 1);
  assert.equal(low.stdout, 'Current route coverage: 37.5%\n');
  assert.equal(low.stderr, 'Failed to meet coverage requirement: 40%\n');
});

test('--covall weighs fields and lists untested routes by match; --detailed-coverage by name', () => {
  const all = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.pb_text`, '--covall');
  assert.equal(all.code, 0);
  assert.equal(
    all.stdout,
    [
      'Missing test for host: shop, route: path: "/healthz"',
      '',
      'Missing test for host: shop, route: prefix: "/"',
      '',
      'Missing test for host: admin, route: prefix: "/"',
      '',
      'Missing test for host: fallback, route: prefix: "/"',
      '',
      // api: 3 of 5 fields, redirect 2 of 2, canary 1 of 5 -> (0.6 + 1 + 0.2) / 8 routes
      'Current route coverage: 22.5%',
      '',
    ].join('\n'),
  );
  const named = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.pb_text`, '--detailed-coverage');
  const lines = named.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^Missing test for host: shop, route name: health-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(lines[1]!, /^Missing test for host: shop, route name: split-/);
  assert.match(lines[3]!, /^Missing test for host: fallback, route name: -[0-9a-f]{8}-/);
  assert.equal(lines[4], 'Current route coverage: 37.5%');
  // Deterministic names: the same run prints the same suffixes.
  assert.equal(tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.pb_text`, '--detailed-coverage').stdout, named.stdout);
});

test('--json: one document with tests, failures and coverage', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/failing.json`, '--json', '-f', '50');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schema, 'tsproxy.router_check.v1');
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.summary, { total: 3, passed: 1, failed: 2 });
  assert.deepEqual(doc.tests.map((t: { name: string; passed: boolean }) => [t.name, t.passed]), [['passes', true], ['wrong everything', false], ['wrong vhost name', false]]);
  assert.deepEqual(doc.tests[1].failures[0], { type: 'cluster_name', expected: 'web', actual: 'api', line: 'expected: [web], actual: [api], test type: cluster_name' });
  assert.deepEqual(doc.tests[1].failures[9], {
    type: 'response_header_matches.string_match.exact',
    expected: 'x-served-by: api',
    actual: 'x-served-by: api',
    negated: true,
    line: 'expected: [x-served-by: api], actual: NOT [x-served-by: api], test type: response_header_matches.string_match.exact',
  });
  assert.equal(doc.coverage.mode, 'routes');
  assert.equal(doc.coverage.percent, 25); // api (passes) and admin (cluster_name matched in a failing test)
  assert.equal(doc.coverage.formatted, '25');
  assert.equal(doc.coverage.failUnder, 50);
  assert.equal(doc.coverage.met, false);
  assert.deepEqual(doc.coverage.untested.map((u: { routeName: string }) => u.routeName.split('-')[0]), ['old', 'health', 'canary', 'split', '']);
  assert.deepEqual(doc.errors, []);
  const ok = JSON.parse(tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.yaml`, '--json').stdout);
  assert.equal(ok.ok, true);
  assert.equal(ok.coverage.percent, 100);
});

test('a Bootstrap config: its inline route_config, layered_runtime and strip_any_host_port are used', () => {
  const r = tsproxy('-c', `${F}/bootstrap.yaml`, '-t', `${F}/bootstrap_tests.json`, '-d');
  assert.deepEqual([r.code, r.stdout], [0, 'long regex\nport stripped\nCurrent route coverage: 100%\n']);
});

test('config errors print file:line:col and exit 2, never a stack trace', () => {
  const r = tsproxy('-c', `${F}/bad_routes.yaml`, '-t', `${F}/tests.yaml`);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^fixtures\/router_check\/bad_routes\.yaml:5:13: error unknown field "prefx" in envoy\.config\.route\.v3\.RouteMatch; did you mean "prefix"\? \[schema\/unknown-field\]$/m);
  noStackTrace(r.stderr);
  const json = tsproxy('-c', `${F}/bad_routes.yaml`, '-t', `${F}/tests.yaml`, '--json');
  assert.equal(json.code, 2);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.ok, false);
  assert.ok(doc.errors.some((e: string) => e.includes('bad_routes.yaml:5:13')));
});

test('a test file given as the config fails on its `tests` field, as in Envoy', () => {
  const r = tsproxy('-c', `${F}/failing.json`, '-t', `${F}/tests.yaml`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /failing\.json:2:3: error unknown field "tests"/);
  noStackTrace(r.stderr);
});

test('invalid test files: exit 2 with the JSON path or position', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/bad_tests.json`);
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', `${F}/bad_tests.json: $.tests[0].validate.clustr_name: unknown field "clustr_name"; did you mean "cluster_name"?\n`]);
  const syntax = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/routes.yaml`);
  assert.equal(syntax.code, 2);
  assert.match(syntax.stderr, /routes\.yaml: \$\.name: unknown field "name"/);
});

test('usage errors exit 2', () => {
  const missing = tsproxy('-c', `${F}/routes.yaml`);
  assert.deepEqual([missing.code, missing.stderr], [2, 'error: Both --config-path/c and --test-path/t are mandatory\n']);
  const badF = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.yaml`, '-f', 'lots');
  assert.equal(badF.code, 2);
  assert.match(badF.stderr, /--fail-under expects a percentage/);
  const nofile = tsproxy('-c', `${F}/nope.yaml`, '-t', `${F}/tests.yaml`);
  assert.deepEqual([nofile.code, nofile.stderr], [2, `tsproxy test: cannot read config file ${F}/nope.yaml: no such file\n`]);
  const unknown = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/tests.yaml`, '--bogus');
  assert.equal(unknown.code, 2);
});

test('npm run conformance skips when the Envoy data folder is absent, and fails loudly in CI (CI=true)', () => {
  const run = (ci: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TSPROXY_CONFORMANCE_DIR: `${root}/no-such-conformance-dir` };
    delete env['CI'];
    if (ci !== undefined) env['CI'] = ci;
    return spawnSync(process.execPath, ['scripts/conformance.mjs', '--ci'], { cwd: root, env, encoding: 'utf8' });
  };
  const outside = run(undefined);
  assert.equal(outside.status, 0);
  assert.match(outside.stdout, /not found; skipping/);
  const inCi = run('true');
  assert.equal(inCi.status, 2);
  assert.match(inCi.stderr, /not found, and this is a CI run \(CI=true\): nothing would be compared/);
});

test('direct_response body files are read (relative to the working directory); a missing one is a config error', () => {
  const ok = tsproxy('-c', `${F}/file_body.yaml`, '-t', `${F}/file_body_tests.yaml`, '-d');
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'maintenance\nCurrent route coverage: 100%\n', '']);
  const missing = tsproxy('-c', `${F}/file_body_missing.yaml`, '-t', `${F}/file_body_tests.yaml`);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `${F}/file_body_missing.yaml: cannot read direct_response body file fixtures/router_check/no-such-body.txt: no such file\n`);
});

test('a test failing only because its runtime_fraction route needs input.runtime gets a hint (after Envoy\'s lines)', () => {
  const r = tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/canary_tests.yaml`, '--details');
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'canary without runtime');
  assert.equal(lines.at(-1), 'tsproxy: hint: test "canary without runtime": route canary matches only when its runtime_fraction is enabled: router_check enables one runtime key per test; add `runtime: shop.canary` to this test\'s input');
  const j = JSON.parse(tsproxy('-c', `${F}/routes.yaml`, '-t', `${F}/canary_tests.yaml`, '--json').stdout) as { tests: { hint?: string }[] };
  assert.match(j.tests[0]!.hint!, /add `runtime: shop\.canary`/);
});

test('router_check spellings: --config, -o/--output-path, - for stdin, --route-config with did-you-mean', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'tsproxy-test-')), 'results.json');
  const r = spawnSync(process.execPath, ['bin/tsproxy.js', 'test', '--config', '-', '--test-path', `${F}/tests.yaml`, '-o', out], {
    cwd: root, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', input: readFileSync(join(root, F, 'routes.yaml'), 'utf8'),
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Current route coverage: /m);
  const written = JSON.parse(readFileSync(out, 'utf8')) as { schema: string; ok: boolean; summary: { total: number } };
  assert.equal(written.schema, 'tsproxy.router_check.v1');
  assert.equal(written.ok, true);
  assert.ok(written.summary.total > 0);
  const dump = 'fixtures/inputs/istio_proxy_config_all.json';
  const miss = tsproxy('-c', dump, '-t', `${F}/tests.yaml`, '--route-config', 'http.808');
  assert.equal(miss.code, 2);
  assert.match(miss.stderr, /no route configuration named "http\.808"; did you mean "http\.8080"\?/);
});
