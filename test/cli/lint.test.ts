/**
 * `tsproxy lint` end to end: spawns bin/tsproxy.js with NO_COLOR=1 and checks output formats,
 * exit codes (0 clean, 1 findings at --fail-on, 2 usage / unreadable), stdin and several files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { allRules } from '../../src/analysis/lint/registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'tsproxy.js');

function lint(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'lint', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the exit code of `tsproxy lint ARGS`, showing stderr when it differs. */
function expectCode(args: string[], code: number, input?: string): void {
  const r = lint(args, input);
  assert.equal(r.code, code, `tsproxy lint ${args.join(' ')}: ${r.stderr}`);
}

const BAD = 'fixtures/lint/route__unknown-cluster/bad.yaml';
const GOOD = 'fixtures/lint/route__unknown-cluster/good.yaml';

test('text: file:line:col: severity message [rule] with an excerpt and caret; exit 1 on errors', () => {
  const r = lint([BAD]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${BAD}:24:28: error`));
  assert.ok(i >= 0, r.stdout);
  assert.match(lines[i]!, /cluster "backnd", which is not defined \(did you mean "backend"\?\).*\[route\/unknown-cluster\]$/);
  assert.equal(lines[i + 1], '24 |                   cluster: backnd');
  assert.equal(lines[i + 2], '   |                            ^^^^^^');
  assert.match(r.stdout, /3 errors, \d+ warnings?, \d+ infos? in 1 file\n$/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour with NO_COLOR and a pipe');
});

test('exit 0 on a clean file, and --fail-on warning turns warnings into failure', () => {
  expectCode([GOOD], 0);
  const f = 'fixtures/lint/route__shadowed/bad.yaml';
  expectCode([f], 0);
  expectCode(['--fail-on', 'warning', f], 1);
  expectCode(['--fail-on', 'warning', '--rule-off', 'route/shadowed', f], 0);
});

test('json: documented array with 1-based positions and JSON paths', () => {
  const r = lint(['--format', 'json', BAD]);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as Record<string, unknown>[];
  const first = out.find((d) => d.rule === 'route/unknown-cluster');
  assert.deepEqual(first, {
    file: BAD,
    line: 24,
    col: 28,
    endLine: 24,
    endCol: 34,
    severity: 'error',
    rule: 'route/unknown-cluster',
    message: first!.message,
    path: '$.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route.cluster',
    concerns: 'config',
  });
});

test('github: workflow commands with file, line, col, endLine, endColumn, title', () => {
  const r = lint(['--format', 'github', BAD]);
  assert.equal(r.code, 1);
  const line = r.stdout.split('\n').find((l) => l.includes('line=24,'));
  assert.ok(line, `${r.stdout}\n${r.stderr}`);
  assert.match(line!, /^::error file=fixtures\/lint\/route__unknown-cluster\/bad\.yaml,line=24,col=28,endLine=24,endColumn=34,title=tsproxy route\/unknown-cluster::route #1 in virtual host "all" forwards to cluster "backnd"/);
  const notice = lint(['--format', 'github', 'fixtures/lint/route-config__no-default-vhost/bad.yaml']);
  assert.match(notice.stdout, /^::notice file=/m, notice.stderr);
});

test('several files are each reported; an unreadable file exits 2', () => {
  const r = lint(['--format', 'json', BAD, GOOD, 'no/such/file.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read no\/such\/file\.yaml: no such file/);
  const files = new Set((JSON.parse(r.stdout) as { file: string }[]).map((d) => d.file));
  assert.ok(files.has(BAD));
});

test('stdin with -', () => {
  const r = lint(['-', '--format', 'json'], 'virtual_hosts:\n- name: a\n  domains: ["*"]\n  routes:\n  - match: { prefix: "/" }\n    route: { cluster: x, timeout: 1s, retry_policy: { num_retries: 2 } }\n');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { file: string; rule: string; line: number }[];
  assert.deepEqual(out.map((d) => [d.file, d.rule, d.line]), [['<stdin>', 'route/retry-no-condition', 6]]);
});

test('malformed YAML exits 1 with the parser position', () => {
  const r = lint(['-'], 'virtual_hosts:\n  - name: a\n    domains: ["*"\n');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>:\d+:\d+: error .*\[schema\/syntax\]$/m);
});

test('usage errors exit 2: no files, unknown --rule-off, bad --format', () => {
  expectCode([], 2);
  const r = lint(['--rule-off', 'route/unknown-clustr', GOOD]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /did you mean "route\/unknown-cluster"/);
  expectCode(['--format', 'xml', GOOD], 2);
});

test('--quiet prints only findings that reach --fail-on and no summary', () => {
  const r = lint(['--quiet', 'fixtures/lint/route__shadowed/bad.yaml']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
});

test('--list-rules prints every rule id, severity and an example', () => {
  const r = lint(['--list-rules']);
  assert.equal(r.code, 0);
  for (const id of ['route/unknown-cluster', 'route/shadowed', 'schema/unknown-field', 'admin/non-loopback', 'http/path-normalization-off']) {
    assert.match(r.stdout, new RegExp(`^  ${id.replace('/', '\\/')}\\s+(error|warning|info)\\s+\\S`, 'm'));
  }
  assert.match(r.stdout, /e\.g\. route: \{ cluster: backend-typo \}/);
  const json = JSON.parse(lint(['--list-rules', '--format', 'json']).stdout) as { id: string; severity: string }[];
  assert.deepEqual(json.map((x) => x.id), allRules.map((x) => x.id));
  assert.deepEqual(json.find((x) => x.id === 'route/shadowed'), { ...json.find((x) => x.id === 'route/shadowed')!, severity: 'warning' });
});

test('--type forces the document kind; a bad value is a usage error', () => {
  const routes = 'virtual_hosts:\n- name: a\n  domains: ["*"]\n';
  const asBootstrap = lint(['--type', 'bootstrap', '--format', 'json', '-'], routes);
  assert.equal(asBootstrap.code, 1);
  assert.deepEqual((JSON.parse(asBootstrap.stdout) as { rule: string }[]).map((d) => d.rule), ['schema/unknown-field']);
  expectCode(['--type', 'route', '-'], 0, routes);
  expectCode(['--type', 'route_configuration', '-'], 0, routes);
  const bad = lint(['--type', 'nope', '-'], routes);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--type must be one of bootstrap, route, config_dump/);
});

test('sarif from stdin names the artifact "stdin"', () => {
  const r = lint(['--format', 'sarif', '-'], 'virtual_hosts:\n- name: a\n  domains: ["x:80"]\n');
  const log = JSON.parse(r.stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.deepEqual(log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri), ['stdin', 'stdin']);
});

test('a file over 64 MiB is refused without being read (config/limit, exit 1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-lint-'));
  try {
    const f = join(dir, 'huge.yaml');
    writeFileSync(f, '');
    truncateSync(f, 65 * 1024 * 1024);
    const r = lint(['--format', 'json', f]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { rule: string; line: number }[]).map((d) => [d.rule, d.line]), [['config/limit', 1]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
