import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xxHash64 } from '../../../src/core/lb/xxhash64.js';

test('xxHash64 matches the reference vectors and Envoy HashUtil', () => {
  assert.equal(xxHash64(''), 0xef46db3751d8e999n);
  assert.equal(xxHash64('a'), 0xd24ec4f1a98c6e5bn);
  // Envoy's test/common/common/hash_test.cc: HashUtil::xxHash64("foo").
  assert.equal(xxHash64('foo'), 3728699739546630719n);
  // >= 32 bytes exercises the four-lane loop.
  assert.equal(xxHash64('Nobody inspects the spammish repetition'), 0xfbcea83c8a378bf1n);
});

test('xxHash64 seed changes the hash', () => {
  assert.notEqual(xxHash64('10.0.0.1:80', 1n), xxHash64('10.0.0.1:80'));
});
