import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenRuntimeLayers } from '../../src/config/runtime.js';

test('static layers flatten to dotted keys; later layers win', () => {
  const r = flattenRuntimeLayers([
    { name: 'a', static_layer: { a: { b: { c: 1 } }, x: 'y', p: { numerator: 1, denominator: 'MILLION' } } },
    { name: 'b', static_layer: { 'a.b.c': 2 } },
    { name: 'admin', admin_layer: {} },
  ]);
  assert.deepEqual(r, { 'a.b.c': 2, x: 'y', p: { numerator: 1, denominator: 'MILLION' } });
  assert.deepEqual(flattenRuntimeLayers(undefined), {});
});
