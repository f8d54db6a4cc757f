// Conformance: runs Envoy's own router_check_tool test data (../shared/conformance/envoy-router-check,
// see its README) through the real CLI, `node bin/tsproxy.js test ...`, and decides per pair whether
// tsproxy reaches Envoy's verdict: the same pass/fail, failing in exactly the tests Envoy names, and
// the output strings Envoy's test/tools/router_check/test/route_tests.sh greps for.
//
//   node scripts/conformance.mjs            table + "N passed, M failed"; exit 1 if any pair disagrees
//   node scripts/conformance.mjs --ci       exit 1 only if a pair listed in conformance/passing.json
//                                           no longer agrees (the ratchet); new agreeing pairs are reported
//   node scripts/conformance.mjs --update   rewrite conformance/passing.json with the pairs that agree now
//
// The folder is located as ../shared/conformance/envoy-router-check relative to the repo root (CI runs
// a fresh clone next to a shared/ copy), or $TSPROXY_CONFORMANCE_DIR. Absent folder: skip, exit 0 --
// except in CI (`CI` set, e.g. CI=true), where it is an error (exit 2): a CI run must not pass with
// nothing compared.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.TSPROXY_CONFORMANCE_DIR
  ? resolve(process.env.TSPROXY_CONFORMANCE_DIR)
  : resolve(root, '..', 'shared', 'conformance', 'envoy-router-check');
const ratchetFile = join(root, 'conformance', 'passing.json');
const args = new Set(process.argv.slice(2));
const ci = args.has('--ci');
const update = args.has('--update');

const ciEnv = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());
if (!existsSync(dataDir)) {
  if (ciEnv) {
    console.error(`conformance: ${dataDir} not found, and this is a CI run (CI=${process.env.CI}): nothing would be compared. Put the shared/ folder next to the repository.`);
    process.exit(2);
  }
  console.log(`conformance: ${dataDir} not found; skipping (nothing to compare against; outside CI).`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('conformance: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}

const f = (name) => join(dataDir, name);

function run(argv) {
  // stdout and stderr go to one file so their interleaving is what a terminal shows (Envoy prints
  // passing test names on stdout and failing ones on stderr; route_tests.sh reads them merged).
  const tmp = mkdtempSync(join(tmpdir(), 'tsproxy-conf-'));
  const outFile = join(tmp, 'out');
  const fd = openSync(outFile, 'w');
  let r;
  try {
    r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'test', ...argv], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', fd, fd],
      timeout: 60_000,
    });
  } finally {
    closeSync(fd);
  }
  const out = readFileSync(outFile, 'utf8');
  rmSync(tmp, { recursive: true, force: true });
  return { code: r.status ?? -1, out };
}

/** stdout alone (for --json). */
function runStdout(argv) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'test', ...argv], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Failed test names from the --json document, or an error string. */
function failedTests(config, tests) {
  const r = runStdout(['-c', f(config), '-t', f(tests), '--json']);
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return { error: `--json output is not JSON (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}` };
  }
  if (doc.errors?.length) return { error: doc.errors[0] };
  return { failed: doc.tests.filter((t) => !t.passed).map((t) => t.name), total: doc.tests.length };
}

function lines(s) {
  return s.split('\n').map((l) => l.replace(/\r$/, ''));
}

/** A verdict pair: the tests run as Envoy's script runs them, and the failures Envoy reports. */
function verdictPair(id, config, tests, expectFailing = [], mustContainLines = []) {
  return {
    id,
    what: `-c ${config} -t ${tests} --details`,
    check() {
      const ft = failedTests(config, tests);
      if (ft.error) return ft.error;
      const want = [...expectFailing].sort();
      const got = [...ft.failed].sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        return `failing tests ${got.length ? got.join(', ') : '(none)'}; Envoy fails ${want.length ? want.join(', ') : '(none)'}`;
      }
      const r = run(['-c', f(config), '-t', f(tests), '--details']);
      const wantCode = expectFailing.length ? 1 : 0;
      if (r.code !== wantCode) return `exit ${r.code}, Envoy exits ${wantCode}: ${r.out.trim().split('\n')[0] ?? ''}`;
      const out = lines(r.out);
      for (const l of mustContainLines) if (!out.includes(l)) return `missing output line: ${l}`;
      return undefined;
    },
  };
}

/** An output check from route_tests.sh. `expect`: substrings in order, `absent`: must not appear. */
function outputPair(id, argv, { contains = [], containsLines = [], regexes = [], absent = [], code } = {}) {
  return {
    id,
    what: argv.map((a) => (a.startsWith(dataDir) ? a.slice(dataDir.length + 1) : a)).join(' '),
    check() {
      const r = run(argv);
      if (code !== undefined && r.code !== code) return `exit ${r.code}, expected ${code}: ${r.out.trim().split('\n').slice(-1)[0] ?? ''}`;
      let from = 0;
      for (const s of contains) {
        const at = r.out.indexOf(s, from);
        if (at < 0) return `output lacks ${JSON.stringify(s)}${from ? ' (after the previous expectation)' : ''}`;
        from = at + s.length;
      }
      const out = lines(r.out);
      for (const l of containsLines) if (!out.includes(l)) return `missing output line: ${l}`;
      for (const re of regexes) if (!out.some((l) => re.test(l))) return `no output line matches ${re}`;
      for (const s of absent) if (r.out.includes(s)) return `output must not contain ${JSON.stringify(s)}`;
      return undefined;
    },
  };
}

const pairs = [];
// route_tests.sh: every <X>.yaml with its <X>.golden.proto.json, --details, must pass...
for (const x of [
  'ClusterHeader',
  'ComprehensiveRoutes',
  'ContentType',
  'DefaultRuntime',
  'DetailedCoverage',
  'DirectResponse',
  'DynamicMetadata',
  'HeaderMatchedRouting',
  'Redirect',
  'Redirect2',
  'Redirect3',
  'Redirect4',
  'Runtime',
  'TestRoutes',
  'Timeout',
  'Weighted',
]) {
  pairs.push(verdictPair(x, `${x}.yaml`, `${x}.golden.proto.json`));
}
// ...except the ones designed to fail, exactly in the tests the README names.
pairs.push(verdictPair('RouteMetadata', 'RouteMetadata.yaml', 'RouteMetadata.golden.proto.json', ['MetadataValueMismatch', 'MetadataNamespaceMissing']));
pairs.push(
  verdictPair('TestRoutesFailures', 'TestRoutes.yaml', 'TestRoutesFailures.golden.proto.json', ['ResponseHeaderMatches Failures'], [
    'expected: [content-type: text/plain], actual: NOT [content-type: text/plain], test type: response_header_matches.string_match.exact',
    'actual: [content-length: 25], test type: response_header_matches.range_match',
    'expected: [x-ping-response: pong], actual: [x-ping-response: yes], test type: response_header_matches.string_match.exact',
    'expected: [has(x-ping-response):false], actual: [has(x-ping-response):true], test type: response_header_matches.present_match',
    'expected: [has(x-pong-response):true], actual: [has(x-pong-response):false], test type: response_header_matches.present_match',
  ]),
);
pairs.push(verdictPair('TimeoutFailures', 'Timeout.yaml', 'TimeoutFailures.golden.proto.json', ['Test_1']));
pairs.push(verdictPair('Weighted.golden.proto.yaml', 'Weighted.yaml', 'Weighted.golden.proto.yaml'));
pairs.push(verdictPair('Weighted.golden.proto.pb_text', 'Weighted.yaml', 'Weighted.golden.proto.pb_text'));
pairs.push(verdictPair('ClusterHeaderBootstrap', 'ClusterHeaderBootstrap.yaml', 'ClusterHeader.golden.proto.json'));
// The README says this run fails in Test_2; route_tests.sh greps only for Test_2's lines. Routing
// Weighted's requests through TestRoutes.yaml (no www1/www2 virtual host there: `*` answers with
// instant-server) fails Test_3..Test_7 too under Envoy's own semantics, so those are expected;
// Test_1 (path_redirect "" on a forwarding route) passes.
pairs.push(
  verdictPair('Weighted-vs-TestRoutes', 'TestRoutes.yaml', 'Weighted.golden.proto.json', ['Test_2', 'Test_3', 'Test_4', 'Test_5', 'Test_6', 'Test_7'], [
    'expected: [cluster1], actual: [instant-server], test type: cluster_name',
    'expected: [test_virtual_cluster], actual: [other], test type: virtual_cluster_name',
  ]),
);
// route_tests.sh output checks.
pairs.push(
  outputPair('failures:details', ['-c', f('TestRoutes.yaml'), '-t', f('Weighted.golden.proto.json'), '--details'], {
    contains: ['Test_1', 'Test_2', 'expected: [cluster1], actual: [instant-server], test type: cluster_name', 'expected: [test_virtual_cluster], actual: [other], test type: virtual_cluster_name', 'Test_3'],
    code: 1,
  }),
);
pairs.push(
  outputPair('failures:details+only-show-failures', ['-c', f('TestRoutes.yaml'), '-t', f('Weighted.golden.proto.json'), '--details', '--only-show-failures'], {
    contains: ['Test_2', 'expected: [cluster1], actual: [instant-server], test type: cluster_name'],
    absent: ['Test_1'],
    code: 1,
  }),
);
pairs.push(
  outputPair('failures:only-show-failures', ['-c', f('TestRoutes.yaml'), '-t', f('Weighted.golden.proto.json'), '--only-show-failures'], {
    contains: ['Test_2', 'expected: [cluster1], actual: [instant-server], test type: cluster_name'],
    absent: ['Test_1'],
    code: 1,
  }),
);
pairs.push(
  outputPair('coverage:Redirect-f1', ['-c', f('Redirect.yaml'), '-t', f('Redirect.golden.proto.json'), '--details', '-f', '1.0'], {
    contains: ['Current route coverage: '],
    code: 0,
  }),
);
pairs.push(
  outputPair('coverage:Redirect-f100', ['-c', f('Redirect.yaml'), '-t', f('Redirect.golden.proto.json'), '--details', '-f', '100'], {
    contains: ['Failed to meet coverage requirement: 100%'],
    code: 1,
  }),
);
pairs.push(
  outputPair('coverage:ComprehensiveRoutes-covall', ['-c', f('ComprehensiveRoutes.yaml'), '-t', f('ComprehensiveRoutes.golden.proto.json'), '--details', '-f', '100', '--covall'], {
    contains: ['Current route coverage: 100%'],
    code: 0,
  }),
);
pairs.push(
  outputPair('coverage:DirectResponse-covall', ['-c', f('DirectResponse.yaml'), '-t', f('DirectResponse.golden.proto.json'), '--details', '-f', '100', '--covall'], {
    contains: ['Current route coverage: 100%'],
    code: 0,
  }),
);
pairs.push(
  outputPair('coverage:Runtime-covall', ['-c', f('Runtime.yaml'), '-t', f('Runtime.golden.proto.json'), '--details', '--covall'], {
    contains: ['Current route coverage: 100%'],
    code: 0,
  }),
);
pairs.push(
  outputPair('coverage:TestRoutes-missing', ['-c', f('TestRoutes.yaml'), '-t', f('TestRoutes.golden.proto.json'), '--details', '--covall'], {
    contains: ['Missing test for host: www2_staging, route: prefix: "/"', 'Missing test for host: default, route: prefix: "/api/application_data"'],
    code: 0,
  }),
);
pairs.push(
  outputPair('coverage:DetailedCoverage-detailed', ['-c', f('DetailedCoverage.yaml'), '-t', f('DetailedCoverage.golden.proto.json'), '--detailed-coverage'], {
    regexes: [/Missing test for host: localhost, route name: new_endpoint2-.+/, /Missing test for host: localhost, route name: -.+/],
  }),
);
pairs.push(
  outputPair('coverage:DetailedCoverage-plain', ['-c', f('DetailedCoverage.yaml'), '-t', f('DetailedCoverage.golden.proto.json')], {
    absent: ['Missing test for host:'],
  }),
);
pairs.push(
  outputPair('bad-config', ['-c', f('Redirect.golden.proto.json'), '-t', f('TestRoutes.yaml')], {
    contains: ['tests'],
    code: 2,
  }),
);

// Run and report.
const results = [];
for (const p of pairs) {
  let reason;
  try {
    reason = p.check();
  } catch (e) {
    reason = `crashed: ${e && e.message ? e.message : e}`;
  }
  results.push({ id: p.id, what: p.what, ok: reason === undefined, reason });
}

const idWidth = Math.max(...results.map((r) => r.id.length));
console.log(`Envoy router_check conformance (${dataDir})`);
for (const r of results) {
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.id.padEnd(idWidth)}  ${r.ok ? r.what : r.reason}`);
}

let recorded = [];
if (existsSync(ratchetFile)) {
  try {
    recorded = JSON.parse(readFileSync(ratchetFile, 'utf8')).passing ?? [];
  } catch {
    console.error(`conformance: ${ratchetFile} is not valid JSON`);
    process.exit(2);
  }
}
const passingNow = results.filter((r) => r.ok).map((r) => r.id);
const regressions = recorded.filter((id) => !passingNow.includes(id));
const fresh = passingNow.filter((id) => !recorded.includes(id));
if (regressions.length) console.log(`regressed (listed in conformance/passing.json, now failing): ${regressions.join(', ')}`);
if (fresh.length) console.log(`newly agreeing (not yet in conformance/passing.json): ${fresh.join(', ')}${update ? '' : ' (run with --update to record)'}`);
if (update) {
  mkdirSync(dirname(ratchetFile), { recursive: true });
  writeFileSync(ratchetFile, JSON.stringify({ passing: [...passingNow].sort() }, null, 2) + '\n');
  console.log(`updated ${ratchetFile}`);
}
const failed = results.length - passingNow.length;
console.log(`${passingNow.length} passed, ${failed} failed`);
process.exit(ci ? (regressions.length ? 1 : 0) : failed ? 1 : 0);
