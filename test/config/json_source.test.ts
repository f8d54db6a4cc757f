import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanJson } from '../../src/config/json_source.js';
import { toJsonValue, toPlain } from '../../src/config/source.js';

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

test('toJsonValue: exact int64 as bigint, safe integers as numbers, escapes, trailing commas', () => {
  const r = scanJson('{"a": [1, 2.5, "x\\n\\u00e9",], "b": {"c": true, "d": null,}, "start": 9223372036854775807, "end": -9007199254740993, "small": 42, "edge": 9007199254740991,}', 10);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(toJsonValue(r.node), {
    a: [1, 2.5, 'x\né'],
    b: { c: true, d: null },
    start: 9223372036854775807n,
    end: -9007199254740993n,
    small: 42,
    edge: 9007199254740991,
  });
});

test('toJsonValue: a "__proto__" key is an ordinary key', () => {
  const r = scanJson('{"__proto__": {"polluted": 1}}', 10);
  assert.ok(r.ok);
  if (!r.ok) return;
  const v = toJsonValue(r.node);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(v as object), ['__proto__']);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('scanJson rejects malformed JSON (what the router_check reader relies on)', () => {
  for (const bad of ['', '{', '[1,,2]', '{"a":}', '"unterminated', '{"a": 01}', 'nul', '[1] 2', '{,}']) {
    assert.equal(scanJson(bad, 10).ok, false, bad);
  }
});
