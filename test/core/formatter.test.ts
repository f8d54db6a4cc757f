import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeaderFormatter, formatStartTime } from '../../src/core/formatter.js';

function fmt(v: string, ctx = {}): string {
  const r = parseHeaderFormatter(v);
  if (!r.ok) throw new Error(r.error);
  return r.formatter.format(ctx);
}

test('address operators', () => {
  const ctx = { remoteAddress: '127.0.0.1', remotePort: 0, localAddress: '::1', localPort: 10000 };
  assert.equal(fmt('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', ctx), '127.0.0.1');
  assert.equal(fmt('%DOWNSTREAM_REMOTE_ADDRESS%', ctx), '127.0.0.1:0');
  assert.equal(fmt('%DOWNSTREAM_LOCAL_ADDRESS%', ctx), '[::1]:10000');
  assert.equal(fmt('%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%', ctx), '::1');
});

test('literals, %% escape, mixed text, PROTOCOL, REQ with fallback and truncation', () => {
  const ctx = { protocol: 'HTTP/1.1', requestHeaders: { 'x-a': 'abcdef', 'x-b': 'fallback' }, path: '/p' };
  assert.equal(fmt('plain'), 'plain');
  assert.equal(fmt('100%%'), '100%');
  assert.equal(fmt('[%PROTOCOL%]', ctx), '[HTTP/1.1]');
  assert.equal(fmt('%REQ(X-A)%', ctx), 'abcdef');
  assert.equal(fmt('%REQ(X-A):3%', ctx), 'abc');
  assert.equal(fmt('%REQ(x-missing?X-B)%', ctx), 'fallback');
  assert.equal(fmt('%REQ(:PATH)%', ctx), '/p');
  assert.equal(fmt('%REQ(x-none)%', ctx), '');
});

test('START_TIME comes from the context (core has no clock)', () => {
  const t = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  assert.equal(fmt('%START_TIME%', { startTime: t }), '2024-01-02T03:04:05.678Z');
  assert.equal(fmt('%START_TIME(%Y/%m/%d %H:%M:%S)%', { startTime: t }), '2024/01/02 03:04:05');
  assert.equal(fmt('%START_TIME(%s.%3f)%', { startTime: t }), '1704164645.678');
  assert.equal(formatStartTime(t, '%E3S'), '05.678');
  assert.equal(fmt('%START_TIME%', {}), '');
});

test('metadata and environment operators', () => {
  assert.equal(fmt('%DYNAMIC_METADATA(ns:a:b)%', { dynamicMetadata: { ns: { a: { b: 'v' } } } }), 'v');
  assert.equal(fmt('%UPSTREAM_METADATA(["ns", "k"])%', { upstreamMetadata: { ns: { k: 7 } } }), '7');
  assert.equal(fmt('%ENVIRONMENT(HOME)%', { environment: { HOME: '/root' } }), '/root');
});

test('unknown and malformed operators are config errors, as in Envoy', () => {
  const u = parseHeaderFormatter('%NOT_A_THING%');
  assert.deepEqual(u, { ok: false, error: 'Not supported field in StreamInfo: NOT_A_THING' });
  const m = parseHeaderFormatter('50% off');
  assert.equal(m.ok, false);
  assert.match(!m.ok ? m.error : '', /Couldn't find valid command at position 2/);
  assert.equal(parseHeaderFormatter('%REQ%').ok, false);
});

test('valid Envoy commands the core cannot evaluate are accepted and listed', () => {
  const r = parseHeaderFormatter('%DOWNSTREAM_PEER_URI_SAN%-%FILTER_STATE(k)%-%REQ_WITHOUT_QUERY(:PATH)%');
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(r.unsupported, ['DOWNSTREAM_PEER_URI_SAN', 'FILTER_STATE']);
  assert.equal(r.formatter.format({ path: '/a?b' }), '--/a');
});
