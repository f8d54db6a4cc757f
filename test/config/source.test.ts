import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, describeNode } from '../../src/config/source.js';

test('LineIndex: 1-based line/col, spans end at the last visible character', () => {
  const li = new LineIndex('ab\ncde\n\nf', 'x');
  assert.deepEqual(li.lineCol(0), { line: 1, col: 1 });
  assert.deepEqual(li.lineCol(4), { line: 2, col: 2 });
  assert.deepEqual(li.lineCol(8), { line: 4, col: 1 });
  assert.deepEqual(li.span(3, 8), { file: 'x', line: 2, col: 1, endLine: 2, endCol: 4 });
});

test('describeNode', () => {
  assert.equal(describeNode({ t: 'seq', items: [], start: 0, end: 0 }), 'a list');
  assert.equal(describeNode({ t: 'scalar', value: 'x', text: 'x', start: 0, end: 0 }), 'the string "x"');
  assert.equal(describeNode({ t: 'scalar', value: 5n, text: '5', start: 0, end: 0 }), 'the number 5');
});
