/**
 * Table-driven: every rule has fixtures/lint/<rule id with / as __>/bad.yaml, whose
 * `# expect: LINE:COL` comments list exactly where the rule must fire, and good.yaml, on which
 * it must stay silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { lintText } from '../../../src/analysis/lint/lint.js';
import { allRules } from '../../../src/analysis/lint/registry.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = join(root, 'fixtures', 'lint');

/** Rules that cannot be triggered from a file (none today); listed with the reason. */
const NO_FIXTURE: Record<string, string> = {};

function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: (\d+:\d+)$/gm)].map((m) => m[1]!);
}

for (const rule of allRules) {
  if (NO_FIXTURE[rule.id]) continue;
  const dir = join(fixtures, rule.id.replace(/\//g, '__'));
  test(`${rule.id}: fires on bad.yaml at the expected positions`, () => {
    const file = join(dir, 'bad.yaml');
    assert.ok(existsSync(file), `missing fixture ${file}`);
    const text = readFileSync(file, 'utf8');
    const want = expectations(text);
    assert.ok(want.length > 0, 'bad.yaml has no "# expect: LINE:COL" line');
    const got = lintText(text, file).filter((d) => d.rule === rule.id);
    assert.deepEqual(got.map((d) => `${d.line}:${d.col}`), want, JSON.stringify(got, null, 1));
    for (const d of got) {
      assert.equal(d.severity === rule.severity || rule.id === 'schema/syntax', true, `severity of ${d.message}`);
      assert.match(d.path, /^\$/);
      assert.ok(d.message.length > 20);
    }
  });
  test(`${rule.id}: silent on good.yaml`, () => {
    const file = join(dir, 'good.yaml');
    assert.ok(existsSync(file), `missing fixture ${file}`);
    const got = lintText(readFileSync(file, 'utf8'), file).filter((d) => d.rule === rule.id);
    assert.deepEqual(got, []);
  });
}

test('good.yaml fixtures have no errors at all', () => {
  for (const rule of allRules) {
    const file = join(fixtures, rule.id.replace(/\//g, '__'), 'good.yaml');
    if (!existsSync(file)) continue;
    const errors = lintText(readFileSync(file, 'utf8'), file).filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], file);
  }
});
