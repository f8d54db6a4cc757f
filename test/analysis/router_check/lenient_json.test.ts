import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLenientJson } from '../../../src/analysis/router_check/lenient_json.js';

test('parses plain JSON', () => {
  const r = parseLenientJson('{"a": [1, 2.5, "x\\n\\u00e9"], "b": {"c": true, "d": null}}');
  assert.deepEqual(r, { ok: true, value: { a: [1, 2.5, 'x\né'], b: { c: true, d: null } } });
});

test('tolerates a trailing comma in arrays and objects (Envoy accepts it)', () => {
  const r = parseLenientJson('{"tests": [ {"x": 1,}, ],}');
  assert.deepEqual(r, { ok: true, value: { tests: [{ x: 1 }] } });
});

test('keeps integers beyond 2^53 as bigint', () => {
  const r = parseLenientJson('{"start": 9223372036854775807, "end": -9007199254740993, "small": 42}');
  assert.ok(r.ok);
  const v = r.value as Record<string, unknown>;
  assert.equal(v.start, 9223372036854775807n);
  assert.equal(v.end, -9007199254740993n);
  assert.equal(v.small, 42);
});

test('reports errors with line and column, never throws', () => {
  const r = parseLenientJson('{\n  "a": 1\n  "b": 2\n}');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.line, 3);
    assert.equal(r.col, 3);
    assert.match(r.message, /expected ',' or '}'/);
  }
  for (const bad of ['', '{', '[1,,2]', '{"a":}', '"unterminated', '{"a": 01}', 'nul', '[1] 2', '{,}']) {
    const b = parseLenientJson(bad);
    assert.equal(b.ok, false, bad);
  }
});

test('a "__proto__" key is an ordinary key', () => {
  const r = parseLenientJson('{"__proto__": {"polluted": 1}}');
  assert.ok(r.ok);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(r.value as object), ['__proto__']);
});
