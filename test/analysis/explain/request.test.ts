import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Listener } from '../../../src/config/types.js';
import {
  buildRouteRequest,
  connectionFor,
  parseHeaderFlag,
  requestAuthority,
  splitHostPort,
  type RequestInput,
} from '../../../src/analysis/explain/request.js';

const base: RequestInput = { host: 'a.example.com', path: '/x', method: 'GET', scheme: 'http', headers: [], randomValue: 0 };

test('parseHeaderFlag splits name: value and lowercases the name', () => {
  assert.deepEqual(parseHeaderFlag('X-Canary: yes'), ['x-canary', 'yes']);
  assert.deepEqual(parseHeaderFlag('x-empty:'), ['x-empty', '']);
  assert.deepEqual(parseHeaderFlag(':authority: h:80'), [':authority', 'h:80']);
  assert.match(parseHeaderFlag('novalue') as string, /must be written as "name: value"/);
});

test('splitHostPort handles ports and IPv6 literals', () => {
  assert.deepEqual(splitHostPort('a.com:8080'), { host: 'a.com', port: 8080 });
  assert.deepEqual(splitHostPort('a.com'), { host: 'a.com', port: undefined });
  assert.deepEqual(splitHostPort('[::1]:443'), { host: '[::1]', port: 443 });
});

// Host-port stripping is the core's normalizeHost (test/core/hcm_host.test.ts), run by decodeRequestHeaders.

test('buildRouteRequest: pseudo-headers override flags, https sets x-forwarded-proto', () => {
  const r = buildRouteRequest(
    { ...base, scheme: 'https', headers: [['x-a', '1'], ['x-a', '2'], [':method', 'POST'], ['host', 'ignored']] },
    'h.com',
  );
  assert.equal(r.method, 'POST');
  assert.equal(r.authority, 'h.com');
  assert.deepEqual(r.headers['x-a'], ['1', '2']);
  assert.equal(r.headers['x-forwarded-proto'], 'https');
  assert.equal(r.headers['host'], undefined);
  assert.equal(requestAuthority({ ...base, headers: [['host', 'b.com']] }), 'b.com');
});

test('connectionFor: TLS facts only with a tls_inspector', () => {
  const l: Listener = {
    address: { socket_address: { address: '0.0.0.0', port_value: 443 } },
    listener_filters: [{ name: 'envoy.filters.listener.tls_inspector' }],
  };
  const tls = connectionFor({ ...base, scheme: 'https' }, l, 'api.example.com:443');
  assert.equal(tls.conn.transportProtocol, 'tls');
  assert.equal(tls.conn.serverName, 'api.example.com');
  assert.equal(tls.conn.destinationPort, 443);
  const plain = connectionFor({ ...base, scheme: 'https' }, { ...l, listener_filters: [] }, 'api.example.com');
  assert.equal(plain.conn.transportProtocol, 'raw_buffer');
  assert.equal(plain.conn.serverName, undefined);
  assert.match(plain.notes[0]!, /no tls_inspector/);
});
