import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanJson } from '../../src/config/json_source.js';
import { toPlain } from '../../src/config/source.js';

test('scanJson: values, trailing commas, big integers, escapes', () => {
  const r = scanJson('{"a": [1, 2.5, -3e2, true, null, "x\\n\\u00e9",], "b": 123456789012345678901, }', 10);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(toPlain(r.node), { a: [1, 2.5, -300, true, null, 'x\né'], b: 123456789012345680000 });
  const b = r.node.t === 'map' ? r.node.entries[1]!.value : undefined;
  assert.equal(b?.t === 'scalar' ? b.value : undefined, 123456789012345678901n);
});

test('scanJson: errors with offsets; depth limit', () => {
  const e = scanJson('{"a": 1 "b": 2}', 10);
  assert.deepEqual(e, { ok: false, message: 'expected "," or "}"', offset: 8, limit: false });
  const d = scanJson('[[[[1]]]]', 3);
  assert.equal(d.ok, false);
  assert.equal(!d.ok && d.limit, true);
  const dup = scanJson('{"a": 1, "a": 2}', 3);
  assert.equal(!dup.ok && dup.message, 'duplicate key "a"');
  assert.equal(scanJson('{a: 1}', 3).ok, false);
  assert.equal(scanJson('01', 3).ok, false);
});
