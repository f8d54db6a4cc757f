import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlSource } from '../../src/config/yaml_source.js';
import { toPlain } from '../../src/config/source.js';

test('parseYamlSource: integers as bigint, aliases expanded, merge keys applied (explicit keys win)', () => {
  const r = parseYamlSource('base: &b { x: 1, y: 9223372036854775807 }\nuse:\n  <<: *b\n  x: 2\n', 100, 1000);
  assert.deepEqual(r.problems, []);
  const node = r.node!;
  assert.equal(node.t, 'map');
  const use = node.t === 'map' ? node.entries[1]!.value : undefined;
  assert.deepEqual(use && use.t === 'map' ? use.entries.map((e) => [e.key, e.value.t === 'scalar' ? e.value.value : null]) : [], [
    ['x', 2n],
    ['y', 9223372036854775807n],
  ]);
  assert.deepEqual(toPlain(node), { base: { x: 1, y: 9223372036854776000 }, use: { x: 2, y: 9223372036854776000 } });
});

test('parseYamlSource: syntax errors carry offsets, capped at 5', () => {
  const r = parseYamlSource('a: [1, 2\nb: {\n', 100, 1000);
  assert.equal(r.node, undefined);
  assert.ok(r.problems.length >= 1 && r.problems.length <= 5);
  assert.ok(r.problems.every((p) => p.rule === 'schema/syntax' && p.start >= 0));
});

test('parseYamlSource: alias expansion budget and depth limit', () => {
  const bomb = parseYamlSource('a: &a [1, 1, 1, 1]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n', 100, 20);
  assert.equal(bomb.node, undefined);
  assert.equal(bomb.problems[0]!.rule, 'config/limit');
  const deep = parseYamlSource('a: ' + '['.repeat(20) + ']'.repeat(20), 10, 1000);
  assert.equal(deep.problems[0]!.rule, 'config/limit');
});
