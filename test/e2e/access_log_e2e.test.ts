/**
 * The access log through the real data plane: a StdoutAccessLog with `json_format` (stdout
 * injected) and the default format, filled from the StreamInfo the connection manager builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapYaml } from './bootstrap.js';
import { send, startProxy } from './proxy.js';

const ROUTES = `name: local
virtual_hosts:
- name: app
  domains: ["app.example.com"]
  routes:
  - match: {prefix: "/hello"}
    name: hello_route
    direct_response: {status: 200, body: {inline_string: "hello"}}
`;

const ACCESS_LOG = `access_log:
- name: json
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
    log_format:
      json_format:
        code: "%RESPONSE_CODE%"
        flags: "%RESPONSE_FLAGS%"
        details: "%RESPONSE_CODE_DETAILS%"
        method: "%REQ(:METHOD)%"
        path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"
        authority: "%REQ(:AUTHORITY)%"
        ua: "%REQ(USER-AGENT)%"
        route: "%ROUTE_NAME%"
        cluster: "%UPSTREAM_CLUSTER%"
        upstream: "%UPSTREAM_HOST%"
        remote: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"
        sent: "%BYTES_SENT%"
        duration: "%DURATION%"
        protocol: "%PROTOCOL%"
        request_id: "%REQ(X-REQUEST-ID)%"
- name: default
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog
`;

test('json_format and default-format access logs carry what the data plane recorded', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (to: string[]) => ({
    write(chunk: string, cb?: (e?: Error | null) => void): boolean {
      to.push(chunk);
      cb?.();
      return true;
    },
  });
  const proxy = await startProxy(bootstrapYaml({ routeText: ROUTES, clusterPorts: new Map(), accessLogYaml: ACCESS_LOG }), {
    accessLogOptions: { stdout: sink(out), stderr: sink(err) },
  });
  try {
    const ok = await send(proxy.port, { method: 'GET', path: '/hello?x=1', authority: 'app.example.com', headers: { 'user-agent': 'e2e-test' } });
    assert.equal(ok.status, 200);
    const nr = await send(proxy.port, { method: 'POST', path: '/nope', authority: 'app.example.com', body: 'abc' });
    assert.equal(nr.status, 404);
  } finally {
    await proxy.stop();
  }
  const lines = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  const [a, b] = lines;
  assert.equal(a!['code'], 200);
  assert.equal(a!['flags'], '-');
  assert.equal(a!['method'], 'GET');
  assert.equal(a!['path'], '/hello?x=1');
  assert.equal(a!['authority'], 'app.example.com');
  assert.equal(a!['ua'], 'e2e-test');
  assert.equal(a!['route'], 'hello_route');
  assert.equal(a!['cluster'], null);
  assert.equal(a!['upstream'], null);
  assert.equal(a!['remote'], '127.0.0.1');
  assert.equal(a!['sent'], 5);
  assert.equal(a!['protocol'], 'HTTP/1.1');
  assert.equal(typeof a!['duration'], 'number');
  assert.match(String(a!['request_id']), /^[0-9a-f-]{36}$/);
  assert.equal(b!['code'], 404);
  assert.equal(b!['flags'], 'NR');
  assert.equal(b!['details'], 'route_not_found');
  assert.equal(b!['method'], 'POST');
  // The default format on stderr: one line per request, Envoy's layout.
  const def = err.join('').split('\n').filter(Boolean);
  assert.equal(def.length, 2);
  assert.match(def[0]!, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET \/hello\?x=1 HTTP\/1\.1" 200 - 0 5 \d+ - "-" "e2e-test" "[0-9a-f-]{36}" "app\.example\.com" "-"$/);
  assert.match(def[1]!, /^\[[^\]]+\] "POST \/nope HTTP\/1\.1" 404 NR \d+ \d+ \d+ - "-" "-" "[0-9a-f-]{36}" "app\.example\.com" "-"$/);
});

test('file access log under concurrency: one whole line per request, none lost, flushed on stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-al-e2e-'));
  try {
    const path = join(dir, 'access.log');
    const accessLog = `access_log:
- name: file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${JSON.stringify(path)}
    log_format: {text_format_source: {inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %ROUTE_NAME%\\n"}}
`;
    const proxy = await startProxy(bootstrapYaml({ routeText: ROUTES, clusterPorts: new Map(), accessLogYaml: accessLog }));
    const N = 200;
    try {
      for (let round = 0; round < 4; round++) {
        const batch = Array.from({ length: N / 4 }, (_, i) =>
          send(proxy.port, { method: 'GET', path: `/hello/${round * (N / 4) + i}`, authority: 'app.example.com' }),
        );
        for (const r of await Promise.all(batch)) assert.equal(r.status, 200);
      }
    } finally {
      await proxy.stop();
    }
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, N);
    const seen = new Set(lines.map((l) => {
      const m = /^\/hello\/(\d+) 200 hello_route$/.exec(l);
      assert.ok(m, `malformed line ${JSON.stringify(l)}`);
      return Number(m[1]);
    }));
    assert.equal(seen.size, N);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
