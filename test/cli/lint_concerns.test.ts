// Lint's findings about the config vs findings about tsproxy, through the real CLI: labels,
// summary, exit codes with --fail-on / --fail-on-unsupported, and every JSON finding validated
// against docs/lint.schema.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT, runCli } from './run_cli.js';

const UNSUPPORTED_ONLY = 'fixtures/lint/concerns/unsupported_only.yaml';
const RISKY = 'fixtures/lint/http__headers-with-underscores/bad.yaml';

test('a clean config using features tsproxy lacks: "unsupported", counted apart, never failed by --fail-on alone', () => {
  const r = runCli(['lint', UNSUPPORTED_ONLY, '--fail-on', 'warning']);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /unsupported_only\.yaml:\d+:\d+: unsupported custom local replies \(HttpConnectionManager\.local_reply_config\) is not implemented by tsproxy.*\[schema\/unsupported\]/);
  assert.match(r.stdout, /: unsupported retry priority plugins .*\[schema\/unsupported\]/);
  assert.match(r.stdout, /: info the HTTP filter envoy\.filters\.http\.lua .*\[schema\/not-modelled\]/);
  assert.match(r.stdout, /^0 errors, 0 warnings, 1 info, 2 unsupported in 1 file$/m);
  const cases: [string[], number][] = [
    [[], 0],
    [['--fail-on', 'info'], 0],
    [['--fail-on-unsupported'], 1],
    [['--fail-on', 'warning', '--fail-on-unsupported'], 1],
  ];
  for (const [flags, code] of cases) assert.equal(runCli(['lint', UNSUPPORTED_ONLY, ...flags]).status, code, flags.join(' '));
  // --quiet prints what fails the run only.
  const quiet = runCli(['lint', UNSUPPORTED_ONLY, '--quiet', '--fail-on', 'warning']);
  assert.equal(quiet.stdout, '');
  assert.match(runCli(['lint', UNSUPPORTED_ONLY, '--quiet', '--fail-on-unsupported']).stdout, /\[schema\/unsupported\]/);
});

test('findings about the config still fail --fail-on warning', () => {
  const r = runCli(['lint', RISKY, '--fail-on', 'warning']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /: warning .*\[http\/headers-with-underscores\]/);
});

test('JSON findings carry `concerns` and validate against docs/lint.schema.json', () => {
  const schema = JSON.parse(readFileSync(ROOT + 'docs/lint.schema.json', 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const files = [UNSUPPORTED_ONLY, RISKY, 'fixtures/explain/waypoint.yaml', 'fixtures/inputs/custom_build.yaml', 'fixtures/lint/route__shadowed/bad.yaml'];
  const seen = new Set<string>();
  for (const f of files) {
    const r = runCli(['lint', f, '--format', 'json']);
    const findings = JSON.parse(r.stdout) as { rule: string; concerns: string }[];
    assert.ok(validate(findings), `${f}: ${JSON.stringify(validate.errors, null, 1)}`);
    for (const x of findings) {
      seen.add(`${x.rule}=${x.concerns}`);
      assert.equal(x.concerns, x.rule === 'schema/unsupported' || x.rule === 'schema/not-modelled' ? 'tsproxy' : 'config', x.rule);
    }
  }
  for (const want of ['schema/unsupported=tsproxy', 'schema/not-modelled=tsproxy', 'http/headers-with-underscores=config', 'schema/unknown-type=config']) {
    assert.ok(seen.has(want), `${want} not seen: ${[...seen].join(' ')}`);
  }
  assert.equal(validate([{ file: 'a', line: 1, col: 1, endLine: 1, endCol: 1, severity: 'warning', rule: 'a/b', message: 'm', path: '$' }]), false, 'concerns is required');
});

test('--list-rules puts the tsproxy rules in their own category; SARIF and GitHub carry the concern', () => {
  const rules = JSON.parse(runCli(['lint', '--list-rules', '--format', 'json']).stdout) as { id: string; category: string }[];
  assert.deepEqual(rules.filter((r) => r.category === 'tsproxy').map((r) => r.id), ['schema/unsupported', 'schema/not-modelled']);
  assert.match(runCli(['lint', '--list-rules']).stdout, /\ntsproxy\n {2}schema\/unsupported/);
  const sarif = JSON.parse(runCli(['lint', UNSUPPORTED_ONLY, '--format', 'sarif']).stdout) as { runs: { results: { ruleId: string; properties?: { concerns: string } }[] }[] };
  assert.deepEqual(sarif.runs[0]!.results.map((x) => `${x.ruleId}=${x.properties?.concerns}`), ['schema/unsupported=tsproxy', 'schema/unsupported=tsproxy', 'schema/not-modelled=tsproxy']);
  const gh = runCli(['lint', UNSUPPORTED_ONLY, '--format', 'github']).stdout;
  assert.match(gh, /^::notice file=.*title=tsproxy schema\/unsupported::custom local replies/m);
  assert.match(runCli(['lint', UNSUPPORTED_ONLY, '--format', 'github', '--fail-on-unsupported']).stdout, /^::warning file=.*title=tsproxy schema\/unsupported::custom local replies/m);
});
