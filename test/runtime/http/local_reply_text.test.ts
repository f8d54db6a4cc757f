// Envoy's local reply strings and the header helpers, as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamResetBody, upstreamResetDetails, resetReasonToResponseFlag, fromPoolFailureReason, statusText } from '../../../src/runtime/http/local_reply.js';
import { fromUpstreamHeaderList, toUpstreamHeaderList } from '../../../src/runtime/codec/headers.js';

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

// Internal addresses moved to the core (test/core/hcm_request.test.ts).
test('header list conversion', () => {
  assert.deepEqual(toUpstreamHeaderList({ host: 'h', a: '1', connection: 'x', te: 'trailers', 'transfer-encoding': 'chunked', c: ['1', '2'] }), [
    ['a', '1'],
    ['te', 'trailers'],
    ['c', '1'],
    ['c', '2'],
  ]);
  assert.deepEqual(fromUpstreamHeaderList([['set-cookie', 'a'], ['set-cookie', 'b'], ['connection', 'close'], ['x', '1']]), { 'set-cookie': ['a', 'b'], x: '1' });
});
