import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTextFormat, compileJsonFormat, DEFAULT_ACCESS_LOG_FORMAT } from '../../../src/runtime/access_log/formatter.js';
import type { OperatorContext } from '../../../src/runtime/access_log/operators.js';
import type { StreamInfo } from '../../../src/runtime/stream_info.js';
import { sampleInfo } from './helpers.js';

const ctx: OperatorContext = { monotonicNow: () => 5000, hostname: 'box1', uuid: () => 'u-1', env: { ZONE: 'eu1' } };

function fmt(format: string, info: StreamInfo = sampleInfo()): string {
  const r = compileTextFormat(format, ctx);
  assert.deepEqual(r.errors, []);
  return r.formatter!.format(info);
}

test('default format reproduces Envoy documentation example line', () => {
  assert.equal(
    fmt(DEFAULT_ACCESS_LOG_FORMAT),
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/1.1" 204 - 154 0 226 100 "10.0.35.28" ' +
      '"nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"\n',
  );
});

test('default format on a local reply prints - for missing values', () => {
  const info = sampleInfo({
    responseCode: 404,
    responseFlags: ['NR'],
    responseHeaders: {},
    upstreamHost: undefined,
    requestHeaders: {},
  });
  assert.equal(
    fmt(DEFAULT_ACCESS_LOG_FORMAT, info),
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/1.1" 404 NR 154 0 226 - "-" "-" "-" "locations" "-"\n',
  );
});

test('START_TIME with custom formats', () => {
  assert.equal(fmt('%START_TIME(%Y/%m/%d %H:%M:%S)%'), '2016/04/15 20:17:00');
  assert.equal(fmt('%START_TIME(%s)%'), '1460751420');
  assert.equal(fmt('%START_TIME(%s.%3f)%'), '1460751420.310');
  assert.equal(fmt('%START_TIME(%6f)%'), '310000');
  assert.equal(fmt('%START_TIME(%f)%'), '310000000');
  assert.equal(fmt('%START_TIME(%E3S)%'), '00.310');
  assert.equal(fmt('%START_TIME(%a %b %e %j %z)%'), 'Fri Apr 15 106 +0000');
  // Cache per second must not leak the previous request's milliseconds.
  const r = compileTextFormat('%START_TIME%', ctx);
  const f = r.formatter!;
  assert.equal(f.format(sampleInfo()), '2016-04-15T20:17:00.310Z');
  assert.equal(f.format(sampleInfo({ startTime: Date.UTC(2016, 3, 15, 20, 17, 0, 999) })), '2016-04-15T20:17:00.999Z');
  assert.equal(f.format(sampleInfo({ startTime: Date.UTC(2016, 3, 15, 20, 17, 1, 5) })), '2016-04-15T20:17:01.005Z');
});

test('REQ with alternative header and max length', () => {
  assert.equal(fmt('%REQ(USER-AGENT)%'), 'nsq2http');
  assert.equal(fmt('%REQ(user-agent):3%'), 'nsq');
  assert.equal(fmt('%REQ(X-MISSING?USER-AGENT)%'), 'nsq2http');
  assert.equal(fmt('%REQ(X-MISSING)%'), '-');
  // Present but empty is not unset.
  assert.equal(fmt('[%REQ(X-EMPTY)%]', sampleInfo({ requestHeaders: { 'x-empty': '' } })), '[]');
  assert.equal(fmt('%REQUEST_HEADER(:METHOD)% %REQ(:AUTHORITY)% %REQ(:PATH)%'), 'POST locations /api/v1/locations');
  assert.equal(fmt('%REQ_WITHOUT_QUERY(:PATH)%', sampleInfo({ path: '/a/b?x=1' })), '/a/b');
  // x-envoy-original-path: from the header, or from StreamInfo.originalPath after a rewrite.
  assert.equal(fmt('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%'), '/api/v1/locations');
  assert.equal(fmt('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', sampleInfo({ path: '/new', originalPath: '/old' })), '/old');
  // Repeated headers: the first value.
  assert.equal(fmt('%REQ(X-MULTI)%', sampleInfo({ requestHeaders: { 'x-multi': ['a', 'b'] } })), 'a');
});

test('RESP and TRAILER', () => {
  assert.equal(fmt('%RESP(CONTENT-TYPE)% %RESPONSE_HEADER(X-ENVOY-UPSTREAM-SERVICE-TIME)%'), 'text/plain 100');
  assert.equal(fmt('%RESP(X-NOPE?CONTENT-TYPE):4%'), 'text');
  assert.equal(fmt('%TRAILER(GRPC-STATUS)%'), '-');
  assert.equal(fmt('%TRAILER(GRPC-STATUS)%', sampleInfo({ responseTrailers: { 'grpc-status': '0' } })), '0');
});

test('response code, flags, details', () => {
  assert.equal(fmt('%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_FLAGS_LONG% %RESPONSE_CODE_DETAILS%'), '204 - - -');
  const info = sampleInfo({ responseCode: 503, responseFlags: ['URX', 'UF'], responseCodeDetails: 'upstream_reset_before_response_started{connection_failure}' });
  assert.equal(
    fmt('%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_FLAGS_LONG% %RESPONSE_CODE_DETAILS%', info),
    '503 UF,URX UpstreamConnectionFailure,UpstreamRetryLimitExceeded upstream_reset_before_response_started{connection_failure}',
  );
  assert.equal(fmt('%RESPONSE_CODE%', sampleInfo({ responseCode: 0 })), '0');
  assert.equal(fmt('%RESPONSE_FLAGS%', sampleInfo({ responseFlags: ['FI', 'DI'] })), 'DI,FI');
});

test('bytes and durations', () => {
  assert.equal(fmt('%BYTES_RECEIVED% %BYTES_SENT%'), '154 0');
  assert.equal(fmt('%DURATION% %REQUEST_DURATION% %RESPONSE_DURATION% %RESPONSE_TX_DURATION%'), '226 10 100 126');
  // Not finished yet: DURATION is the time so far (monotonicNow 5000 - start 1000).
  assert.equal(fmt('%DURATION% %RESPONSE_DURATION%', sampleInfo({ lastDownstreamTxByteSent: undefined, firstUpstreamRxByteReceived: undefined })), '4000 -');
  assert.equal(fmt('%DURATION%', sampleInfo({ lastDownstreamTxByteSent: 1226.9 })), '226');
});

test('route, cluster, upstream', () => {
  assert.equal(
    fmt('%ROUTE_NAME% %UPSTREAM_CLUSTER% %UPSTREAM_HOST% %UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %UPSTREAM_REMOTE_PORT% %UPSTREAM_REQUEST_ATTEMPT_COUNT%'),
    'loc_route locations 10.0.2.1:80 10.0.2.1 80 1',
  );
  assert.equal(fmt('%UPSTREAM_TRANSPORT_FAILURE_REASON%'), '-');
  assert.equal(
    fmt('%UPSTREAM_TRANSPORT_FAILURE_REASON%', sampleInfo({ upstreamTransportFailureReason: 'delayed connect error: 111' })),
    'delayed connect error: 111',
  );
  assert.equal(fmt('%ROUTE_NAME% %UPSTREAM_CLUSTER% %UPSTREAM_HOST%', sampleInfo({ routeName: undefined, upstreamCluster: undefined, upstreamHost: undefined })), '- - -');
  assert.equal(fmt('%VIRTUAL_CLUSTER_NAME%', sampleInfo({ virtualClusterName: 'vc' })), 'vc');
});

test('downstream addresses', () => {
  assert.equal(
    fmt('%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_REMOTE_PORT% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_PORT%'),
    '10.0.35.28:51234 10.0.35.28 51234 127.0.0.1:10000 10000',
  );
  assert.equal(fmt('%DOWNSTREAM_REMOTE_ADDRESS%', sampleInfo({ downstreamRemoteAddress: '::1', downstreamRemotePort: 4 })), '[::1]:4');
});

test('misc operators: protocol, ids, hostname, environment, %%', () => {
  assert.equal(fmt('%PROTOCOL% %STREAM_ID% %HOSTNAME% %UNIQUE_ID% %ENVIRONMENT(ZONE)% %ENVIRONMENT(NOPE)%'), 'HTTP/1.1 cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2 box1 u-1 eu1 -');
  assert.equal(fmt('100%% %CONNECTION_ID%', sampleInfo({ connectionId: 7 })), '100% 7');
  assert.equal(fmt('%LOCAL_REPLY_BODY%', sampleInfo({ localReplyBody: 'no healthy upstream' })), 'no healthy upstream');
  assert.equal(fmt('plain text only\n'), 'plain text only\n');
});

test('unknown operator and bad syntax are config errors, not exceptions', () => {
  const r = compileTextFormat('%NOT_AN_OPERATOR%', ctx);
  assert.equal(r.formatter, undefined);
  assert.deepEqual(r.errors, ['Not supported field in StreamInfo: NOT_AN_OPERATOR']);
  const r2 = compileTextFormat('abc %REQ(', ctx);
  assert.match(r2.errors[0]!, /Couldn't find valid command at position 4/);
  const r3 = compileTextFormat('%REQ(A?B?C)%', ctx);
  assert.match(r3.errors[0]!, /more than 1 alternative header/);
  const r4 = compileTextFormat('%REQ%', ctx);
  assert.match(r4.errors[0]!, /requires a header name/);
  const r5 = compileTextFormat('%PROTOCOL(x)%', ctx);
  assert.match(r5.errors[0]!, /takes no argument/);
});

test('known but unimplemented operators print - with a warning', () => {
  const r = compileTextFormat('%DOWNSTREAM_TLS_SESSION_ID% %DYNAMIC_METADATA(ns:key)%', ctx);
  assert.deepEqual(r.errors, []);
  assert.equal(r.warnings.length, 2);
  assert.equal(r.formatter!.format(sampleInfo()), '- -');
});

test('omit_empty_values prints nothing for unset values', () => {
  const r = compileTextFormat('[%UPSTREAM_HOST%]', ctx, { omitEmptyValues: true });
  assert.equal(r.formatter!.format(sampleInfo({ upstreamHost: undefined })), '[]');
});

test('json_format: typed values, null, templates, nesting', () => {
  const r = compileJsonFormat(
    {
      status: '%RESPONSE_CODE%',
      flags: '%RESPONSE_FLAGS%',
      host: '%UPSTREAM_HOST%',
      line: '%REQ(:METHOD)% %REQ(:PATH)%',
      constant: 'k',
      n: 5,
      nested: { duration: '%DURATION%', ua: '%REQ(USER-AGENT)%' },
    },
    ctx,
  );
  assert.deepEqual(r.errors, []);
  const out = r.formatter!.format(sampleInfo({ upstreamHost: undefined }));
  assert.ok(out.endsWith('\n'));
  assert.equal(
    out,
    '{"status":204,"flags":"-","host":null,"line":"POST /api/v1/locations","constant":"k","n":5,"nested":{"duration":226,"ua":"nsq2http"}}\n',
  );
  assert.deepEqual(JSON.parse(out), {
    status: 204,
    flags: '-',
    host: null,
    line: 'POST /api/v1/locations',
    constant: 'k',
    n: 5,
    nested: { duration: 226, ua: 'nsq2http' },
  });
  const omitted = compileJsonFormat({ a: '%UPSTREAM_HOST%', b: '%RESPONSE_CODE%' }, ctx, { omitEmptyValues: true });
  assert.equal(omitted.formatter!.format(sampleInfo({ upstreamHost: undefined })), '{"b":204}\n');
  const sorted = compileJsonFormat({ z: '1', a: '2' }, ctx, { sortProperties: true });
  assert.equal(sorted.formatter!.format(sampleInfo()), '{"a":"2","z":"1"}\n');
  const bad = compileJsonFormat({ a: '%NOPE%' }, ctx);
  assert.deepEqual(bad.errors, ['Not supported field in StreamInfo: NOPE']);
  // Quotes and control characters are escaped.
  const esc = compileJsonFormat({ ua: '%REQ(USER-AGENT)%' }, ctx);
  assert.equal(esc.formatter!.format(sampleInfo({ requestHeaders: { 'user-agent': 'a"b\n' } })), '{"ua":"a\\"b\\n"}\n');
});

test('%REQ% and %RESP% of names that plain objects inherit (constructor) print -, not Object internals', () => {
  const info = sampleInfo({ requestHeaders: { 'x-a': 'a' }, responseHeaders: {} });
  assert.equal(fmt('%REQ(CONSTRUCTOR)% %RESP(constructor)% %REQ(__proto__)% %REQ(X-A)%', info), '- - - a');
});
