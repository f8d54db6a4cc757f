import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xxHash64, xxHash64Bytes } from '../../../src/core/lb/xxhash64.js';
import { xxHash64BytesReference, xxHash64Reference } from './xxhash64_reference.js';

test('xxHash64 matches the reference vectors and Envoy HashUtil', () => {
  assert.equal(xxHash64(''), 0xef46db3751d8e999n);
  assert.equal(xxHash64('a'), 0xd24ec4f1a98c6e5bn);
  // Envoy's test/common/common/hash_test.cc: HashUtil::xxHash64("foo").
  assert.equal(xxHash64('foo'), 3728699739546630719n);
  // >= 32 bytes exercises the four-lane loop.
  assert.equal(xxHash64('Nobody inspects the spammish repetition'), 0xfbcea83c8a378bf1n);
  assert.equal(xxHash64Reference('Nobody inspects the spammish repetition'), 0xfbcea83c8a378bf1n);
});

test('xxHash64 seed changes the hash', () => {
  assert.notEqual(xxHash64('10.0.0.1:80', 1n), xxHash64('10.0.0.1:80'));
});

test('the 32-bit implementation equals the BigInt reference on every length 0..200 and several seeds', () => {
  let x = 12345;
  const bytes = new Uint8Array(200);
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  for (const seed of [0n, 1n, 0xffffffffn, 0x123456789abcdefn, 0xffffffffffffffffn]) {
    for (let len = 0; len <= 200; len++) {
      const b = bytes.subarray(0, len);
      assert.equal(xxHash64Bytes(b, seed), xxHash64BytesReference(b, seed), `len ${len} seed ${seed}`);
    }
  }
  for (const s of ['é', 'ünïcödé-key-✓', '127.0.0.1:8080_1023', 'x'.repeat(1000)]) {
    assert.equal(xxHash64(s), xxHash64Reference(s), s);
    assert.equal(xxHash64(s, 1n), xxHash64Reference(s, 1n), s);
  }
});
