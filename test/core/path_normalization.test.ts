// Path normalisation: Envoy's own PathUtil test vectors (test/common/http/path_utility_test.cc)
// and the order of maybeNormalizePath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalPath,
  maybeNormalizePath,
  mergeSlashes,
  stripParametersFromDotSegments,
  unescapeSlashes,
  type PathNormalizationConfig,
  type PathNormalizationStep,
} from '../../src/core/path_normalization.js';

test('canonicalPath: Envoy NormalizeValidPaths vectors', () => {
  const pairs: [string, string][] = [
    ['/a/b/../c', '/a/c'],
    ['/a/b/./c', '/a/b/c'],
    ['a/b/../c', '/a/c'],
    ['/a/b/../../../../c', '/c'],
    ['/a/..\\c', '/c'],
    ['/%c0%af', '/%c0%af'],
    ['/%5c%25', '/%5c%25'],
    ['/a/b/%2E%2E/c', '/a/c'],
    ['/a/b/%2E./c', '/a/c'],
    ['/a/b/%2E/c', '/a/b/c'],
    ['..', '/'],
    ['/../a/b', '/a/b'],
    ['/./a/b', '/a/b'],
    ['/xyz/..;foo=bar/abc', '/abc'],
    ['/..;foo=bar/abc', '/abc'],
    ['/xyz/..;foo=bar', '/'],
    ['/xyz/.;foo=bar/abc', '/xyz/abc'],
    ['/.;foo=bar/abc', '/abc'],
    ['/xyz/.;foo=bar', '/xyz/'],
    ['/xyz/..;foo=bar/.;v1=2,v2=3/abc', '/abc'],
    ['/..;foo=bar/abc/.;mmm', '/abc/'],
    ['/.;aaa/..;foo=bar/abc/.;mmm', '/abc/'],
    ['/xyz/..;foo=bar/.;fff=zzz', '/'],
    ['/xyz/..;foo=bar/.;fff=zzz?blah=woops', '/?blah=woops'],
    ['/xyz/..;foo=bar/.;fff=zzz/remain;blah-bluh?query', '/remain;blah-bluh?query'],
    // NormalizeCasePath
    ['/A/B/C', '/A/B/C'],
    ['/a/b/%2e%2e/c', '/a/c'],
    ['/a/%2F%2f/c', '/a/%2F%2f/c'],
    // already normal
    ['/xyz', '/xyz'],
    ['/x/y/z', '/x/y/z'],
  ];
  for (const [input, want] of pairs) assert.equal(canonicalPath(input), want, input);
});

test('canonicalPath: unreserved %-escapes are decoded, reserved ones kept as written, unsafe bytes escaped', () => {
  assert.equal(canonicalPath('/%41%62%7e%2d%5f%30'), '/Ab~-_0');
  assert.equal(canonicalPath('/a%3fb%3Fc'), '/a%3fb%3Fc');
  assert.equal(canonicalPath('/a b"c<d>{e}|^`'), '/a%20b%22c%3Cd%3E%7Be%7D%7C%5E%60');
  assert.equal(canonicalPath('/caf\u00e9'), '/caf%E9', 'a latin1 byte from the wire');
  assert.equal(canonicalPath('/\u20ac'), '/%E2%82%AC', 'offline text: its UTF-8 bytes');
  assert.equal(canonicalPath('/100%'), '/100%', 'a lone % is kept');
  assert.equal(canonicalPath('/public/../admin?x=/../y'), '/admin?x=/../y', 'the query is untouched');
  assert.equal(canonicalPath(''), '/');
});

test('canonicalPath: Envoy InvalidPaths vectors are refused', () => {
  for (const p of ['/xyz/.%00../abc', '/xyz/%00.%00./abc', '/xyz/AAAAA%%0000/abc', '/a\u0000b']) assert.equal(canonicalPath(p), undefined, JSON.stringify(p));
});

test('mergeSlashes: Envoy MergeSlashes vectors', () => {
  const pairs: [string, string][] = [
    ['', ''], ['a//b/c', 'a/b/c'], ['/a//b/c/', '/a/b/c/'], ['a//b/c/', 'a/b/c/'], ['/a', '/a'], ['//a/b/c', '/a/b/c'],
    ['/a//b/c', '/a/b/c'], ['/a/b/c//', '/a/b/c/'], ['/a///b/c', '/a/b/c'], ['/a////b/c', '/a/b/c'],
    ['/a//b?a=///c', '/a/b?a=///c'], ['/a//b?', '/a/b?'], ['//a/?b', '/a/?b'],
  ];
  for (const [input, want] of pairs) assert.equal(mergeSlashes(input), want, input);
});

test('unescapeSlashes: Envoy UnescapeSlashes vectors', () => {
  const pairs: [string, string][] = [
    ['', ''], ['%2f%2F', '//'], ['/a%2Fb%2fc/', '/a/b/c/'], ['%2b', '%2b'], ['/a/b/c', '/a/b/c'], ['%2', '%2'], ['%', '%'],
    ['/abc%2', '/abc%2'], ['foo%', 'foo%'], ['/a%2F', '/a/'], ['%2fa/', '/a/'], ['%%2fa/', '%/a/'], ['%2%2fa/', '%2/a/'],
    ['%5c%5C', '\\\\'], ['/a%5Cb%5cc/', '/a\\b\\c/'], ['/a%5C', '/a\\'], ['%5ca/', '\\a/'],
    ['/x/%2E%2e/z%2f%2Fabc%5C../def', '/x/%2E%2e/z//abc\\../def'],
    ['%2fa%5Cb%2fc%5c', '/a\\b/c\\'], ['%2fa%5Cb%2fc%5c?%2fabcd%5C%%2f%', '/a\\b/c\\?%2fabcd%5C%%2f%'],
  ];
  for (const [input, want] of pairs) assert.equal(unescapeSlashes(input), want, input);
});

test('stripParametersFromDotSegments: Envoy vectors', () => {
  const pairs: [string, string][] = [
    ['/xyz/..;foo=bar/abc', '/xyz/../abc'], ['/xyz/..;', '/xyz/..'], ['/a/..;param1;param2/b', '/a/../b'], ['/xyz/..foo', '/xyz/..foo'],
    ['/xyz/...;foo', '/xyz/...;foo'], ['/xyz/remove/..;foo?param=/.;foo', '/xyz/remove/..?param=/.;foo'],
    ['/xyz#frag=/..;foo', '/xyz#frag=/..;foo'], ['/a/.;foo/b/.;bar/c', '/a/./b/./c'],
  ];
  for (const [input, want] of pairs) assert.equal(stripParametersFromDotSegments(input), want, input);
});

const cfg = (over: Partial<PathNormalizationConfig>): PathNormalizationConfig => ({ normalizePath: false, mergeSlashes: false, escapedSlashesAction: 'KEEP_UNCHANGED', ...over });

test('maybeNormalizePath: Envoy order (escaped slashes, then normalize_path, then merge_slashes); same string when unchanged', () => {
  const all = cfg({ normalizePath: true, mergeSlashes: true, escapedSlashesAction: 'UNESCAPE_AND_FORWARD' });
  const steps: PathNormalizationStep[] = [];
  assert.equal(maybeNormalizePath('/a%2F..//b', all, steps), '/b');
  assert.deepEqual(steps.map((s) => [s.op, s.before, s.after]), [
    ['unescape_slashes', '/a%2F..//b', '/a/..//b'],
    ['normalize_path', '/a/..//b', '//b'],
    ['merge_slashes', '//b', '/b'],
  ]);
  const same = '/already/normal?q=1';
  assert.equal(maybeNormalizePath(same, all), same);
  assert.equal(maybeNormalizePath('/public/../admin', undefined), '/public/../admin', 'defaults: nothing changes');
});

test('maybeNormalizePath: fragments, escaped-slash actions and invalid paths', () => {
  assert.deepEqual(maybeNormalizePath('/x#frag', undefined), { action: 'reject', path: '/x#frag', reason: 'fragment' });
  assert.equal(maybeNormalizePath('/a%2Fb', cfg({})), '/a%2Fb', 'KEEP_UNCHANGED');
  assert.deepEqual(maybeNormalizePath('/a%2Fb', cfg({ escapedSlashesAction: 'REJECT_REQUEST' })), { action: 'reject', path: '/a/b', reason: 'escaped_slashes' });
  assert.deepEqual(maybeNormalizePath('/a%2F%2Fb', cfg({ escapedSlashesAction: 'UNESCAPE_AND_REDIRECT', mergeSlashes: true })), { action: 'redirect', path: '/a/b', reason: undefined });
  assert.equal(maybeNormalizePath('/a%2Fb', cfg({ escapedSlashesAction: 'UNESCAPE_AND_FORWARD' })), '/a/b');
  assert.equal(maybeNormalizePath('/a/b?x=%2F', cfg({ escapedSlashesAction: 'REJECT_REQUEST' })), '/a/b?x=%2F', 'the query is not looked at');
  assert.deepEqual(maybeNormalizePath('/a/%00', cfg({ normalizePath: true })), { action: 'reject', path: '/a/%00', reason: 'invalid_path' });
});
