/**
 * `tsproxy match|explain --admin URL` against a real running tsproxy (startServer, admin on
 * 127.0.0.1:0): the config comes from its /config_dump, the live facts from /clusters and /stats.
 * The CLI is spawned asynchronously (the server runs in this process).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type RunningServer } from '../../src/runtime/server.js';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT } from './run_cli.js';

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(ROOT + 'docs/report.schema.json', 'utf8')) as object);

/** Parses a --json report and checks it against docs/report.schema.json (the `live` field included). */
function report(stdout: string): any {
  const j = JSON.parse(stdout);
  assert.ok(validate(j), JSON.stringify(validate.errors));
  return j;
}

function runCliAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/tsproxy.js', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const ep = (port: number, health?: string): string =>
  `{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}}${health ? `, health_status: ${health}` : ''}}`;

function bootstrap(webPort: number, slowPort: number): string {
  return `admin:
  address: {socket_address: {address: 127.0.0.1, port_value: 0}}
static_resources:
  listeners:
  - name: ingress
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          route_config:
            name: local_routes
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - {match: {prefix: /empty}, route: {cluster: empty}}
              - {match: {prefix: /down}, route: {cluster: down}}
              - {match: {prefix: /panic}, route: {cluster: panicky}}
              - {match: {prefix: /slow}, route: {cluster: slow, timeout: 0s}}
              - {match: {prefix: /}, route: {cluster: web}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:
  - name: web
    connect_timeout: 1s
    load_assignment: {cluster_name: web, endpoints: [{lb_endpoints: [${ep(webPort)}]}]}
  - name: empty
    connect_timeout: 1s
    load_assignment: {cluster_name: empty, endpoints: []}
  - name: down
    connect_timeout: 1s
    common_lb_config: {healthy_panic_threshold: {value: 0}}
    load_assignment: {cluster_name: down, endpoints: [{lb_endpoints: [${ep(webPort, 'UNHEALTHY')}]}]}
  - name: panicky
    connect_timeout: 1s
    load_assignment: {cluster_name: panicky, endpoints: [{lb_endpoints: [${ep(webPort, 'UNHEALTHY')}, ${ep(webPort + 0, 'DRAINING')}, ${ep(webPort)}]}]}
  - name: slow
    connect_timeout: 1s
    circuit_breakers: {thresholds: [{max_requests: 1}]}
    load_assignment: {cluster_name: slow, endpoints: [{lb_endpoints: [${ep(slowPort)}]}]}
`;
}

let server: RunningServer;
let web: http.Server;
let slow: net.Server;
const held: net.Socket[] = [];
let admin = '';
let trafficPort = 0;

before(async () => {
  web = http.createServer((_q, s) => s.end('ok'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  // Accepts and never answers: a request to it stays active (max_requests 1 -> rq_open).
  slow = net.createServer((s) => held.push(s));
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const loaded = loadConfig(bootstrap((web.address() as AddressInfo).port, (slow.address() as AddressInfo).port), 'explain-admin.yaml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const started = await startServer(loaded.config);
  assert.ok(started.server, JSON.stringify(started.diagnostics));
  server = started.server;
  admin = `http://127.0.0.1:${server.adminAddress!.port}`;
  trafficPort = server.listeners[0]!.port;
});

after(async () => {
  for (const s of held) s.destroy();
  await server.stop(0);
  web.closeAllConnections();
  await new Promise<void>((r) => web.close(() => r()));
  await new Promise<void>((r) => slow.close(() => r()));
});

test('explain --admin: routes with the running config; a healthy cluster adds its host count and no prediction', async () => {
  const r = await runCliAsync(['explain', '--admin', admin, '--host', 'a.example', '--path', '/x']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`live state \\(${admin.replace(/[.]/g, '\\.')}\\), cluster "web":`));
  assert.match(r.stdout, /1 of 1 host healthy/);
  assert.doesNotMatch(r.stdout, /now: 503/);
});

test('a cluster without hosts: 503 UH no_healthy_upstream now (match --json)', async () => {
  const r = await runCliAsync(['match', '--admin', admin, '--host', 'a', '--path', '/empty', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = report(r.stdout);
  assert.equal(j.action.cluster.name, 'empty');
  assert.equal(j.live.cluster, 'empty');
  assert.deepEqual(j.live.hosts, { total: 0, healthy: 0, degraded: 0 });
  assert.deepEqual(j.live.predicted, { status: 503, response_flag: 'UH', details: 'no_healthy_upstream' });
  // And the proxy agrees.
  const res = await fetch(`http://127.0.0.1:${trafficPort}/empty`);
  assert.equal(res.status, 503);
  assert.equal(await res.text(), 'no healthy upstream');
});

test('every host unhealthy with healthy_panic_threshold 0: UH now, the host and why', async () => {
  const r = await runCliAsync(['explain', '--admin', admin, '--host', 'a', '--path', '/down', '--json']);
  const j = report(r.stdout);
  assert.deepEqual(j.live.predicted, { status: 503, response_flag: 'UH', details: 'no_healthy_upstream' });
  assert.equal(j.live.unhealthy_hosts.length, 1);
  assert.deepEqual(j.live.unhealthy_hosts[0].reasons, ['eds_health:UNHEALTHY']);
  assert.equal((await fetch(`http://127.0.0.1:${trafficPort}/down`)).status, 503);
});

test('healthy share below the panic threshold: panic mode, no UH', async () => {
  const r = await runCliAsync(['explain', '--admin', admin, '--host', 'a', '--path', '/panic']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 of 3 hosts healthy/);
  assert.match(r.stdout, /below healthy_panic_threshold 50%: panic mode/);
  assert.doesNotMatch(r.stdout, /now: 503/);
});

test('max_requests reached by an active request: the open breaker, 503 UO now', async () => {
  // One request the slow upstream never answers keeps the only max_requests slot.
  const hung = net.connect(trafficPort, '127.0.0.1');
  hung.write('GET /slow HTTP/1.1\r\nhost: a\r\n\r\n');
  try {
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(held.length, 1, 'the request reached the slow upstream');
    const r = await runCliAsync(['explain', '--admin', admin, '--host', 'a', '--path', '/slow', '--json']);
    const j = report(r.stdout);
    assert.deepEqual(j.live.circuit_breakers_open, ['default.rq_open']);
    assert.equal(j.live.predicted.response_flag, 'UO');
    const second = await fetch(`http://127.0.0.1:${trafficPort}/slow`);
    assert.equal(second.status, 503);
  } finally {
    hung.destroy();
  }
});

test('an admin address nothing answers: exit 2 with the reason', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const r = await runCliAsync(['explain', '--admin', `http://127.0.0.1:${port}`, '--host', 'a', '--path', '/']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot reach the admin API/);
  const both = await runCliAsync(['explain', '--admin', admin, '-c', 'x.yaml', '--host', 'a', '--path', '/']);
  assert.equal(both.status, 2);
});
