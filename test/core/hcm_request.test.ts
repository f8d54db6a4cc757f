// The connection manager's request handling before routing (core/hcm_request.ts): authority
// validation, path checks and normalisation, host normalisation, header mutation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpConnectionManager } from '../../src/config/types.js';
import { authorityIsValid } from '../../src/core/authority.js';
import { compileHcmRequestConfig, decodeRequestHeaders, type HcmRequest } from '../../src/core/hcm_request.js';
import { isClassicInternalAddress, isInternalAddress, compileInternalAddressConfig, parseIpAddress } from '../../src/core/internal_address.js';
import { lastAddressFromXff, mutateResponseHeaders } from '../../src/core/request_mutation.js';

const ids = { n: 0, uuid() { return `uuid-${++this.n}`; } };
const hcm = (over: Partial<HttpConnectionManager> = {}): HttpConnectionManager => ({ stat_prefix: 'in', ...over });
const compile = (over: Partial<HttpConnectionManager> = {}) => compileHcmRequestConfig(hcm(over), { serverAddress: '10.9.9.9' });
const req = (headers: Record<string, string> = {}, path = '/x', authority: string | undefined = 'a.com'): HcmRequest => ({ authority, path, scheme: 'http', headers: { ...headers } });

test('authorityIsValid: the authority grammar plus @ (HTTP/1 userinfo)', () => {
  for (const ok of ['a.com', 'a.com:8080', '[::1]:80', 'user:pw@a.com', '', "a!$&'()*+,;=%-._~b"]) assert.ok(authorityIsValid(ok), ok);
  for (const bad of ['evil.com/path', 'a b', 'a#b', 'a?b', 'a"b', 'a<b', 'a>b', 'a\\b', 'a^b', 'a`b', 'a{b', 'a|b', 'a}b', 'a\tb', 'a\u007fb', 'caf\u00e9']) {
    assert.ok(!authorityIsValid(bad), bad);
  }
});

test('local replies: invalid authority (codec protocol error), missing Host, relative path, normalisation', () => {
  const c = compile({ normalize_path: true, path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT' });
  const peer = { remoteAddress: '203.0.113.7', localPort: 80 };
  const bad = decodeRequestHeaders(req({}, '/x', 'evil.com/path'), peer, false, c, ids);
  assert.equal(bad.kind, 'local_reply');
  assert.deepEqual(bad.kind === 'local_reply' && [bad.status, bad.details, bad.stat, bad.protocolError], [400, 'http.invalid_authority', 'downstream_cx_protocol_error', true]);
  const none = decodeRequestHeaders({ ...req(), authority: undefined }, peer, false, c, ids);
  assert.deepEqual(none.kind === 'local_reply' && [none.status, none.details], [400, 'missing_host_header']);
  const star = decodeRequestHeaders(req({}, '*'), peer, false, c, ids);
  assert.deepEqual(star.kind === 'local_reply' && [star.status, star.details, star.stat], [404, 'absolute_path', 'downstream_rq_non_relative_path']);
  const r = req({}, '/a%2Fb/../c?q=%2F');
  const red = decodeRequestHeaders(r, peer, false, c, ids);
  assert.deepEqual(red.kind === 'local_reply' && [red.status, red.details, red.stat, red.location], [307, 'path_normalization_failed', 'downstream_rq_redirected_with_normalized_path', '/a/c?q=%2F']);
  const grpc = decodeRequestHeaders(req({ 'content-type': 'application/grpc+proto' }, '/a%2Fb'), peer, false, c, ids);
  assert.deepEqual(grpc.kind === 'local_reply' && [grpc.status, grpc.stat], [400, 'downstream_rq_failed_path_normalization'], 'gRPC cannot follow a redirect');
  const nul = decodeRequestHeaders(req({}, '/a%00'), peer, false, c, ids);
  assert.deepEqual(nul.kind === 'local_reply' && [nul.status, nul.details], [400, 'path_normalization_failed']);
});

test('the route table sees the normalised path and host', () => {
  const c = compile({ normalize_path: true, merge_slashes: true, strip_any_host_port: true });
  const r = req({}, '//public/../admin///x?y=//z', 'a.com:8080');
  const out = decodeRequestHeaders(r, { remoteAddress: '203.0.113.7', localPort: 80 }, false, c, ids);
  assert.equal(out.kind, 'continue');
  assert.equal(r.path, '/admin/x?y=//z');
  assert.equal(r.authority, 'a.com');
});

test("Envoy's defaults: no address is internal, so x-envoy-* control headers and a client x-envoy-internal are dropped; x-forwarded-proto only added", () => {
  const c = compile();
  const r = req({ 'x-envoy-internal': 'true', 'x-envoy-upstream-rq-timeout-ms': '1', 'x-envoy-retry-on': '5xx', 'x-envoy-decorator-operation': 'op', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.0.0.1', 'x-request-id': 'rid' });
  const out = decodeRequestHeaders(r, { remoteAddress: '127.0.0.1' }, false, c, ids);
  assert.deepEqual(out.kind === 'continue' && [out.internal, out.edge], [false, false]);
  assert.deepEqual(r.headers, { 'x-envoy-decorator-operation': 'op', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.0.0.1', 'x-request-id': 'rid' });
  assert.equal(r.scheme, 'https', ':scheme follows a trusted hop\'s x-forwarded-proto');
});

test('use_remote_address + internal_address_config: internal only without a client XFF', () => {
  const c = compile({ use_remote_address: true, internal_address_config: {} });
  const inside = req({ 'x-envoy-retry-on': '5xx', 'x-forwarded-proto': 'https' });
  const a = decodeRequestHeaders(inside, { remoteAddress: '10.1.2.3' }, false, c, ids);
  assert.deepEqual(a.kind === 'continue' && [a.internal, a.edge], [true, false]);
  assert.equal(inside.headers['x-envoy-internal'], 'true');
  assert.equal(inside.headers['x-envoy-retry-on'], '5xx');
  assert.equal(inside.headers['x-forwarded-for'], '10.1.2.3');
  assert.equal(inside.headers['x-forwarded-proto'], 'http', 'overwritten: the prior hop is not trusted');
  const spoof = req({ 'x-forwarded-for': '10.0.0.1', 'x-envoy-retry-on': '5xx', 'x-envoy-upstream-rq-timeout-ms': '1', 'x-envoy-downstream-service-node': 'n', 'x-request-id': 'client' });
  const b = decodeRequestHeaders(spoof, { remoteAddress: '10.1.2.3' }, false, c, ids);
  assert.deepEqual(b.kind === 'continue' && [b.internal, b.edge], [false, true], 'a client XFF makes the request external');
  assert.equal(spoof.headers['x-forwarded-for'], '10.0.0.1,10.1.2.3');
  assert.equal(spoof.headers['x-envoy-retry-on'], undefined);
  assert.equal(spoof.headers['x-envoy-upstream-rq-timeout-ms'], undefined);
  assert.equal(spoof.headers['x-envoy-downstream-service-node'], undefined, 'edge-only header');
  assert.equal(spoof.headers['x-envoy-external-address'], '10.1.2.3');
  assert.match(String(spoof.headers['x-request-id']), /^uuid-/, 'an edge request id is replaced');
  const loop = req();
  decodeRequestHeaders(loop, { remoteAddress: '127.0.0.1' }, false, c, ids);
  assert.equal(loop.headers['x-forwarded-for'], '10.9.9.9', "a loopback peer: Envoy appends its own address");
});

test('xff_num_trusted_hops, skip_xff_append, cidr_ranges, via, scheme_to_overwrite, preserve_external_request_id', () => {
  const c = compile({ use_remote_address: true, xff_num_trusted_hops: 1, skip_xff_append: true, via: 'edge-1', scheme_header_transformation: { scheme_to_overwrite: 'https' }, preserve_external_request_id: true, internal_address_config: { cidr_ranges: [{ address_prefix: '192.0.2.0', prefix_len: 24 }] } });
  const rid = '123e4567-e89b-12d3-a456-426614174000';
  const r = req({ 'x-forwarded-for': '198.51.100.1, 203.0.113.5', 'x-forwarded-proto': 'http', 'x-request-id': rid, via: '1.1 cdn' });
  const out = decodeRequestHeaders(r, { remoteAddress: '192.0.2.9' }, false, c, ids);
  assert.deepEqual(out.kind === 'continue' && [out.internal, out.edge], [false, true]);
  assert.equal(r.headers['x-forwarded-for'], '198.51.100.1, 203.0.113.5', 'skip_xff_append');
  assert.equal(r.headers['x-envoy-external-address'], '203.0.113.5', 'the trusted client address, one hop in');
  assert.equal(r.headers['x-forwarded-proto'], 'https');
  assert.equal(r.scheme, 'https');
  assert.equal(r.headers['via'], '1.1 cdn, edge-1');
  assert.equal(r.headers['x-request-id'], '123e4567-e89b-42d3-a456-426614174000', 'kept, trace byte reset');
  const resp: Record<string, string> = {};
  mutateResponseHeaders(resp, r.headers, compile({ via: 'edge-1', always_set_request_id_in_response: true, server_header_transformation: 'APPEND_IF_ABSENT' }).response);
  assert.deepEqual(resp, { server: 'envoy', 'x-request-id': '123e4567-e89b-42d3-a456-426614174000', via: 'edge-1' });
});

test('use_remote_address false: internal when XFF holds one internal address (with internal_address_config)', () => {
  const c = compile({ internal_address_config: {} });
  const one = req({ 'x-forwarded-for': ' 192.168.1.1 ', 'x-envoy-max-retries': '2' });
  const a = decodeRequestHeaders(one, { remoteAddress: '203.0.113.1' }, false, c, ids);
  assert.equal(a.kind === 'continue' && a.internal, true);
  assert.equal(one.headers['x-envoy-max-retries'], '2');
  const two = req({ 'x-forwarded-for': '192.168.1.1,10.0.0.1', 'x-envoy-max-retries': '2' });
  const b = decodeRequestHeaders(two, { remoteAddress: '10.0.0.2' }, false, c, ids);
  assert.deepEqual(b.kind === 'continue' && [b.internal, b.edge], [false, false]);
  assert.equal(two.headers['x-envoy-max-retries'], undefined);
  const none = req({ 'x-envoy-max-retries': '2' });
  assert.equal((decodeRequestHeaders(none, { remoteAddress: '10.0.0.2' }, false, c, ids) as { internal: boolean }).internal, false, 'no XFF: external');
});

test('internal_only_headers and referer sanitising', () => {
  const c = compileHcmRequestConfig(hcm({ route_config: { internal_only_headers: ['X-Secret'] } as never }), { serverAddress: '' });
  const r = req({ 'x-secret': '1', referer: '/relative' });
  decodeRequestHeaders(r, { remoteAddress: '203.0.113.1' }, false, c, ids);
  assert.equal(r.headers['x-secret'], undefined);
  assert.equal(r.headers['referer'], undefined, 'not an absolute URL');
  const ok = req({ referer: 'https://a.com/p?q' });
  decodeRequestHeaders(ok, { remoteAddress: '203.0.113.1' }, false, c, ids);
  assert.equal(ok.headers['referer'], 'https://a.com/p?q');
});

test('internal addresses: the classic ranges (exactly 127.0.0.1), CIDRs, XFF parsing', () => {
  for (const a of ['10.1.2.3', '127.0.0.1', '192.168.0.1', '172.16.0.1', '172.31.255.255', '::1', 'fd00::1']) assert.ok(isClassicInternalAddress(parseIpAddress(a)!), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '127.0.0.2', '2001:db8::1', 'fc00::1', '::ffff:10.0.0.1']) assert.ok(!isClassicInternalAddress(parseIpAddress(a)!), a);
  assert.equal(parseIpAddress('[::1]'), undefined);
  assert.equal(parseIpAddress('1.2.3.4:80'), undefined);
  assert.equal(isInternalAddress(parseIpAddress('10.0.0.1')!, undefined), false, 'no internal_address_config: nothing is internal');
  const cidr = compileInternalAddressConfig({ internal_address_config: { cidr_ranges: [{ address_prefix: '2001:db8::', prefix_len: 32 }] } });
  assert.ok(isInternalAddress(parseIpAddress('2001:db8::5')!, cidr));
  assert.ok(!isInternalAddress(parseIpAddress('10.0.0.1')!, cidr), 'explicit ranges replace the classic ones');
  assert.deepEqual(lastAddressFromXff('1.1.1.1, 2.2.2.2', 0).text, '2.2.2.2');
  assert.deepEqual(lastAddressFromXff('1.1.1.1, 2.2.2.2', 1).text, '1.1.1.1');
  assert.equal(lastAddressFromXff('1.1.1.1', 1).address, undefined);
  assert.equal(lastAddressFromXff('junk', 0).address, undefined);
  assert.equal(lastAddressFromXff('9.9.9.9', 0).single, true);
});

test('runtime: normalize_path and path_with_escaped_slashes_action defaults come from the runtime keys', () => {
  assert.equal(compile().pathNormalization, undefined, "Envoy's defaults: nothing to do");
  const rt = compileHcmRequestConfig(hcm(), { serverAddress: '', runtime: { 'http_connection_manager.normalize_path': 100, 'http_connection_manager.path_with_escaped_slashes_action': 2 } });
  assert.deepEqual(rt.pathNormalization, { normalizePath: true, mergeSlashes: false, escapedSlashesAction: 'REJECT_REQUEST' });
  assert.equal(compile({ path_with_escaped_slashes_action: 'IMPLEMENTATION_SPECIFIC_DEFAULT' }).pathNormalization, undefined, 'IMPLEMENTATION_SPECIFIC_DEFAULT is KEEP_UNCHANGED');
});
