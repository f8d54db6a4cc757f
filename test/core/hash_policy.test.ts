import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHashPolicy, computeHashKey, cookieValue, hashKeyFor, queryParameter } from '../../src/core/hash_policy.js';
import { xxHash64, xxHash64Bytes } from '../../src/core/lb/xxhash64.js';
import type { RouteRequest } from '../../src/core/route_types.js';

function req(over: Partial<RouteRequest> = {}): RouteRequest {
  return { authority: 'example.com', path: '/p?user=42&x', method: 'GET', scheme: 'http', headers: {}, ...over };
}
const rotl = (h: bigint): bigint => ((h << 1n) | (h >> 63n)) & 0xffffffffffffffffn;

test('header policy hashes the value with xxHash64 (seed 0)', () => {
  const r = req({ headers: { 'x-user': 'alice' } });
  assert.equal(hashKeyFor([{ header: { header_name: 'X-User' } }], r), xxHash64('alice'));
  assert.equal(hashKeyFor([{ header: { header_name: 'x-missing' } }], r), undefined);
});

test('header policy: repeated values hash order-independently with chained seeds', () => {
  const a = hashKeyFor([{ header: { header_name: 'x-v' } }], req({ headers: { 'x-v': ['b', 'a'] } }));
  const b = hashKeyFor([{ header: { header_name: 'x-v' } }], req({ headers: { 'x-v': ['a', 'b'] } }));
  const enc = new TextEncoder();
  assert.equal(a, b);
  assert.equal(a, xxHash64Bytes(enc.encode('b'), xxHash64('a')));
});

test('header policy reads pseudo-headers from the request fields', () => {
  assert.equal(hashKeyFor([{ header: { header_name: ':authority' } }], req()), xxHash64('example.com'));
  assert.equal(hashKeyFor([{ header: { header_name: ':path' } }], req()), xxHash64('/p?user=42&x'));
});

test('header policy with regex_rewrite hashes the rewritten value', () => {
  const p = [{ header: { header_name: ':path', regex_rewrite: { pattern: { regex: '\\?.*' }, substitution: '' } } }];
  assert.equal(hashKeyFor(p, req()), xxHash64('/p'));
});

test('cookie, source ip and query parameter policies', () => {
  const r = req({ headers: { cookie: 'a=1; session="s3"; b=2' }, remoteAddress: '10.1.2.3' });
  assert.equal(hashKeyFor([{ cookie: { name: 'session' } }], r), xxHash64('s3'));
  assert.equal(hashKeyFor([{ cookie: { name: 'nope', ttl: 1000 } }], r), undefined);
  assert.equal(hashKeyFor([{ connection_properties: { source_ip: true } }], r), xxHash64('10.1.2.3'));
  assert.equal(hashKeyFor([{ query_parameter: { name: 'user' } }], r), xxHash64('42'));
  assert.equal(hashKeyFor([{ query_parameter: { name: 'x' } }], r), xxHash64(''));
  assert.equal(hashKeyFor([{ query_parameter: { name: 'y' } }], r), undefined);
});

test('several policies combine as rotl1(previous) ^ next', () => {
  const r = req({ headers: { 'x-a': 'A', 'x-b': 'B' } });
  const h = hashKeyFor([{ header: { header_name: 'x-a' } }, { header: { header_name: 'x-b' } }], r);
  assert.equal(h, rotl(xxHash64('A')) ^ xxHash64('B'));
  // The same policy twice does not cancel out.
  const twice = hashKeyFor([{ header: { header_name: 'x-a' } }, { header: { header_name: 'x-a' } }], r);
  assert.notEqual(twice, 0n);
});

test('terminal stops at the first policy that produced a hash', () => {
  const r = req({ headers: { 'x-b': 'B', 'x-c': 'C' } });
  const compiled = compileHashPolicy([
    { header: { header_name: 'x-a' }, terminal: true }, // no hash: not terminal in effect
    { header: { header_name: 'x-b' }, terminal: true },
    { header: { header_name: 'x-c' } },
  ]);
  assert.equal(computeHashKey(compiled, r), xxHash64('B'));
});

test('cookie and query parsing helpers', () => {
  assert.equal(cookieValue(['x=1', 'y=2'], 'y'), '2');
  assert.equal(cookieValue('x=1', 'z'), undefined);
  assert.equal(queryParameter('/a?b=1&b=2', 'b'), '1');
  assert.equal(queryParameter('/a?c=1#b=2', 'b'), undefined);
  assert.equal(queryParameter('/a', 'b'), undefined);
});
