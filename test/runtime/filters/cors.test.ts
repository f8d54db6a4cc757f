import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { compileCorsPolicy, CORS_POLICY_TYPE_URL, CORS_TYPE_URL, createCorsFilterFactory } from '../../../src/runtime/filters/cors.js';
import type { Any, CorsPolicy } from '../../../src/config/types.js';
import { loadConfig } from '../../../src/config/load.js';
import type { RouteDecision } from '../../../src/core/route_types.js';
import type { StreamFilter } from '../../../src/runtime/http/filter.js';
import { FakeCallbacks, factoryContext, request } from './fake_callbacks.js';

const POLICY = {
  '@type': CORS_POLICY_TYPE_URL,
  allow_origin_string_match: [{ exact: 'https://app.example.com' }, { suffix: '.trusted.io' }],
  allow_methods: 'GET, POST',
  allow_headers: 'x-token',
  expose_headers: 'x-trace',
  max_age: '600',
  allow_credentials: true,
} as Record<string, unknown> & { '@type': string };

function setup(opts: { perFilter?: Record<string, Any>; route?: RouteDecision; runtime?: Record<string, unknown> } = {}) {
  const store = new StatsStore();
  const typed = { '@type': CORS_TYPE_URL } as Any;
  const factory = createCorsFilterFactory(typed, factoryContext(store, { http_filters: [{ name: 'cors', typed_config: typed }] }, opts.runtime ?? {}));
  const run = (method: string, headers: Record<string, string>) => {
    const cb = new FakeCallbacks(request('/api', headers, method), store);
    cb.perFilter = opts.perFilter ?? { cors: POLICY as Any };
    if (opts.route) cb.routeDecision = opts.route;
    const inst = factory();
    const f = inst.decoder as StreamFilter;
    f.setDecoderFilterCallbacks(cb);
    f.setEncoderFilterCallbacks(cb);
    const status = f.decodeHeaders(cb.requestHeaders, true);
    return { cb, f, status };
  };
  const stat = (n: string) => store.counterValue(`http.ingress.cors.${n}`);
  return { run, stat };
}

test('preflight from an allowed origin is answered locally with the CORS headers', () => {
  const s = setup();
  const { cb, status } = s.run('OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'POST' });
  assert.equal(status, 'StopIteration');
  assert.equal(cb.encoded.length, 1);
  assert.equal(cb.encoded[0]!.status, 200);
  assert.deepEqual(cb.encoded[0]!.headers, {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'x-token',
    'access-control-max-age': '600',
    'content-length': 0,
  });
  assert.equal(s.stat('origin_valid'), 1);
  assert.equal(cb.streamInfo.responseCodeDetails, 'cors_response');
});

test('actual CORS request: forwarded, response decorated with allow-origin, credentials, expose', () => {
  const s = setup();
  const { f, status } = s.run('GET', { origin: 'https://x.trusted.io' });
  assert.equal(status, 'Continue');
  const resp = { status: 200, headers: { 'content-type': 'text/plain' } as Record<string, string> };
  assert.equal(f.encodeHeaders(resp, false), 'Continue');
  assert.deepEqual(resp.headers, {
    'content-type': 'text/plain',
    'access-control-allow-origin': 'https://x.trusted.io',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'x-trace',
  });
});

test('disallowed origin: origin_invalid, no CORS headers, preflight forwarded', () => {
  const s = setup();
  const { cb, f, status } = s.run('OPTIONS', { origin: 'https://evil.com', 'access-control-request-method': 'GET' });
  assert.equal(status, 'Continue');
  assert.equal(cb.encoded.length, 0);
  const resp = { status: 204, headers: {} as Record<string, string> };
  f.encodeHeaders(resp, true);
  assert.deepEqual(resp.headers, {});
  assert.equal(s.stat('origin_invalid'), 1);
  assert.equal(s.stat('origin_valid'), 0);
});

test('forward_not_matching_preflights: false answers a bad preflight without CORS headers', () => {
  const s = setup({ perFilter: { cors: { ...POLICY, forward_not_matching_preflights: false } as Any } });
  const { cb, status } = s.run('OPTIONS', { origin: 'https://evil.com', 'access-control-request-method': 'GET' });
  assert.equal(status, 'StopIteration');
  assert.equal(cb.encoded[0]!.status, 200);
  assert.equal(cb.encoded[0]!.headers['access-control-allow-origin'], undefined);
});

test('no Origin, no policy, OPTIONS without request-method: untouched', () => {
  const s = setup();
  assert.equal(s.run('GET', {}).status, 'Continue');
  assert.equal(s.stat('origin_valid') + s.stat('origin_invalid'), 0);
  const none = setup({ perFilter: {} });
  assert.equal(none.run('OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' }).status, 'Continue');
  const plainOptions = s.run('OPTIONS', { origin: 'https://app.example.com' });
  assert.equal(plainOptions.status, 'Continue');
  assert.equal(plainOptions.cb.encoded.length, 0);
});

test('wildcard matcher allows any origin and echoes the request origin', () => {
  const s = setup({ perFilter: { cors: { '@type': CORS_POLICY_TYPE_URL, allow_origin_string_match: [{ exact: '*' }] } as Any } });
  const { cb } = s.run('OPTIONS', { origin: 'https://anything.net', 'access-control-request-method': 'GET' });
  assert.equal(cb.encoded[0]!.headers['access-control-allow-origin'], 'https://anything.net');
  assert.equal(cb.encoded[0]!.headers['access-control-allow-credentials'], undefined);
});

test('filter_enabled 0% with shadow_enabled: stats only; runtime key overrides', () => {
  const off = { ...POLICY, filter_enabled: { default_value: { numerator: 0 } }, shadow_enabled: { default_value: { numerator: 100 } } };
  const s = setup({ perFilter: { cors: off as Any } });
  const { cb, status } = s.run('OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
  assert.equal(status, 'Continue');
  assert.equal(cb.encoded.length, 0);
  assert.equal(s.stat('origin_valid'), 1);
  const rt = setup({
    perFilter: { cors: { ...POLICY, filter_enabled: { default_value: { numerator: 100 }, runtime_key: 'cors.on' } } as Any },
    runtime: { 'cors.on': 0 },
  });
  assert.equal(rt.run('OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' }).status, 'Continue');
});

test('legacy route/vhost cors fields, route settings first, vhost fills the rest', () => {
  const vhostCors: CorsPolicy = { allow_origin_string_match: [{ prefix: 'https://' }], max_age: '60', allow_methods: 'GET' };
  const routeCors: CorsPolicy = { allow_methods: 'PUT' };
  const route = {
    kind: 'forward',
    cluster: 'x',
    virtualHost: { config: { name: 'vh', domains: ['*'], cors: vhostCors } },
    route: { action: { cluster: 'x', cors: routeCors } },
  } as unknown as RouteDecision;
  const s = setup({ perFilter: {}, route });
  const { cb } = s.run('OPTIONS', { origin: 'https://a.b', 'access-control-request-method': 'PUT' });
  assert.equal(cb.encoded[0]!.headers['access-control-allow-methods'], 'PUT');
  assert.equal(cb.encoded[0]!.headers['access-control-max-age'], '60');
});

test('camelCase policy as loadConfig decodes it, and invalid regex', () => {
  const r = loadConfig(
    `virtualHosts: [{name: v, domains: ["*"], routes: [], typedPerFilterConfig: {cors: {"@type": ${CORS_POLICY_TYPE_URL}, allowOriginStringMatch: [{safeRegex: {regex: 'https://.*\\.x\\.com'}}], allowCredentials: true}}}]`,
    'r.yaml',
  );
  assert.deepEqual(r.diagnostics, []);
  const c = compileCorsPolicy(r.config!.routeConfigurations[0]!.virtual_hosts![0]!.typed_per_filter_config!['cors'] as CorsPolicy);
  assert.equal(c.allowOrigins![0]!.match('https://a.x.com'), true);
  assert.equal(c.allowCredentials, true);
  assert.throws(() => compileCorsPolicy({ allow_origin_string_match: [{ safe_regex: { regex: '(' } }] }), /allow_origin_string_match/);
});
