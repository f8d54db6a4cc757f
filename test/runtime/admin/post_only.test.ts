// The POST-only rule (GET is 405 and changes nothing) for every endpoint that mutates state, and
// what each does with POST: /reset_counters, /runtime_modify (maintenance mode, fault abort
// percentage, route runtime fraction — seen by the next request), /healthcheck/fail|ok (/ready),
// /logging, /drain_listeners, /quitquitquit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLevel } from '../../../src/runtime/server.js';
import { request } from '../http/harness.js';
import { startAdminProxy } from './admin_harness.js';

const MUTATING = ['/reset_counters', '/runtime_modify?a=b', '/healthcheck/fail', '/healthcheck/ok', '/logging?level=debug', '/drain_listeners', '/quitquitquit'];

test('GET on every mutating endpoint is 405 and changes nothing', async () => {
  let level: LogLevel = 'info';
  const p = await startAdminProxy({ options: { logger: { log: () => {}, level: () => level, setLevel: (l) => (level = l) } } });
  try {
    assert.equal((await p.traffic('/')).status, 200);
    const before = (await p.admin('/stats?filter=upstream_rq_200')).body;
    for (const path of MUTATING) {
      for (const method of ['GET', 'PUT', 'HEAD']) {
        const r = await p.admin(path, method);
        assert.equal(r.status, 405, `${method} ${path}`);
        if (method === 'GET') assert.equal(r.body, 'Method GET not allowed, POST required.');
      }
    }
    assert.equal((await p.admin('/stats?filter=upstream_rq_200')).body, before, 'counters not reset');
    assert.match(before, /: 1\n$/);
    assert.doesNotMatch((await p.admin('/runtime')).body, /"a"/, 'runtime unchanged');
    assert.equal((await p.admin('/ready')).body, 'LIVE\n', 'health check not failed');
    assert.equal(level, 'info', 'log level unchanged');
    assert.equal((await p.traffic('/')).status, 200, 'listeners not drained, server not stopped');
    const help = (await p.admin('/help')).body;
    for (const path of MUTATING) assert.ok(help.includes(`  ${path.split('?')[0]} (POST): `), path);
  } finally {
    await p.close();
  }
});

test('POST /reset_counters zeroes counters (gauges and histograms untouched); usedonly still lists them', async () => {
  const p = await startAdminProxy();
  try {
    await p.traffic('/');
    const r = await p.admin('/reset_counters', 'POST');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'OK\n');
    const stats = (await p.admin('/stats?usedonly&filter=cluster%5C.web%5C.upstream_(rq_200|cx_active|rq_time)')).body;
    assert.match(stats, /^cluster\.web\.upstream_rq_200: 0$/m);
    assert.match(stats, /^cluster\.web\.upstream_cx_active: 1$/m);
    assert.match(stats, /^cluster\.web\.upstream_rq_time: P0\(/m);
  } finally {
    await p.close();
  }
});

test('POST /runtime_modify changes maintenance mode, fault percentages and route fractions for the next request', async () => {
  const p = await startAdminProxy({
    filters: `- name: envoy.filters.http.fault
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
    abort: {http_status: 418, percentage: {numerator: 0, denominator: HUNDRED}}`,
    routes: `- match: {prefix: "/canary", runtime_fraction: {default_value: {numerator: 0, denominator: HUNDRED}, runtime_key: routing.canary}}
  direct_response: {status: 299}`,
  });
  try {
    assert.equal((await p.traffic('/')).status, 200);
    assert.equal((await p.traffic('/canary')).status, 200, 'fraction 0: falls through to web');

    assert.equal((await p.admin('/runtime_modify?upstream.maintenance_mode.web=100', 'POST')).body, 'OK\n');
    const m = await p.traffic('/');
    assert.equal(m.status, 503);
    assert.equal(m.headers['x-envoy-overloaded'], 'true');
    assert.match((await p.admin('/stats?filter=upstream_rq_maintenance_mode')).body, /: 1\n/);
    // Form values work too; "" removes the override.
    assert.equal((await p.admin('/runtime_modify', 'POST', 'upstream.maintenance_mode.web=', { 'content-type': 'application/x-www-form-urlencoded' })).status, 200);
    assert.equal((await p.traffic('/')).status, 200);

    await p.admin('/runtime_modify?fault.http.abort.abort_percent=100', 'POST');
    assert.equal((await p.traffic('/')).status, 418);
    await p.admin('/runtime_modify?fault.http.abort.abort_percent=', 'POST');
    assert.equal((await p.traffic('/')).status, 200);

    await p.admin('/runtime_modify?routing.canary=100', 'POST');
    assert.equal((await p.traffic('/canary')).status, 299);

    const rt = JSON.parse((await p.admin('/runtime')).body) as { layers: string[]; entries: Record<string, { final_value: string; layer_values: string[] }> };
    assert.deepEqual(rt.layers, ['base', 'admin']);
    assert.deepEqual(rt.entries['routing.canary'], { final_value: '100', layer_values: ['', '100'] });
    assert.equal(rt.entries['upstream.maintenance_mode.web'], undefined);
    assert.equal((await p.admin('/runtime_modify', 'POST')).status, 400);
  } finally {
    await p.close();
  }
});

test('layered_runtime without an admin layer: runtime_modify is 503 "No admin layer specified"; static layers listed', async () => {
  const p = await startAdminProxy({ bootstrapExtra: 'layered_runtime:\n  layers:\n  - name: static\n    static_layer: {upstream: {maintenance_mode: {web: 0}}}' });
  try {
    const r = await p.admin('/runtime_modify?x=1', 'POST');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'No admin layer specified');
    const rt = JSON.parse((await p.admin('/runtime')).body) as { layers: string[]; entries: Record<string, unknown> };
    assert.deepEqual(rt.layers, ['static']);
    assert.deepEqual(rt.entries['upstream.maintenance_mode.web'], { final_value: '0', layer_values: ['0'] });
  } finally {
    await p.close();
  }
});

test('POST /healthcheck/fail turns /ready into 503 DRAINING; /healthcheck/ok back to 200 LIVE', async () => {
  const p = await startAdminProxy();
  try {
    assert.deepEqual([(await p.admin('/ready')).status, (await p.admin('/ready')).body], [200, 'LIVE\n']);
    assert.equal((await p.admin('/healthcheck/fail', 'POST')).body, 'OK\n');
    const r = await p.admin('/ready');
    assert.deepEqual([r.status, r.body], [503, 'DRAINING\n']);
    assert.match((await p.admin('/stats?filter=server.live')).body, /^server\.live: 0$/m);
    assert.equal((JSON.parse((await p.admin('/server_info')).body) as { state: string }).state, 'DRAINING');
    await p.admin('/healthcheck/ok', 'POST');
    assert.equal((await p.admin('/ready')).status, 200);
  } finally {
    await p.close();
  }
});

test('POST /logging lists and changes the level; an unknown level or logger is 404 with usage', async () => {
  let level: LogLevel = 'info';
  const p = await startAdminProxy({ options: { logger: { log: () => {}, level: () => level, setLevel: (l) => (level = l) } } });
  try {
    assert.equal((await p.admin('/logging', 'POST')).body, 'active loggers:\n  tsproxy: info\n');
    assert.equal((await p.admin('/logging?level=debug', 'POST')).body, 'active loggers:\n  tsproxy: debug\n');
    assert.equal(level, 'debug');
    await p.admin('/logging?paths=tsproxy:warning', 'POST');
    assert.equal(level, 'warn');
    const bad = await p.admin('/logging?level=loud', 'POST');
    assert.equal(bad.status, 404);
    assert.match(bad.body, /^usage: \/logging\?<name>=<level>/);
    assert.equal(level, 'warn');
  } finally {
    await p.close();
  }
});

test('POST /drain_listeners stops the traffic listener; the admin listener keeps answering', async () => {
  const p = await startAdminProxy();
  try {
    assert.equal((await p.traffic('/')).status, 200);
    assert.equal((await p.admin('/drain_listeners?inboundonly', 'POST')).body, 'OK\n');
    await assert.rejects(request(p.port, '/'), /ECONNREFUSED/);
    assert.equal((await p.admin('/ready')).status, 200);
  } finally {
    await p.close();
  }
});

test('POST /drain_listeners?graceful reports DRAINING, then closes the listener after the drain time', async () => {
  const p = await startAdminProxy({ options: { admin: { drainTimeMs: 400 } } });
  try {
    await p.admin('/drain_listeners?graceful', 'POST');
    assert.equal((await p.admin('/ready')).body, 'DRAINING\n');
    assert.equal((await p.traffic('/')).status, 200, 'still accepting during the drain period');
    let refused = false;
    for (let i = 0; i < 300 && !refused; i++) {
      await new Promise((r) => setTimeout(r, 10));
      refused = await request(p.port, '/').then(() => false, () => true);
    }
    assert.ok(refused);
  } finally {
    await p.close();
  }
});

test('POST /quitquitquit answers OK, then the server stops (RunningServer.stopped resolves)', async () => {
  const p = await startAdminProxy();
  const r = await p.admin('/quitquitquit', 'POST');
  assert.deepEqual([r.status, r.body], [200, 'OK\n']);
  await Promise.race([p.server.stopped, new Promise((_r, reject) => setTimeout(() => reject(new Error('not stopped')), 3000))]);
  await assert.rejects(request(p.port, '/'));
  await assert.rejects(p.admin('/ready'));
  await p.upstream.close();
});
