import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileRouteTraceSampling, compileTraceSampling, mutateTracingRequestId, shouldTraceRequest, traceReasonOf,
} from '../../src/core/trace_decision.js';

// First 8 hex digits 0x00000010 = 16: 16 % 10000 = 16 (random and overall use it).
const RID = '00000010-1111-4222-8333-444444444444';
const at14 = (s: string | undefined): string => s![14]!;

test('random_sampling compares the request id modulo 10000 against percent*100', () => {
  assert.equal(at14(mutateTracingRequestId(RID, false, false, compileTraceSampling({ random_sampling: 0.17 }), 0)), 'a'); // 16 < 17
  assert.equal(at14(mutateTracingRequestId(RID, false, false, compileTraceSampling({ random_sampling: 0.16 }), 0)), '4'); // 16 < 16 false
  assert.equal(at14(mutateTracingRequestId(RID, false, false, compileTraceSampling({}), 0)), 'a', 'default 100%');
});

test('client trace id beats force trace beats random; client_sampling uses the injected random', () => {
  const none = compileTraceSampling({ random_sampling: 0, client_sampling: 50 });
  assert.equal(at14(mutateTracingRequestId(RID, true, true, none, 49)), 'b');
  assert.equal(at14(mutateTracingRequestId(RID, true, true, none, 50)), '9', 'client sampling missed: forced');
  assert.equal(at14(mutateTracingRequestId(RID, false, false, none, 0)), '4');
});

test('overall_sampling vetoes; an id already traceable keeps its reason', () => {
  const veto = compileTraceSampling({ overall_sampling: 16 });
  assert.equal(at14(mutateTracingRequestId(RID, false, true, veto, 0)), '4', '16 % 100 < 16 is false');
  assert.equal(at14(mutateTracingRequestId(RID, false, true, compileTraceSampling({ overall_sampling: 17 }), 0)), '9');
  const sampled = RID.slice(0, 14) + 'a' + RID.slice(15);
  assert.equal(mutateTracingRequestId(sampled, true, true, compileTraceSampling({ random_sampling: 0 }), 0), sampled);
});

test('ids that are not UUIDs are left alone and are not traceable', () => {
  assert.equal(mutateTracingRequestId('my-id', false, true, compileTraceSampling({}), 0), 'my-id');
  assert.equal(mutateTracingRequestId('zzzzzzzz-1111-4222-8333-444444444444', false, true, compileTraceSampling({}), 0), 'zzzzzzzz-1111-4222-8333-444444444444');
  assert.equal(traceReasonOf('my-id'), 'not_traceable');
  assert.equal(mutateTracingRequestId(undefined, false, true, compileTraceSampling({}), 0), undefined);
});

test('shouldTraceRequest reads the reason; health checks are never traced', () => {
  const forced = RID.slice(0, 14) + '9' + RID.slice(15);
  assert.deepEqual(shouldTraceRequest(forced, false), { reason: 'service_forced', traced: true });
  assert.deepEqual(shouldTraceRequest(forced, true), { reason: 'health_check', traced: false });
  assert.deepEqual(shouldTraceRequest(RID, false), { reason: 'not_traceable', traced: false });
  assert.deepEqual(shouldTraceRequest(RID.slice(0, 14) + 'b' + RID.slice(15), false), { reason: 'client_forced', traced: true });
});

test('a route override uses FractionalPercent (default 100%)', () => {
  const s = compileRouteTraceSampling({ random_sampling: { numerator: 17, denominator: 'TEN_THOUSAND' } });
  assert.deepEqual(s.random, { numerator: 17, denominator: 10000 });
  assert.deepEqual(s.overall, { numerator: 100, denominator: 100 });
  assert.equal(at14(mutateTracingRequestId(RID, false, false, s, 0)), 'a');
});
