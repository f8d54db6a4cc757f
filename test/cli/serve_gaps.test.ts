// What serve does where tsproxy lacks a feature, and match saying the same: a cluster specifier
// plugin (serve refuses to start, or answers 503 NC when it is is_optional) and upgrade requests
// (403 upgrade_failed). Real CLI, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './run_cli.js';
import { bootstrap, cluster, rawRequest, startProxy, startUpstream } from '../runtime/http/harness.js';
import type { ExplainReport } from '../../src/analysis/explain/report_types.js';

const PLUGIN = 'fixtures/explain/cluster_plugin.yaml';
const OPTIONAL = 'fixtures/explain/cluster_plugin_optional.yaml';

test('serve refuses to start with a cluster specifier plugin it cannot run; match says so for requests routed to it', async () => {
  const child = spawn(process.execPath, ['bin/tsproxy.js', 'serve', '-c', PLUGIN], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  try {
    const code = await Promise.race([
      new Promise<number | null>((r) => child.on('exit', (c) => r(c))),
      new Promise<string>((r) => setTimeout(() => r('timeout'), 10000)),
    ]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^fixtures\/explain\/cluster_plugin\.yaml:28:52: error virtual host "all", route "by-plugin": cluster specifier plugin "lua-picker" \(envoy\.extensions\.router\.cluster_specifiers\.lua\.v3\.LuaConfig\) cannot run in tsproxy serve; refusing to start rather than answer 503 to every request routed here \(mark it is_optional to start anyway\) \[serve\/unsupported\]$/m);
    assert.doesNotMatch(stderr, /listening on/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const r = JSON.parse(runCli(['match', '-c', PLUGIN, '--host', 'x', '--path', '/lua/a', '--json']).stdout) as ExplainReport;
  assert.equal(r.route?.name, 'by-plugin');
  assert.equal(r.outcome.details, 'cluster_unknown_offline');
  assert.match(r.outcome.summary, /cluster specifier plugin "lua-picker" .* tsproxy serve refuses to start with this config \(the plugin is not is_optional\)/);
  assert.ok(r.notes.some((n) => /tsproxy serve refuses to start with cluster specifier plugin "lua-picker"/.test(n)), r.notes.join('\n'));
  // A request the plain route takes is unaffected (match still answers for it).
  const plain = JSON.parse(runCli(['match', '-c', PLUGIN, '--host', 'x', '--path', '/', '--json']).stdout) as ExplainReport;
  assert.equal(plain.action.cluster?.name, 'web');
});

test('an is_optional plugin: serve starts and answers 503 NC cluster_not_found, as match says', async () => {
  const p = await startProxy(readFileSync(join(ROOT, OPTIONAL), 'utf8'));
  try {
    const raw = await rawRequest(p.port, 'GET /lua HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await p.waitStreams(1);
    const r = JSON.parse(runCli(['match', '-c', OPTIONAL, '--host', 'x', '--path', '/lua', '--json']).stdout) as ExplainReport;
    assert.equal(r.outcome.status, 503);
    assert.equal(r.outcome.response_flag, 'NC');
    assert.deepEqual(r.outcome.stats, ['http.ingress.no_cluster']);
    assert.match(raw.text, new RegExp(`^HTTP/1\\.1 ${r.outcome.status} `));
    assert.equal(p.infos[0]!.responseCodeDetails, r.outcome.details);
    assert.equal(p.counter('http.ingress.no_cluster'), 1);
  } finally {
    await p.close();
  }
});

test('an upgrade request: match says what serve does (403 without upgrade_configs or when the route disables it; tunnelled when let through)', async () => {
  const up = await startUpstream('web');
  const cases = [
    { hcmExtra: undefined, routes: '- match: {prefix: "/"}\n  route: {cluster: web}', summary: /no upgrade_configs on the HTTP connection manager enables "websocket", so serve, like Envoy, answers 403 upgrade_failed before routing/ },
    { hcmExtra: 'upgrade_configs: [{upgrade_type: websocket}]', routes: '- match: {prefix: "/"}\n  route: {cluster: web, upgrade_configs: [{upgrade_type: WebSocket, enabled: false}]}', summary: /the route's upgrade_configs disables it, so serve, like Envoy, answers 403 upgrade_failed/ },
    { hcmExtra: 'upgrade_configs: [{upgrade_type: websocket}]', routes: '- match: {prefix: "/"}\n  route: {cluster: web}', summary: undefined },
  ];
  for (const c of cases) {
    const yaml = bootstrap({ routes: c.routes, clusters: cluster('web', [up.port]), ...(c.hcmExtra ? { hcmExtra: c.hcmExtra } : {}) });
    const p = await startProxy(yaml);
    const dir = mkdtempSync(join(tmpdir(), 'tsproxy-upgrade-'));
    const file = join(dir, 'envoy.yaml');
    writeFileSync(file, yaml);
    try {
      const raw = await rawRequest(p.port, 'GET /chat HTTP/1.1\r\nHost: a.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      await p.waitStreams(1);
      const cli = runCli(['match', '-c', file, '--host', 'a.com', '--path', '/chat', '-H', 'connection: Upgrade', '-H', 'upgrade: websocket', '--json']);
      const r = JSON.parse(cli.stdout) as ExplainReport;
      if (c.summary !== undefined) {
        // Exit 1 when no route matched (refused before routing), 0 when one did.
        assert.equal(cli.status, c.hcmExtra === undefined ? 1 : 0);
        assert.match(raw.text, /^HTTP\/1\.1 403 /);
        assert.equal(r.outcome.status, 403);
        assert.equal(r.outcome.details, 'upgrade_failed');
        assert.equal(p.infos[0]!.responseCodeDetails, r.outcome.details);
        assert.match(r.outcome.summary, c.summary);
        if (c.hcmExtra === undefined) {
          assert.equal(r.route, null);
          assert.deepEqual(r.connection_manager?.request_handling?.header_changes, [], 'the request is answered before the connection manager touches it');
        }
      } else {
        // Let through: serve sent it to the upstream (a plain HTTP server: no 101, its answer is relayed).
        assert.match(raw.text, /^HTTP\/1\.1 200 /);
        assert.equal(p.infos[0]!.upstreamCluster, 'web');
        assert.notEqual(r.route, null);
        assert.ok(r.notes.some((n) => /upgrade is let through by upgrade_configs \(the connection manager enables it\): serve sends the request to the chosen host of "web"/.test(n)), JSON.stringify(r.notes));
      }
    } finally {
      await p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await up.close();
  // Without `Connection: upgrade` an Upgrade header is no upgrade request: routed as usual.
  const plain = JSON.parse(runCli(['match', '-c', 'fixtures/demo/envoy.yaml', '--host', 'localhost:10000', '--path', '/app', '-H', 'upgrade: websocket', '--json']).stdout) as ExplainReport;
  assert.notEqual(plain.outcome.details, 'upgrade_failed');
});
