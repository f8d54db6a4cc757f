// parseAuthority as Envoy's Http::Utility::parseAuthority: the port comes off when it is a port,
// IP literals (bracketed or not) are reported as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthority } from '../../src/core/parse_authority.js';

test('host names, with and without a port', () => {
  assert.deepEqual(parseAuthority('example.com'), { host: 'example.com', port: undefined, isIpAddress: false });
  assert.deepEqual(parseAuthority('example.com:8443'), { host: 'example.com', port: 8443, isIpAddress: false });
  assert.deepEqual(parseAuthority('example.com:0'), { host: 'example.com', port: 0, isIpAddress: false });
});

test('something that is not a port stays part of the host', () => {
  assert.deepEqual(parseAuthority('example.com:99999'), { host: 'example.com:99999', port: undefined, isIpAddress: false });
  assert.deepEqual(parseAuthority('example.com:'), { host: 'example.com:', port: undefined, isIpAddress: false });
  assert.deepEqual(parseAuthority('example.com:http'), { host: 'example.com:http', port: undefined, isIpAddress: false });
});

test('IP literals', () => {
  assert.deepEqual(parseAuthority('10.0.0.1'), { host: '10.0.0.1', port: undefined, isIpAddress: true });
  assert.deepEqual(parseAuthority('10.0.0.1:80'), { host: '10.0.0.1', port: 80, isIpAddress: true });
  assert.deepEqual(parseAuthority('[::1]'), { host: '::1', port: undefined, isIpAddress: true });
  assert.deepEqual(parseAuthority('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443, isIpAddress: true });
  // A bare IPv6 literal: its last group reads as a port, and what is left is no address (Envoy
  // reads it the same way: an authority carries IPv6 in brackets).
  assert.deepEqual(parseAuthority('2001:db8::1'), { host: '2001:db8:', port: 1, isIpAddress: false });
  assert.deepEqual(parseAuthority('10.0.0.1.example.com'), { host: '10.0.0.1.example.com', port: undefined, isIpAddress: false });
});
