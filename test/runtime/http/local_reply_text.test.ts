// Envoy's local reply strings and the header helpers, as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamResetBody, upstreamResetDetails, resetReasonToResponseFlag, fromPoolFailureReason, statusText } from '../../../src/runtime/http/local_reply.js';
import { isInternalAddress } from '../../../src/runtime/http/header_sanitizer.js';
import { fromUpstreamHeaderList, toUpstreamHeaderList } from '../../../src/runtime/http/headers.js';

test('reset bodies and details are spelled as Envoy spells them', () => {
  assert.equal(
    upstreamResetBody('remote_connection_failure', 'delayed connect error: 111', false),
    'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: 111',
  );
  assert.equal(upstreamResetBody('overflow', '', true), 'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: overflow');
  assert.equal(upstreamResetDetails('remote_connection_failure', 'delayed connect error: 111', false), 'upstream_reset_before_response_started{remote_connection_failure,delayed_connect_error:_111}');
  assert.equal(upstreamResetDetails('connection_termination', '', true), 'upstream_reset_after_response_started{connection_termination}');
  assert.equal(resetReasonToResponseFlag(fromPoolFailureReason('timeout')), 'UF');
  assert.equal(resetReasonToResponseFlag(fromPoolFailureReason('overflow')), 'UO');
  assert.equal(resetReasonToResponseFlag('remote_reset'), 'UR');
  assert.equal(resetReasonToResponseFlag('protocol_error'), 'UPE');
  assert.equal(statusText(431), 'Request Header Fields Too Large');
});

test('internal addresses (RFC 1918, loopback, ULA) and header list conversion', () => {
  for (const a of ['10.1.2.3', '127.0.0.1', '192.168.0.1', '172.16.0.1', '172.31.255.255', '::1', 'fd00::1', '::ffff:10.0.0.1']) assert.ok(isInternalAddress(a), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.9', '2001:db8::1', '']) assert.ok(!isInternalAddress(a), a);
  assert.deepEqual(toUpstreamHeaderList({ host: 'h', a: '1', connection: 'x', te: 'trailers', 'transfer-encoding': 'chunked', c: ['1', '2'] }), [
    ['a', '1'],
    ['te', 'trailers'],
    ['c', '1'],
    ['c', '2'],
  ]);
  assert.deepEqual(fromUpstreamHeaderList([['set-cookie', 'a'], ['set-cookie', 'b'], ['connection', 'close'], ['x', '1']]), { 'set-cookie': ['a', 'b'], x: '1' });
});
