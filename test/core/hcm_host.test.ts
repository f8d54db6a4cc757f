import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeHost, splitHostPort, stripTrailingHostDot } from '../../src/core/hcm_host.js';

test('strip_any_host_port drops any port; strip_matching_host_port only the local port', () => {
  assert.equal(normalizeHost('a.com:81', { strip_any_host_port: true }, 80), 'a.com');
  assert.equal(normalizeHost('a.com:80', { strip_matching_host_port: true }, 80), 'a.com');
  assert.equal(normalizeHost('a.com:81', { strip_matching_host_port: true }, 80), 'a.com:81');
  assert.equal(normalizeHost('a.com:81', {}, 80), 'a.com:81');
  assert.equal(normalizeHost('[::1]:80', { strip_any_host_port: true }, 80), '[::1]');
  assert.equal(normalizeHost(undefined, { strip_any_host_port: true }, 80), undefined);
  assert.equal(normalizeHost('a.com:81', undefined, 80), 'a.com:81');
});

test('strip_trailing_host_dot, before port stripping', () => {
  assert.equal(stripTrailingHostDot('a.com.'), 'a.com');
  assert.equal(stripTrailingHostDot('a.com.:80'), 'a.com:80');
  assert.equal(stripTrailingHostDot('a.com'), 'a.com');
  assert.equal(normalizeHost('a.com.:80', { strip_trailing_host_dot: true, strip_matching_host_port: true }, 80), 'a.com');
});

test('splitHostPort', () => {
  assert.deepEqual(splitHostPort('a:1'), { host: 'a', port: 1 });
  assert.deepEqual(splitHostPort('a:x'), { host: 'a:x', port: undefined });
  assert.deepEqual(splitHostPort('[::1]'), { host: '[::1]', port: undefined });
});
