/**
 * `tsproxy serve` as users run it: the real bin in a child process, a generated Bootstrap with an
 * access log on /dev/stdout and the fault filter, an echo upstream. Checks that requests are
 * proxied, that SIGTERM exits 0, and that no access log line is lost on shutdown (the batched
 * sink is flushed by stop()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './conformance_cases.js';
import { bootstrapYaml } from './bootstrap.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { send } from './proxy.js';

const ROUTES = `name: local
virtual_hosts:
- name: app
  domains: ["*"]
  routes:
  - match: {prefix: "/"}
    route: {cluster: svc}
`;

const FILTERS = `- name: envoy.filters.http.fault
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
    abort: {header_abort: {}, percentage: {numerator: 100}}
`;

const ACCESS_LOG = `access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: /dev/stdout
    log_format:
      text_format_source:
        inline_string: "AL %RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(:PATH)% %UPSTREAM_CLUSTER%\\n"
`;

test('serve: proxies, logs to /dev/stdout, exits 0 on SIGTERM without losing log lines', { timeout: 30_000 }, async () => {
  const echo = await startEchoUpstreams(['svc']);
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-serve-'));
  const cfg = join(dir, 'envoy.yaml');
  writeFileSync(cfg, bootstrapYaml({ routeText: ROUTES, clusterPorts: echo.ports, httpFiltersYaml: FILTERS, accessLogYaml: ACCESS_LOG }));
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'tsproxy.js'), 'serve', '-c', cfg, '--drain-time-s', '1'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line within 10 s; stderr: ${stderr}`)), 10_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', () => {
        clearTimeout(t);
        reject(new Error(`serve exited early; stderr: ${stderr}`));
      });
    });
    const ok = await send(port, { method: 'GET', path: '/hello', authority: 'app' });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as EchoReply).cluster, 'svc');
    const aborted = await send(port, { method: 'GET', path: '/boom', authority: 'app', headers: { 'x-envoy-fault-abort-request': '503' } });
    assert.equal(aborted.status, 503);
    assert.equal(aborted.body, 'fault filter abort');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `stderr: ${stderr}`);
    const lines = stdout.split('\n').filter((l) => l.startsWith('AL '));
    assert.equal(lines.length, 2, stdout);
    assert.equal(lines[0], 'AL 200 - /hello svc');
    // Envoy sets the upstream cluster when the HCM resolves the route (ActiveStream::setRoute), so
    // it would print `svc` for a fault abort too; serve sets it in the router only (for now).
    assert.match(lines[1]!, /^AL 503 FI \/boom (svc|-)$/);
  } finally {
    clearTimeout(killTimer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
