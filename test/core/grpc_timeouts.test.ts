// The route's stream duration and gRPC timeout settings (core/grpc.ts), compiled into the
// RouteEntry once, and the arithmetic of Envoy's getGrpcTimeout / toGrpcTimeout /
// refreshDurationTimeout / finalTimeout (deprecated max_grpc_timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NO_STREAM_TIMEOUTS,
  compileRouteStreamTimeouts,
  deprecatedGrpcGlobalTimeoutMs,
  parseGrpcTimeout,
  streamMaxDurationMs,
  toGrpcTimeout,
} from '../../src/core/grpc.js';
import { fwd, routes } from './helpers.js';

test('the RouteEntry carries the compiled settings; routes without any share one object', () => {
  const t = routes([
    fwd('a', { prefix: '/plain' }),
    fwd('b', { prefix: '/dep' }, { max_grpc_timeout: 2000, grpc_timeout_offset: 10 }),
    fwd('c', { prefix: '/new' }, { max_grpc_timeout: 2000, max_stream_duration: { grpc_timeout_header_max: 500 } }),
  ]);
  const [plain, dep, next] = t.virtualHosts[0]!.routes;
  assert.equal(plain!.streamTimeouts, NO_STREAM_TIMEOUTS);
  assert.deepEqual(dep!.streamTimeouts, { usingNewTimeouts: false, maxStreamDurationMs: undefined, grpcTimeoutHeaderMaxMs: undefined, grpcTimeoutHeaderOffsetMs: undefined, maxGrpcTimeoutMs: 2000, grpcTimeoutOffsetMs: 10 });
  // max_stream_duration present: Envoy's usingNewTimeouts, the deprecated fields are ignored.
  assert.deepEqual(next!.streamTimeouts, { usingNewTimeouts: true, maxStreamDurationMs: undefined, grpcTimeoutHeaderMaxMs: 500, grpcTimeoutHeaderOffsetMs: undefined, maxGrpcTimeoutMs: undefined, grpcTimeoutOffsetMs: undefined });
});

test('grpc-timeout parsing rounds sub-millisecond values up; toGrpcTimeout picks m, S, M, H as Envoy', () => {
  assert.equal(parseGrpcTimeout('1n'), 1);
  assert.equal(parseGrpcTimeout('1000000n'), 1);
  assert.equal(parseGrpcTimeout('1000001n'), 2);
  assert.equal(parseGrpcTimeout('1001u'), 2);
  assert.equal(parseGrpcTimeout('0u'), 0);
  assert.equal(parseGrpcTimeout('2M'), 120_000);
  assert.equal(parseGrpcTimeout('123456789m'), undefined, 'at most 8 digits');
  assert.equal(parseGrpcTimeout('5s'), undefined);
  assert.equal(toGrpcTimeout(950), '950m');
  assert.equal(toGrpcTimeout(99_999_999), '99999999m');
  assert.equal(toGrpcTimeout(100_000_000), '100000S');
  assert.equal(toGrpcTimeout(100_000_000_000_000), '27777777H');
  assert.equal(toGrpcTimeout(5_999_999_940_000), '99999999M');
  assert.equal(toGrpcTimeout(6_000_000_000_000), '1666666H');
  assert.equal(toGrpcTimeout(Number.MAX_SAFE_INTEGER), '99999999H', 'clipped to 8 digits of hours');
});

test('deprecated max_grpc_timeout: offset only when below, cap unless 0, absent header is infinity', () => {
  const st = compileRouteStreamTimeouts({ max_grpc_timeout: 1000, grpc_timeout_offset: 100 });
  assert.equal(deprecatedGrpcGlobalTimeoutMs(st, '500m'), 400);
  assert.equal(deprecatedGrpcGlobalTimeoutMs(st, '50m'), 50, 'the offset is not applied when not below');
  assert.equal(deprecatedGrpcGlobalTimeoutMs(st, '5S'), 1000);
  assert.equal(deprecatedGrpcGlobalTimeoutMs(st, undefined), 1000, 'no header: capped');
  assert.equal(deprecatedGrpcGlobalTimeoutMs(st, 'junk'), 1000);
  const uncapped = compileRouteStreamTimeouts({ max_grpc_timeout: 0 });
  assert.equal(deprecatedGrpcGlobalTimeoutMs(uncapped, '5S'), 5000);
  assert.equal(deprecatedGrpcGlobalTimeoutMs(uncapped, undefined), 0);
});

test('stream duration: grpc-timeout only with grpc_timeout_header_max, else the route, else the HCM', () => {
  const h = { 'grpc-timeout': '300m' };
  assert.equal(streamMaxDurationMs(NO_STREAM_TIMEOUTS, h, 0), undefined);
  assert.equal(streamMaxDurationMs(NO_STREAM_TIMEOUTS, h, 700), 700);
  const own = compileRouteStreamTimeouts({ max_stream_duration: { max_stream_duration: 900 } });
  assert.equal(streamMaxDurationMs(own, h, 700), 900, 'the header is not read without a cap');
  assert.equal(streamMaxDurationMs(compileRouteStreamTimeouts({ max_stream_duration: { max_stream_duration: 0 } }), h, 700), undefined);
  const capped = compileRouteStreamTimeouts({ max_stream_duration: { grpc_timeout_header_max: 200, grpc_timeout_header_offset: 50, max_stream_duration: 900 } });
  assert.equal(streamMaxDurationMs(capped, h, 0), 150);
  assert.equal(streamMaxDurationMs(capped, { 'grpc-timeout': ['100m', '9S'] }, 0), 50);
  assert.equal(streamMaxDurationMs(capped, {}, 0), 900);
  assert.equal(streamMaxDurationMs(compileRouteStreamTimeouts({ max_stream_duration: { grpc_timeout_header_max: 0 } }), { 'grpc-timeout': '1H' }, 0), 3_600_000);
});
