// GET /clusters (text, json), /listeners, /server_info, /memory, /help, unknown paths, the admin
// access log and admin stats — over the admin listener of a real startServer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminProxy, type AdminProxy } from './admin_harness.js';

const logDir = mkdtempSync(join(tmpdir(), 'tsproxy-admin-'));
const logFile = join(logDir, 'admin.log');
let p: AdminProxy;
before(async () => {
  p = await startAdminProxy({
    adminYaml: `admin:
  address: {socket_address: {address: 127.0.0.1, port_value: 0}}
  access_log:
  - name: envoy.access_loggers.file
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
      path: ${logFile}
      log_format: {text_format: "%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%\\n"}
`,
    options: { admin: { commandLineOptions: { version: 'tsproxy/test', config_path: 'admin-test.yaml', log_level: 'info' } } },
  });
  await p.traffic('/a');
  await p.traffic('/b');
});
after(() => p.close());

test('/clusters text: Envoy lines per cluster and host', async () => {
  const r = await p.admin('/clusters');
  const host = `web::127.0.0.1:${p.upstream.port}`;
  const lines = r.body.trimEnd().split('\n');
  for (const l of [
    'web::observability_name::web',
    'web::default_priority::max_connections::1024',
    'web::default_priority::max_pending_requests::1024',
    'web::default_priority::max_requests::1024',
    'web::default_priority::max_retries::3',
    'web::high_priority::max_connections::1024',
    'web::added_via_api::false',
    `${host}::cx_active::1`,
    `${host}::cx_connect_fail::0`,
    `${host}::cx_total::1`,
    `${host}::rq_active::0`,
    `${host}::rq_total::2`,
    `${host}::health_flags::healthy`,
    `${host}::weight::1`,
    `${host}::region::eu`,
    `${host}::zone::eu-1a`,
    `${host}::priority::0`,
    `${host}::success_rate::-1`,
  ]) {
    assert.ok(lines.includes(l), `${l}\n${r.body}`);
  }
});

test('/clusters?format=json: cluster_statuses with circuit breakers, host stats and health', async () => {
  const r = await p.admin('/clusters?format=json');
  assert.equal(r.headers['content-type'], 'application/json');
  const doc = JSON.parse(r.body) as { cluster_statuses: Array<Record<string, any>> };
  const c = doc.cluster_statuses[0]!;
  assert.equal(c['name'], 'web');
  assert.deepEqual(c['circuit_breakers'].thresholds[0], { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 });
  assert.equal(c['circuit_breakers'].thresholds[1].priority, 'HIGH');
  assert.equal(c['added_via_api'], undefined, 'false is omitted');
  const h = c['host_statuses'][0];
  assert.deepEqual(h.address, { socket_address: { address: '127.0.0.1', port_value: p.upstream.port } });
  assert.deepEqual(h.locality, { region: 'eu', zone: 'eu-1a' });
  assert.deepEqual(h.health_status, { eds_health_status: 'HEALTHY' });
  assert.deepEqual(h.stats.find((s: { name: string }) => s.name === 'rq_total'), { name: 'rq_total', value: 2 });
  assert.deepEqual(h.stats.find((s: { name: string }) => s.name === 'cx_active'), { name: 'cx_active', value: 1, type: 'GAUGE' });
  assert.equal(h.weight, 1);
});

test('/listeners text and json name the traffic listener only (not the admin one)', async () => {
  assert.equal((await p.admin('/listeners')).body, `ingress::127.0.0.1:${p.port}\n`);
  const j = JSON.parse((await p.admin('/listeners?format=json')).body) as unknown;
  assert.deepEqual(j, { listener_statuses: [{ name: 'ingress', local_address: { socket_address: { address: '127.0.0.1', port_value: p.port } } }] });
});

test('/server_info: version, state, uptime, command line options', async () => {
  const info = JSON.parse((await p.admin('/server_info')).body) as Record<string, any>;
  assert.equal(info['version'], 'tsproxy/test');
  assert.equal(info['state'], 'LIVE');
  assert.match(info['uptime_current_epoch'], /^\d+s$/);
  assert.equal(info['uptime_all_epochs'], info['uptime_current_epoch']);
  assert.deepEqual(info['command_line_options'], { config_path: 'admin-test.yaml', log_level: 'info' });
  assert.equal(info['hot_restart_version'], 'disabled');
});

test('/memory: envoy.admin.v3.Memory fields as uint64 strings', async () => {
  const m = JSON.parse((await p.admin('/memory')).body) as Record<string, string>;
  for (const k of ['allocated', 'heap_size', 'pageheap_unmapped', 'pageheap_free', 'total_thread_cache', 'total_physical_bytes']) {
    assert.match(m[k] ?? '', /^\d+$/, k);
  }
  assert.ok(Number(m['allocated']) > 0);
});

test('/help lists every endpoint in order; an unknown path is 404 "invalid path." plus the help', async () => {
  const help = (await p.admin('/help')).body;
  assert.ok(help.startsWith('admin commands are:\n'));
  const paths = [...help.matchAll(/^ {2}(\/\S*?)(?: \(POST\))?: /gm)].map((m) => m[1]!);
  assert.deepEqual(paths, [
    '/certs', '/clusters', '/config_dump', '/drain_listeners', '/healthcheck/fail', '/healthcheck/ok', '/help', '/listeners', '/logging', '/memory',
    '/quitquitquit', '/ready', '/reset_counters', '/runtime', '/runtime_modify', '/server_info', '/stats', '/stats/prometheus',
  ]);
  const r = await p.admin('/statz');
  assert.equal(r.status, 404);
  assert.equal(r.body, `invalid path. ${help}`);
  assert.equal((await p.admin('/stats/')).status, 404, 'paths match exactly');
});

test('admin requests are counted under http.admin / listener.admin and written to the admin access log', async () => {
  await p.admin('/ready?probe=1');
  const stats = (await p.admin('/stats?filter=%5E(http%7Clistener)%5C.admin%5C.downstream_(rq_total%7Crq_2xx%7Ccx_total)')).body;
  assert.match(stats, /^http\.admin\.downstream_rq_2xx: [1-9]\d*$/m);
  assert.match(stats, /^http\.admin\.downstream_rq_total: [1-9]\d*$/m);
  assert.match(stats, /^listener\.admin\.downstream_cx_total: [1-9]\d*$/m);
  let log = '';
  for (let i = 0; i < 100 && !log.includes('GET /ready?probe=1 200'); i++) {
    await new Promise((r) => setTimeout(r, 10));
    log = readFileSync(logFile, 'utf8');
  }
  assert.match(log, /^GET \/ready\?probe=1 200$/m);
  assert.doesNotMatch(log, /^GET \/a /m, 'traffic is not in the admin log');
});
