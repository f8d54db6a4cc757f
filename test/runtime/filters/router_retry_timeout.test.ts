// Pure pieces of the router: retry decisions and jittered backoff, final timeouts from headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryState } from '../../../src/runtime/filters/router_retry.js';
import { finalTimeout } from '../../../src/runtime/filters/router_timeout.js';
import type { RouteEntry } from '../../../src/core/route_types.js';
import { NO_STREAM_TIMEOUTS } from '../../../src/core/grpc.js';

test('retry_on: 5xx, gateway-error, retriable-4xx, retriable-status-codes, connect-failure', () => {
  assert.equal(RetryState.create(undefined, {}), undefined);
  const fivexx = RetryState.create({ retry_on: '5xx' }, {})!;
  assert.ok(fivexx.wouldRetryStatus(500) && fivexx.wouldRetryStatus(503) && !fivexx.wouldRetryStatus(404));
  assert.ok(fivexx.wouldRetryReset('connection_termination', false));
  assert.ok(!fivexx.wouldRetryReset('overflow', false));
  const gw = RetryState.create({ retry_on: 'gateway-error' }, {})!;
  assert.ok(!gw.wouldRetryStatus(500) && gw.wouldRetryStatus(502) && gw.wouldRetryStatus(504));
  const r4 = RetryState.create({ retry_on: 'retriable-4xx,retriable-status-codes', retriable_status_codes: [418] }, {})!;
  assert.ok(r4.wouldRetryStatus(409) && r4.wouldRetryStatus(418) && !r4.wouldRetryStatus(404));
  const cf = RetryState.create({ retry_on: 'connect-failure' }, {})!;
  assert.ok(cf.wouldRetryReset('remote_connection_failure', false));
  assert.ok(!cf.wouldRetryReset('remote_reset', false));
  assert.ok(!cf.wouldRetryReset('local_reset', true));
});

test('num_retries (default 1) and x-envoy-max-retries; backoff is random % min(25*(2^n-1), 250)', () => {
  const one = RetryState.create({ retry_on: '5xx' }, {})!;
  assert.ok(one.takeRetry());
  assert.ok(!one.takeRetry());
  const hdr = RetryState.create(undefined, { 'x-envoy-retry-on': '5xx', 'x-envoy-max-retries': '3' })!;
  assert.ok(hdr.takeRetry() && hdr.takeRetry() && hdr.takeRetry() && !hdr.takeRetry());
  const b = RetryState.create({ retry_on: '5xx', num_retries: 10 }, {})!;
  assert.deepEqual([b.nextBackoffMs(1000), b.nextBackoffMs(1000), b.nextBackoffMs(1000), b.nextBackoffMs(1000), b.nextBackoffMs(1000)], [
    1000 % 25,
    1000 % 75,
    1000 % 175,
    1000 % 250,
    1000 % 250,
  ]);
});

const route = (timeoutMs: number, perTry?: number): RouteEntry =>
  ({ timeoutMs, streamTimeouts: NO_STREAM_TIMEOUTS, retryPolicy: perTry === undefined ? undefined : { per_try_timeout: perTry } }) as unknown as RouteEntry;

test('finalTimeout: route timeout, per-try, header overrides, expected timeout header, alt response', () => {
  const h1: Record<string, string | string[] | undefined> = {};
  assert.deepEqual(finalTimeout(h1, route(15000), false), { globalMs: 15000, perTryMs: 0, timeoutStatus: 504 });
  assert.equal(h1['x-envoy-expected-rq-timeout-ms'], '15000');
  const h2: Record<string, string | string[] | undefined> = { 'x-envoy-upstream-rq-timeout-ms': '500', 'x-envoy-upstream-rq-per-try-timeout-ms': '100' };
  assert.deepEqual(finalTimeout(h2, route(15000), false), { globalMs: 500, perTryMs: 100, timeoutStatus: 504 });
  assert.equal(h2['x-envoy-expected-rq-timeout-ms'], '100');
  assert.equal(h2['x-envoy-upstream-rq-timeout-ms'], undefined);
  const h3: Record<string, string | string[] | undefined> = { 'x-envoy-upstream-rq-timeout-alt-response': '' };
  assert.deepEqual(finalTimeout(h3, route(1000, 2000), false), { globalMs: 1000, perTryMs: 0, timeoutStatus: 204 });
  const h4: Record<string, string | string[] | undefined> = {};
  assert.deepEqual(finalTimeout(h4, route(0), false), { globalMs: 0, perTryMs: 0, timeoutStatus: 504 });
  assert.equal(h4['x-envoy-expected-rq-timeout-ms'], undefined);
  const h5: Record<string, string | string[] | undefined> = {};
  finalTimeout(h5, route(100), true);
  assert.equal(h5['x-envoy-expected-rq-timeout-ms'], undefined);
});
