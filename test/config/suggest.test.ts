import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, suggest } from '../../src/config/suggest.js';

test('editDistance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3); // bounded
});

test('suggest: close typos only, camelCase-insensitive', () => {
  assert.equal(suggest('prefx', ['prefix', 'path', 'safe_regex']), 'prefix');
  assert.equal(suggest('routeConfg', ['route_config', 'rds']), 'route_config');
  assert.equal(suggest('ROUND_ROBINN', ['ROUND_ROBIN', 'RANDOM']), 'ROUND_ROBIN');
  assert.equal(suggest('zzzzzz', ['prefix', 'path']), undefined);
});
