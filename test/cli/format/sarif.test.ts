/**
 * SARIF output validated with ajv against the SARIF 2.1.0 JSON schema (OASIS errata01,
 * fixtures/sarif/sarif-schema-2.1.0.json), plus the parts GitHub code scanning relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ajv } from 'ajv';
import { toSarif, pathToUri } from '../../../src/cli/format/sarif.js';
import { allRules } from '../../../src/analysis/lint/registry.js';
import type { Diagnostic } from '../../../src/config/diagnostic.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** The schema is draft-04 (`id`); ajv 8 speaks draft-07, whose only difference that matters here is `$id`. */
function validator(): (data: unknown) => { ok: boolean; errors: string } {
  const schema = JSON.parse(readFileSync(join(root, 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(schema.title, 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/.test(s));
  ajv.addFormat('uri-reference', (s: string) => !/[\s<>"{}|\\^`]/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);
  return (data) => {
    const ok = validate(data) as boolean;
    return { ok, errors: JSON.stringify(validate.errors, null, 1) };
  };
}

const diag = (over: Partial<Diagnostic>): Diagnostic => ({
  file: 'configs/envoy.yaml', line: 3, col: 5, endLine: 3, endCol: 12, severity: 'error', rule: 'route/unknown-cluster',
  message: 'cluster "x" is not defined', path: '$.virtual_hosts[0]', ...over,
});

test('toSarif validates against the SARIF 2.1.0 schema, with every rule described', () => {
  const validate = validator();
  const log = toSarif(
    [diag({}), diag({ severity: 'info', rule: 'route-config/no-default-vhost', endLine: undefined, endCol: undefined }), diag({ rule: 'some/new-rule', severity: 'warning' })],
    { rules: allRules, uriOf: (f) => pathToUri(f), toolVersion: '0.1.0' },
  ) as { runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: Record<string, unknown>[] }[] };
  const r = validate(log);
  assert.ok(r.ok, r.errors);
  const run = log.runs[0]!;
  const ids = run.tool.driver.rules.map((x) => x.id);
  for (const rule of allRules) assert.ok(ids.includes(rule.id), rule.id);
  assert.ok(ids.includes('some/new-rule'), 'unknown ids get a descriptor too');
  assert.equal(run.tool.driver.rules.find((x) => x.id === 'route/shadowed')!.defaultConfiguration.level, 'warning');
  const first = run.results[0] as { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[]; partialFingerprints: Record<string, string> };
  assert.equal(first.ruleId, 'route/unknown-cluster');
  assert.equal(ids[first.ruleIndex], 'route/unknown-cluster');
  assert.equal(first.level, 'error');
  assert.equal(first.locations[0]!.physicalLocation.artifactLocation.uri, 'configs/envoy.yaml');
  assert.deepEqual(first.locations[0]!.physicalLocation.region, { startLine: 3, startColumn: 5, endLine: 3, endColumn: 12 });
  assert.match(Object.values(first.partialFingerprints)[0]!, /^[0-9a-f]{32}$/);
  assert.equal((run.results[1] as { level: string }).level, 'note');
});

test('the schema rejects what code scanning would reject (the validator can fail)', () => {
  const validate = validator();
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }).ok, false, 'driver.name is required');
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }).ok, false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a' }, region: { startLine: 0 } } }] }] }] }).ok, false);
});

test('tsproxy lint --format sarif on real fixtures validates, with cwd-relative URIs', () => {
  const validate = validator();
  const files = ['fixtures/lint/route__unknown-cluster/bad.yaml', 'fixtures/lint/http__path-normalization-off/bad.yaml', 'fixtures/lint/schema__syntax/bad.yaml'];
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'lint', '--format', 'sarif', ...files], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  const v = validate(log);
  assert.ok(v.ok, v.errors);
  const uris = new Set(log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri));
  assert.deepEqual([...uris].sort(), [...files].sort());
});
