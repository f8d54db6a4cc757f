// Response flags derived from Envoy's counters: each flag reads the counter Envoy increments
// where it sets the flag, summed over clusters or connection managers, with its busiest scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESPONSE_FLAG_SOURCES, flagStatNames, readFlags, topFlags } from '../../../src/tui/model/response_flags.js';
import { buildView } from '../../../src/tui/model/view.js';
import { envoySample } from '../canned_admin.js';
import { sample } from './helpers.js';

const source = (flag: string) => RESPONSE_FLAG_SOURCES.find((s) => s.flag === flag)!;

test('the flag table maps each flag to the counters Envoy moves with it', () => {
  const map = Object.fromEntries(RESPONSE_FLAG_SOURCES.map((s) => [s.flag, `${s.scope}:${s.stats.join('+')}`]));
  assert.deepEqual(map, {
    NR: 'http:no_route',
    NC: 'http:no_cluster',
    UH: 'cluster:upstream_cx_none_healthy',
    UF: 'cluster:upstream_cx_connect_fail',
    UO: 'cluster:upstream_rq_pending_overflow+upstream_rq_active_overflow+upstream_rq_maintenance_mode',
    UT: 'cluster:upstream_rq_timeout',
    URX: 'cluster:upstream_rq_retry_limit_exceeded',
    UC: 'cluster:upstream_cx_destroy_remote_with_active_rq',
    UR: 'cluster:upstream_rq_rx_reset',
    UPE: 'cluster:upstream_cx_protocol_error',
    UMSDR: 'cluster:upstream_rq_max_duration_reached',
    DC: 'http:downstream_cx_destroy_remote_active_rq+downstream_rq_rx_reset',
    DPE: 'http:downstream_cx_protocol_error',
    SI: 'http:downstream_rq_idle_timeout',
    DT: 'http:downstream_rq_max_duration_reached',
    FI: 'http:fault.aborts_injected',
    DI: 'http:fault.delays_injected',
  });
  assert.deepEqual(flagStatNames(source('UO'), 'web'), ['cluster.web.upstream_rq_pending_overflow', 'cluster.web.upstream_rq_active_overflow', 'cluster.web.upstream_rq_maintenance_mode']);
  assert.deepEqual(flagStatNames(source('FI'), 'ingress'), ['http.ingress.fault.aborts_injected']);
});

test('rates sum every scope; totals are the counters now; the busiest scope is named', () => {
  const a = sample(0, { 'cluster.a.upstream_cx_none_healthy': 10, 'cluster.b.upstream_cx_none_healthy': 100, 'http.in.no_route': 3 });
  const b = sample(2000, { 'cluster.a.upstream_cx_none_healthy': 16, 'cluster.b.upstream_cx_none_healthy': 102, 'http.in.no_route': 3 });
  const flags = readFlags(a, b, 2, ['a', 'b'], ['in']);
  const uh = flags.find((f) => f.source.flag === 'UH')!;
  assert.deepEqual([uh.rate, uh.total, uh.topScope], [4, 118, 'a']);
  const nr = flags.find((f) => f.source.flag === 'NR')!;
  assert.deepEqual([nr.rate, nr.total, nr.topScope], [0, 3, 'in'], 'quiet now: the scope with the most since start');
  const nc = flags.find((f) => f.source.flag === 'NC')!;
  assert.deepEqual([nc.rate, nc.total, nc.topScope], [0, 0, undefined]);
});

test('first poll: no rates, totals still count; topFlags orders by rate then total and drops unseen flags', () => {
  const first = readFlags(undefined, sample(0, { 'cluster.a.upstream_rq_timeout': 5, 'http.in.no_route': 9 }), null, ['a'], ['in']);
  assert.ok(first.every((f) => f.rate === null));
  assert.deepEqual(topFlags(first, 10).map((f) => f.source.flag), ['NR', 'UT']);
  const v = buildView(envoySample(0, 0), envoySample(1, 1000));
  assert.deepEqual(
    topFlags(v.flags, 10).map((f) => [f.source.flag, f.rate, f.total, f.topScope]),
    [
      ['UH', 5, 1505, 'auth'],
      ['UT', 2, 302, 'payments'],
      ['NR', 2, 42, 'ingress_http'],
      ['UF', 2, 9, 'web'],
      ['UO', 1, 51, 'payments'],
      ['URX', 1, 21, 'payments'],
      ['DC', 1, 13, 'ingress_http'],
    ],
  );
  assert.equal(topFlags(v.flags, 3).length, 3);
});
