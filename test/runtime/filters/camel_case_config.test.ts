/**
 * The fault and CORS filters read the config layer's decoded messages only (snake_case, Durations
 * in ms). A config written in lowerCamelCase (proto3 JSON mapping) must therefore reach them
 * exactly as its snake_case twin does: same decoded objects, same behaviour. Both go through the
 * real `loadConfig` and the real core `route()`, as `serve` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import type { Any, HttpConnectionManager } from '../../../src/config/types.js';
import { compileRouteConfig, route } from '../../../src/core/route.js';
import type { RouteDecision } from '../../../src/core/route_types.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { createFaultFilterFactory } from '../../../src/runtime/filters/fault.js';
import { createCorsFilterFactory } from '../../../src/runtime/filters/cors.js';
import type { StreamFilter } from '../../../src/runtime/http/filter.js';
import { FakeCallbacks, factoryContext, ManualTimers, request } from './fake_callbacks.js';
import { bootstrap } from '../http/harness.js';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const CORS = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const CORS_POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

/** The same Bootstrap in either spelling: `c` spells each multi-word field name. */
function config(c: (snake: string) => string): string {
  return bootstrap({
    filters: `- name: my-cors
  ${c('typed_config')}: {"@type": ${CORS}}
- name: my-fault
  ${c('typed_config')}:
    "@type": ${FAULT}
    delay: {${c('fixed_delay')}: 1.5s, percentage: {numerator: 5000, denominator: TEN_THOUSAND}}
    abort: {${c('http_status')}: 429, percentage: {numerator: 100}}
    headers: [{name: x-fault, ${c('string_match')}: {${c('ignore_case')}: true, exact: YES}}]
    ${c('max_active_faults')}: 1
    ${c('abort_http_status_runtime')}: my.abort.status
    ${c('downstream_nodes')}: [node-a]`,
    routes: `- match: {prefix: /per-route}
  route: {cluster: c, cors: {${c('allow_methods')}: "PUT"}}
  ${c('typed_per_filter_config')}:
    my-cors: &policy
      "@type": ${CORS_POLICY}
      ${c('allow_origin_string_match')}: [{${c('safe_regex')}: {regex: "https://.*\\\\.trusted\\\\.io"}}, {prefix: "https://app."}]
      ${c('allow_headers')}: x-token
      ${c('expose_headers')}: x-trace
      ${c('allow_credentials')}: true
      ${c('allow_private_network_access')}: true
      ${c('forward_not_matching_preflights')}: false
      ${c('filter_enabled')}: {${c('default_value')}: {numerator: 100}, ${c('runtime_key')}: cors.on}
      ${c('shadow_enabled')}: {${c('default_value')}: {numerator: 100}}
    my-fault:
      "@type": ${FILTER_CONFIG}
      ${c('is_optional')}: true
      config: {"@type": ${FAULT}, abort: {${c('header_abort')}: {}, percentage: {numerator: 100}}}
- match: {prefix: /no-cors}
  route: {cluster: c}
  ${c('typed_per_filter_config')}:
    my-cors: {"@type": ${FILTER_CONFIG}, disabled: true}
- match: {prefix: /}
  route: {cluster: c, cors: {${c('allow_methods')}: "GET", ${c('max_age')}: "60"}}
  ${c('typed_per_filter_config')}: {my-cors: *policy}`,
    clusters: `- {name: c, ${c('connect_timeout')}: 1s}`,
  });
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());

function load(spelling: 'snake' | 'camel') {
  const text = config(spelling === 'snake' ? (s) => s : camel);
  if (spelling === 'camel') assert.doesNotMatch(text, /\b(fixed_delay|allow_origin_string_match|header_abort|typed_per_filter_config)\b/);
  const r = loadConfig(text, `${spelling}.yaml`);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], spelling);
  const hcm = r.config!.listeners![0]!.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
  return { hcm, table: compileRouteConfig(hcm.route_config!, { file: `${spelling}.yaml` }).table };
}

/** Every request below, through the decoded config's fault and CORS filters; what each did. */
function behaviour(spelling: 'snake' | 'camel', runtime: Record<string, unknown> = {}) {
  const { hcm, table } = load(spelling);
  const store = new StatsStore();
  const timers = new ManualTimers();
  const ctx = factoryContext(store, hcm, runtime);
  const typed = (name: string): Any => hcm.http_filters!.find((f) => f.name === name)!.typed_config!;
  const fault = createFaultFilterFactory(typed('my-fault'), ctx, { timers });
  const cors = createCorsFilterFactory(typed('my-cors'), ctx);
  const out: unknown[] = [];
  const run = (method: string, path: string, headers: Record<string, string>, random = 0) => {
    const req = request(path, headers, method);
    const decision: RouteDecision = route(table, req, 0);
    const cb = new FakeCallbacks(req, store);
    cb.routeDecision = decision;
    cb.perFilter = { ...(decision.kind === 'forward' ? decision.perFilterConfig : {}) };
    cb.randomValues = [random];
    const c = cors().decoder as StreamFilter;
    c.setDecoderFilterCallbacks(cb);
    c.setEncoderFilterCallbacks(cb);
    const corsStatus = c.decodeHeaders(cb.requestHeaders, true);
    let faultStatus: string | undefined;
    if (corsStatus === 'Continue') {
      const f = fault().decoder!;
      f.setDecoderFilterCallbacks(cb);
      faultStatus = f.decodeHeaders(cb.requestHeaders, true);
      timers.fireAll();
      f.onDestroy();
    }
    const resp = { status: 200, headers: {} as Record<string, string> };
    c.encodeHeaders(resp, true);
    out.push({
      method,
      path,
      headers,
      corsStatus,
      faultStatus,
      encoded: cb.encoded,
      localReplies: cb.localReplies.map((l) => [l.status, l.details]),
      flags: cb.streamInfo.responseFlags,
      delays: [...timers.pending.values()].map((t) => t.ms),
      responseHeaders: resp.headers,
    });
  };
  const ui = { origin: 'https://app.example.com' };
  run('OPTIONS', '/', { ...ui, 'access-control-request-method': 'PUT', 'access-control-request-private-network': 'true' });
  run('OPTIONS', '/per-route', { origin: 'https://x.trusted.io', 'access-control-request-method': 'PUT' });
  run('OPTIONS', '/', { origin: 'https://evil.com', 'access-control-request-method': 'GET' });
  run('GET', '/', ui);
  run('GET', '/no-cors', ui);
  run('GET', '/', { 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-a' }, 4999);
  run('GET', '/', { 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-a' }, 5000);
  run('GET', '/', { 'x-fault': 'no', 'x-envoy-downstream-service-node': 'node-a' });
  run('GET', '/', { 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-b' });
  run('GET', '/per-route', { 'x-envoy-fault-abort-request': '503' });
  const stats = ['cors.origin_valid', 'cors.origin_invalid', 'fault.delays_injected', 'fault.aborts_injected'].map((n) => store.counterValue(`http.ingress.${n}`));
  return { hcm, out, stats };
}

test('camelCase fault/cors config decodes to the same snake_case messages', () => {
  const snake = load('snake').hcm;
  const camelHcm = load('camel').hcm;
  assert.deepEqual(camelHcm.http_filters, snake.http_filters);
  assert.deepEqual(camelHcm.route_config, snake.route_config);
  const f = snake.http_filters![1]!.typed_config as Record<string, unknown>;
  assert.deepEqual(f['delay'], { fixed_delay: 1500, percentage: { numerator: 5000, denominator: 'TEN_THOUSAND' } });
});

test('camelCase fault/cors config loaded through loadConfig behaves like the snake_case one', () => {
  const snake = behaviour('snake');
  const camelB = behaviour('camel');
  assert.deepEqual(camelB.out, snake.out);
  assert.deepEqual(camelB.stats, snake.stats);
  // The run exercised what it claims (snake_case expectations).
  const o = snake.out as Array<Record<string, unknown>>;
  assert.deepEqual((o[0]!.encoded as Array<{ headers: unknown }>)[0]!.headers, {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET',
    'access-control-allow-headers': 'x-token',
    'access-control-max-age': '60',
    'access-control-allow-private-network': 'true',
    'content-length': 0,
  });
  assert.equal(((o[1]!.encoded as Array<{ headers: Record<string, string> }>)[0]!.headers)['access-control-allow-methods'], 'PUT');
  assert.deepEqual([o[2]!.corsStatus, (o[2]!.encoded as Array<{ status: number }>)[0]?.status], ['StopIteration', 200]);
  assert.deepEqual(o[3]!.responseHeaders, { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-trace' });
  assert.deepEqual(o[4]!.responseHeaders, {});
  assert.deepEqual([o[5]!.flags, o[5]!.localReplies], [['DI', 'FI'], [[429, 'fault_filter_abort']]]);
  assert.deepEqual([o[6]!.flags, o[6]!.localReplies], [['FI'], [[429, 'fault_filter_abort']]]);
  assert.deepEqual([o[7]!.faultStatus, o[8]!.faultStatus], ['Continue', 'Continue']);
  assert.deepEqual(o[9]!.localReplies, [[503, 'fault_filter_abort']]);
  assert.deepEqual(snake.stats, [3, 1, 1, 3]);
});

test('camelCase config: runtime overrides keyed by the decoded *_runtime fields', () => {
  const snake = behaviour('snake', { 'my.abort.status': 418, 'cors.on': 0 });
  const camelB = behaviour('camel', { 'my.abort.status': 418, 'cors.on': 0 });
  assert.deepEqual(camelB.out, snake.out);
  const o = snake.out as Array<Record<string, unknown>>;
  assert.deepEqual(o[6]!.localReplies, [[418, 'fault_filter_abort']]);
  // filter_enabled off by runtime, shadow on: the preflight is not answered.
  assert.equal(o[0]!.corsStatus, 'Continue');
});

test('a TypedStruct-wrapped HTTPFault (not decoded by the loader) is refused, not run as an empty fault', () => {
  const typed = {
    '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
    type_url: FAULT,
    value: { abort: { httpStatus: 503, percentage: { numerator: 100 } } },
  } as Any;
  const ctx = factoryContext(new StatsStore(), { http_filters: [{ name: 'f', typed_config: typed }] });
  assert.throws(() => createFaultFilterFactory(typed, ctx), /udpa\.type\.v1\.TypedStruct is not decoded by tsproxy/);
});
