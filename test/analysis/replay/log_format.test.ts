// Access log lines read back into requests: the format -> parser compiler (text formats,
// presets, json_format, common JSON keys). Lines are written by the runtime's own access log
// formatter where it matters, so the parser reads what tsproxy (and Envoy) write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat, ENVOY_DEFAULT_FORMAT, parseLogLine, type LogRecord } from '../../../src/analysis/replay/log_format.js';
import { compileAnyLogFormat, parseJsonLogLine } from '../../../src/analysis/replay/json_log.js';
import { compileJsonFormat, compileTextFormat, DEFAULT_ACCESS_LOG_FORMAT } from '../../../src/runtime/access_log/formatter.js';
import { newStreamInfo, type StreamInfo } from '../../../src/runtime/stream_info.js';

function streamInfo(fields: Partial<StreamInfo>): StreamInfo {
  return Object.assign(newStreamInfo(Date.UTC(2026, 11, 1, 10, 0, 0), 0), fields);
}

function fmt(source: string) {
  const r = compileLogFormat(source);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.format;
}

/** The fields a test compares (absent ones dropped). */
function fields(rec: LogRecord | undefined): Record<string, unknown> {
  assert.ok(rec !== undefined, 'the line parses');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

test('the default format is the one the runtime writes', () => {
  assert.equal(ENVOY_DEFAULT_FORMAT, DEFAULT_ACCESS_LOG_FORMAT);
});

test('a line written by the runtime formatter reads back into its request', () => {
  const w = compileTextFormat(DEFAULT_ACCESS_LOG_FORMAT, { monotonicNow: () => 0 });
  assert.ok(w.formatter);
  const info = streamInfo({
    method: 'POST',
    path: '/v1/users?x=1',
    authority: 'shop.example.com',
    protocol: 'HTTP/1.1',
    requestHeaders: { 'x-envoy-original-path': '/api/v1/users?x=1', 'user-agent': 'curl/8 "quoted"', 'x-request-id': 'r-1' },
    responseCode: 503,
    responseFlags: ['UF', 'URX'],
  });
  const line = w.formatter.format(info).replace(/\n$/, '');
  const rec = parseLogLine(fmt('envoy'), line);
  assert.deepEqual(fields(rec), {
    startTime: '2026-12-01T10:00:00.000Z',
    method: 'POST',
    // X-ENVOY-ORIGINAL-PATH?:PATH: the path the client sent.
    path: '/api/v1/users?x=1',
    protocol: 'HTTP/1.1',
    status: 503,
    responseFlags: 'UF,URX',
    headers: [['user-agent', 'curl/8 "quoted"'], ['x-request-id', 'r-1']],
    authority: 'shop.example.com',
  });
  // A User-Agent holding the very literal that ends it (`" "`) cannot be told from the next
  // field; the fields after the free-text ones are read from the right, so the authority and
  // upstream host stay right.
  const ua = w.formatter.format(streamInfo({ ...info, requestHeaders: { 'user-agent': 'x" "y', 'x-request-id': 'r-2' } })).replace(/\n$/, '');
  const odd = parseLogLine(fmt('envoy'), ua);
  assert.equal(odd?.authority, 'shop.example.com');
  assert.equal(odd?.path, '/v1/users?x=1');
  assert.equal(odd?.headers.map((h) => h[1]).join('|'), 'x|y" "r-2');
});

test('istio preset: cluster, route name, listener port, SNI, peer address', () => {
  const line =
    '[2024-06-02T13:24:57.930Z] "GET /resources/favicon.ico HTTP/2" 200 - via_upstream - "-" 0 10 1 1 "192.168.0.24" ' +
    '"Mozilla/5.0 (X11)" "9f69865b" "auth.example.com" "10.0.0.159:8080" outbound|80||keycloak.auth.svc.cluster.local ' +
    '10.0.1.244:35794 10.0.1.244:8443 192.168.0.24:8459 auth.example.com keycloak-route';
  const rec = fields(parseLogLine(fmt('istio'), line));
  assert.equal(rec['upstreamCluster'], 'outbound|80||keycloak.auth.svc.cluster.local');
  assert.equal(rec['routeName'], 'keycloak-route');
  assert.equal(rec['localPort'], 8443);
  assert.equal(rec['remoteAddress'], '192.168.0.24');
  assert.equal(rec['requestedServerName'], 'auth.example.com');
  assert.equal(rec['responseCodeDetails'], 'via_upstream');
  assert.equal(rec['authority'], 'auth.example.com');
});

test('custom formats: %% is a percent, - is unset, operators with arguments, IPv6 addresses', () => {
  const f = fmt('%REQ(:METHOD)% %REQ(:PATH):120% 100%% %REQ(:AUTHORITY)% %DOWNSTREAM_LOCAL_ADDRESS% [%START_TIME(%Y/%m/%d)%] %REQ(X-TENANT)%');
  assert.deepEqual(fields(parseLogLine(f, 'GET /a?b=1 100% - [::1]:10000 [2026/12/01] acme')), {
    method: 'GET', path: '/a?b=1', localAddress: '::1', localPort: 10000, startTime: '2026/12/01', headers: [['x-tenant', 'acme']],
  });
  // A line of another shape does not parse.
  assert.equal(parseLogLine(f, 'GET /a'), undefined);
  assert.equal(parseLogLine(fmt('envoy'), 'not a log line'), undefined);
});

test('format errors name the problem', () => {
  const bad = compileLogFormat('%REQ(:PATH)% %BROKEN');
  assert.ok(!bad.ok && /no valid %COMMAND% at position 14/.test(bad.error), JSON.stringify(bad));
  const noPath = compileLogFormat('%REQ(:METHOD)% %RESPONSE_CODE%');
  assert.ok(!noPath.ok && /does not log the path/.test(noPath.error));
  const json = compileAnyLogFormat('{"m": "%REQ(:METHOD)%"');
  assert.ok(!json.ok && /not valid JSON/.test(json.error));
});

test('json_format: typed single operators, templates inside values, nested keys, null as unset', () => {
  const struct = {
    method: '%REQ(:METHOD)%',
    request: { path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', host: 'host=%REQ(:AUTHORITY)%' },
    status: '%RESPONSE_CODE%',
    cluster: '%UPSTREAM_CLUSTER%',
    tenant: '%REQ(X-TENANT)%',
  };
  // The runtime's json_format writer produces the line.
  const w = compileJsonFormat(struct, { monotonicNow: () => 0 });
  assert.ok(w.formatter);
  const info = streamInfo({ method: 'GET', path: '/p', authority: 'a.example.com', responseCode: 200, requestHeaders: {} });
  const line = w.formatter.format(info).trim();
  const c = compileAnyLogFormat(JSON.stringify(struct));
  assert.ok(c.ok && c.format.kind === 'json');
  assert.deepEqual(fields(parseJsonLogLine(line, c.format.format)), { method: 'GET', path: '/p', authority: 'a.example.com', status: 200 });
});

test('JSON lines without a format: Istio and Envoy Gateway keys', () => {
  const istio = '{"start_time":"2026-12-01T10:00:00.000Z","method":"GET","path":"/api/x?y=1","protocol":"HTTP/1.1","response_code":404,"response_flags":"NR","authority":"shop.example.com","upstream_cluster":null,"route_name":"-","x_forwarded_for":"10.0.0.1","downstream_local_address":"10.1.1.1:8080"}';
  assert.deepEqual(fields(parseJsonLogLine(istio, undefined)), {
    startTime: '2026-12-01T10:00:00.000Z', method: 'GET', path: '/api/x?y=1', protocol: 'HTTP/1.1', status: 404, responseFlags: 'NR',
    authority: 'shop.example.com', headers: [['x-forwarded-for', '10.0.0.1']], localAddress: '10.1.1.1', localPort: 8080,
  });
  const eg = '{":authority":"www.example.com","method":"POST","x-envoy-origin-path":"/login","response_code":"200","user-agent":"curl/8"}';
  assert.deepEqual(fields(parseJsonLogLine(eg, undefined)), { authority: 'www.example.com', method: 'POST', path: '/login', status: 200, headers: [['user-agent', 'curl/8']] });
  assert.equal(parseJsonLogLine('{"method": "GET"', undefined), undefined);
  assert.equal(parseJsonLogLine('[1,2]', undefined), undefined);
});
