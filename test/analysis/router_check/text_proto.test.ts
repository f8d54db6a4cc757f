import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTextProto, textProtoToJson } from '../../../src/analysis/router_check/text_proto.js';

function json(text: string): unknown {
  const r = parseTextProto(text);
  assert.ok(r.ok, r.ok ? '' : `${r.line}:${r.col} ${r.message}`);
  return textProtoToJson(r.message);
}

test('messages in {} and <>, colon optional before a message, repeated fields by repetition', () => {
  const v = json(`
    # a comment
    tests {
      test_name: "A"
      input: { authority: "h" path: "/p" ssl: true }
    }
    tests <
      test_name: 'B';
      validate { cluster_name { value: "" } code_redirect: { value: 301 } }
    >
  `);
  assert.deepEqual(v, {
    tests: [
      { test_name: 'A', input: { authority: 'h', path: '/p', ssl: true } },
      { test_name: 'B', validate: { cluster_name: { value: '' }, code_redirect: { value: 301 } } },
    ],
  });
});

test('strings: C escapes, octal, hex, unicode, adjacent literals concatenate', () => {
  const v = json(String.raw`a: "x\ty\n\"q\" \\ \101\x42\u00e9\U0001F600" "+more" b: 'it\'s'`) as Record<string, string>;
  assert.equal(v.a, 'x\ty\n"q" \\ AB\u00e9\u{1F600}+more');
  assert.equal(v.b, "it's");
});

test('octal bytes are decoded as UTF-8', () => {
  const v = json(String.raw`a: "\303\251"`) as Record<string, string>;
  assert.equal(v.a, 'é');
});

test('numbers, booleans, enums, lists, separators', () => {
  const v = json('i: 42 n: -7 h: 0x1F o: 017 f: 1.5 e: 2e3 g: 1.5f big: 9223372036854775807 t: True f2: f en: FOUND l: [1, 2, 3] inf: -inf ;');
  assert.deepEqual(v, { i: 42, n: -7, h: 31, o: 15, f: 1.5, e: 2000, g: 1.5, big: 9223372036854775807n, t: true, f2: false, en: 'FOUND', l: [1, 2, 3], inf: -Infinity });
});

test('a list field is an array even with one element; a field written once is a value', () => {
  assert.deepEqual(json('x: [1] y: 2 z { }'), { x: [1], y: 2, z: {} });
  assert.deepEqual(json('m: [{a: 1}, <a: 2>]'), { m: [{ a: 1 }, { a: 2 }] });
});

test('errors carry line and column', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['a {\n  b: 1\n', 3, 1, /expected '}'/],
    ['a: "unterminated\n', 1, 4, /unterminated string/],
    ['a 1', 1, 3, /expected ':'/],
    ['a: }', 1, 4, /expected a value/],
    ['a: "\\q"', 1, 5, /bad escape/],
    ['{ a: 1 }', 1, 1, /expected a field name/],
  ];
  for (const [text, line, col, re] of cases) {
    const r = parseTextProto(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.match(r.message, re, text);
      assert.deepEqual([r.line, r.col], [line, col], text);
    }
  }
});
