import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

test('parseDuration', () => {
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('0.250s'), 250);
  assert.equal(parseDuration('300s'), 300000);
  assert.equal(parseDuration('-2s'), -2000);
  assert.equal(parseDuration('0.000000001s'), 0.000001);
  for (const bad of ['1.5', '1.5ms', 's', '1.0000000001s', '1,5s', '']) assert.equal(parseDuration(bad), undefined, bad);
});

test('formatDuration', () => {
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(15000), '15s');
});
