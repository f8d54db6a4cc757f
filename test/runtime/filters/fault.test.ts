import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { compileFaultConfig, createFaultFilterFactory, FAULT_TYPE_URL } from '../../../src/runtime/filters/fault.js';
import type { Any } from '../../../src/config/types.js';
import type { HTTPFault } from '../../../src/config/extension_types.js';
import { loadConfig } from '../../../src/config/load.js';
import type { ForwardDecision } from '../../../src/core/route_types.js';
import { FakeCallbacks, factoryContext, ManualTimers, request } from './fake_callbacks.js';

function setup(config: Record<string, unknown>, opts: { runtime?: Record<string, unknown>; filterName?: string } = {}) {
  const store = new StatsStore();
  const timers = new ManualTimers();
  const typed = { '@type': FAULT_TYPE_URL, ...config } as Any;
  const ctx = factoryContext(store, { http_filters: [{ name: opts.filterName ?? 'envoy.filters.http.fault', typed_config: typed }] }, opts.runtime ?? {});
  const factory = createFaultFilterFactory(typed, ctx, { timers });
  const run = (headers: Record<string, string> = {}, setupCb?: (cb: FakeCallbacks) => void) => {
    const cb = new FakeCallbacks(request('/x', headers), store);
    setupCb?.(cb);
    const f = factory().decoder!;
    f.setDecoderFilterCallbacks(cb);
    const status = f.decodeHeaders(cb.requestHeaders, true);
    return { cb, f, status };
  };
  const counter = (n: string) => store.counterValue(`http.ingress.fault.${n}`);
  const active = () => store.gaugeValue('http.ingress.fault.active_faults');
  return { store, timers, run, counter, active };
}

test('abort 100%: local reply 503 "fault filter abort", FI, aborts_injected', () => {
  const s = setup({ abort: { http_status: 503, percentage: { numerator: 100 } } });
  const { cb, f, status } = s.run();
  assert.equal(status, 'StopIteration');
  assert.deepEqual(cb.localReplies.map((r) => [r.status, r.body, r.details]), [[503, 'fault filter abort', 'fault_filter_abort']]);
  assert.deepEqual(cb.streamInfo.responseFlags, ['FI']);
  assert.equal(s.counter('aborts_injected'), 1);
  assert.equal(s.active(), 1);
  f.onDestroy();
  assert.equal(s.active(), 0);
});

test('abort percentage uses the injected random value: random % denominator < numerator', () => {
  const s = setup({ abort: { http_status: 500, percentage: { numerator: 30, denominator: 'HUNDRED' } } });
  assert.equal(s.run({}, (cb) => (cb.randomValues = [129])).status, 'StopIteration'); // 29 < 30
  assert.equal(s.run({}, (cb) => (cb.randomValues = [130])).status, 'Continue'); // 30
  assert.equal(s.counter('aborts_injected'), 1);
});

test('absent percentage means never (proto default numerator 0)', () => {
  const s = setup({ abort: { http_status: 500 } });
  assert.equal(s.run().status, 'Continue');
});

test('fixed delay: StopIteration, DI, continueDecoding from the timer', () => {
  const s = setup({ delay: { fixed_delay: 200, percentage: { numerator: 100 } } });
  const { cb, f, status } = s.run();
  assert.equal(status, 'StopIteration');
  assert.deepEqual(cb.streamInfo.responseFlags, ['DI']);
  assert.equal(s.counter('delays_injected'), 1);
  assert.equal([...s.timers.pending.values()][0]!.ms, 200);
  assert.equal(cb.continued, 0);
  s.timers.fireAll();
  assert.equal(cb.continued, 1);
  assert.equal(s.active(), 1);
  f.onDestroy();
  assert.equal(s.active(), 0);
});

test('camelCase config with a Duration string, as loadConfig decodes it', () => {
  const r = loadConfig(
    `virtualHosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: c}, typedPerFilterConfig: {f: {"@type": ${FAULT_TYPE_URL}, delay: {fixedDelay: 1.5s, percentage: {numerator: 100}}}}}]}]`,
    'r.yaml',
  );
  assert.deepEqual(r.diagnostics, []);
  const typed = r.config!.routeConfigurations[0]!.virtual_hosts![0]!.routes![0]!.typed_per_filter_config!['f']!;
  const c = compileFaultConfig(typed as HTTPFault);
  assert.equal(c.delay!.fixedMs, 1500);
  assert.deepEqual(c.delay!.percentage, { numerator: 100, denominator: 100 });
});

test('delay then abort: abort evaluated after the delay; one active fault', () => {
  const s = setup({ delay: { fixed_delay: 10, percentage: { numerator: 100 } }, abort: { http_status: 429, percentage: { numerator: 100 } } });
  const { cb } = s.run();
  assert.equal(cb.localReplies.length, 0);
  s.timers.fireAll();
  assert.equal(cb.continued, 0);
  assert.equal(cb.localReplies[0]!.status, 429);
  assert.deepEqual(cb.streamInfo.responseFlags, ['DI', 'FI']);
  assert.equal(s.active(), 1);
});

test('onDestroy during a delay cancels the timer', () => {
  const s = setup({ delay: { fixed_delay: 10, percentage: { numerator: 100 } } });
  const { cb, f } = s.run();
  f.onDestroy();
  assert.equal(s.timers.pending.size, 0);
  assert.equal(cb.continued, 0);
});

test('header_abort and header_delay read x-envoy-fault-* headers', () => {
  const s = setup({ abort: { header_abort: {}, percentage: { numerator: 100 } } });
  assert.equal(s.run().status, 'Continue'); // no header, no abort
  assert.equal(s.run({ 'x-envoy-fault-abort-request': '418' }).cb.localReplies[0]!.status, 418);
  assert.equal(s.run({ 'x-envoy-fault-abort-request': '600' }).status, 'Continue'); // out of range
  // Header percentage may lower the configured percentage.
  assert.equal(s.run({ 'x-envoy-fault-abort-request': '500', 'x-envoy-fault-abort-request-percentage': '0' }).status, 'Continue');

  const d = setup({ delay: { header_delay: {}, percentage: { numerator: 100 } } });
  const r = d.run({ 'x-envoy-fault-delay-request': '25' });
  assert.equal(r.status, 'StopIteration');
  assert.equal([...d.timers.pending.values()][0]!.ms, 25);
  assert.equal(d.run({}).status, 'Continue');
});

test('headers matchers, downstream_nodes and upstream_cluster restrict faults', () => {
  const s = setup({
    abort: { http_status: 503, percentage: { numerator: 100 } },
    headers: [{ name: 'x-fault', string_match: { exact: 'yes' } }],
    downstream_nodes: ['node-a'],
    upstream_cluster: 'web',
  });
  const fwd = (cluster: string) => (cb: FakeCallbacks) => {
    cb.routeDecision = { kind: 'forward', cluster } as unknown as ForwardDecision;
  };
  assert.equal(s.run({ 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-a' }, fwd('web')).status, 'StopIteration');
  assert.equal(s.run({ 'x-fault': 'no', 'x-envoy-downstream-service-node': 'node-a' }, fwd('web')).status, 'Continue');
  assert.equal(s.run({ 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-b' }, fwd('web')).status, 'Continue');
  assert.equal(s.run({ 'x-fault': 'yes' }, fwd('web')).status, 'Continue');
  assert.equal(s.run({ 'x-fault': 'yes', 'x-envoy-downstream-service-node': 'node-a' }, fwd('api')).status, 'Continue');
});

test('max_active_faults: overflow skips the fault and counts faults_overflow', () => {
  const s = setup({ delay: { fixed_delay: 10, percentage: { numerator: 100 } }, max_active_faults: 1 });
  const first = s.run();
  assert.equal(first.status, 'StopIteration');
  assert.equal(s.run().status, 'Continue');
  assert.equal(s.counter('faults_overflow'), 1);
  first.f.onDestroy();
  assert.equal(s.run().status, 'StopIteration');
});

test('per-route typed_per_filter_config replaces the filter config; FilterConfig disabled turns it off', () => {
  const s = setup({ abort: { http_status: 503, percentage: { numerator: 100 } } }, { filterName: 'my-fault' });
  const perRoute = { '@type': FAULT_TYPE_URL, abort: { http_status: 502, percentage: { numerator: 100 } } } as Any;
  assert.equal(s.run({}, (cb) => (cb.perFilter = { 'my-fault': perRoute })).cb.localReplies[0]!.status, 502);
  assert.equal(s.run({}, (cb) => (cb.perFilter = { 'envoy.filters.http.fault': perRoute })).cb.localReplies[0]!.status, 502);
  const disabled = { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true } as Any;
  assert.equal(s.run({}, (cb) => (cb.perFilter = { 'my-fault': disabled })).status, 'Continue');
});

test('runtime overrides and downstream cluster stats', () => {
  const s = setup(
    { abort: { http_status: 503, percentage: { numerator: 0 } } },
    { runtime: { 'fault.http.abort.abort_percent': 100, 'fault.http.abort.http_status': 504 } },
  );
  const { cb } = s.run({ 'x-envoy-downstream-service-cluster': 'frontend' });
  assert.equal(cb.localReplies[0]!.status, 504);
  assert.equal(s.store.counterValue('http.ingress.fault.frontend.aborts_injected'), 1);
});

test('invalid configs throw readable errors', () => {
  assert.throws(() => compileFaultConfig({ abort: { http_status: 700 } }), /http_status must be in \[200, 600\)/);
  assert.throws(() => compileFaultConfig({ abort: {} }), /needs http_status, grpc_status or header_abort/);
  assert.throws(() => compileFaultConfig({ delay: {} }), /needs fixed_delay or header_delay/);
  assert.throws(() => compileFaultConfig({ response_rate_limit: {} }), /not implemented/);
});

test('gRPC abort: trailers-only reply (200, grpc-status, grpc-message), from config or header', () => {
  const s = setup({ abort: { grpc_status: 14, percentage: { numerator: 100 } } });
  const r = s.run({ 'content-type': 'application/grpc' }).cb.localReplies[0]!;
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.deepEqual(r.options?.headers, [
    ['content-type', 'application/grpc'],
    ['grpc-status', '14'],
    ['grpc-message', 'fault filter abort'],
  ]);
  assert.equal(r.options?.flag, 'FI');
  const h = setup({ abort: { header_abort: {}, percentage: { numerator: 100 } } });
  const hr = h.run({ 'x-envoy-fault-abort-grpc-request': '4' }).cb.localReplies[0]!;
  assert.equal(hr.status, 200);
  assert.deepEqual(hr.options?.headers?.[1], ['grpc-status', '4']);
  // The HTTP header wins when both are present.
  assert.equal(h.run({ 'x-envoy-fault-abort-grpc-request': '4', 'x-envoy-fault-abort-request': '502' }).cb.localReplies[0]!.status, 502);
});
