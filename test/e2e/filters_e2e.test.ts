/**
 * Fault and CORS filters and the access log through the real data plane (in-process server,
 * real sockets). Each case asserts the status, the response flag in the access log line and the
 * stat that moved. Routes answer with direct responses, so no upstream is involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapYaml } from './bootstrap.js';
import { send, startProxy, type Proxy } from './proxy.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';

const ROUTES = `name: local
virtual_hosts:
- name: app
  domains: ["app.example.com"]
  routes:
  - match: {prefix: "/teapot"}
    direct_response: {status: 200, body: {inline_string: "tea"}}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
        abort: {http_status: 418, percentage: {numerator: 100}}
  - match: {prefix: "/up"}
    name: upstream
    route: {cluster: svc}
  - match: {prefix: "/"}
    name: direct
    direct_response: {status: 200, body: {inline_string: "hello"}}
  typed_per_filter_config:
    envoy.filters.http.cors:
      "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
      allow_origin_string_match: [{exact: "https://ui.example.com"}]
      allow_methods: "GET, PUT"
      allow_headers: "x-token"
      max_age: "300"
      expose_headers: "x-trace"
`;

const FILTERS = `- name: envoy.filters.http.cors
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
- name: envoy.filters.http.fault
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
    headers: [{name: x-inject-fault, present_match: true}]
    delay: {header_delay: {}, percentage: {numerator: 100}}
    abort: {header_abort: {}, percentage: {numerator: 100}}
`;

async function withProxy(fn: (proxy: Proxy, logPath: string) => Promise<void>, clusterPorts: ReadonlyMap<string, number> = new Map([['svc', 1]])): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-e2e-'));
  const logPath = join(dir, 'access.log');
  const accessLogYaml = `access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${JSON.stringify(logPath)}
    log_format:
      text_format_source:
        inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %REQ(:PATH)% %ROUTE_NAME%\\n"
`;
  try {
    const proxy = await startProxy(bootstrapYaml({ routeText: ROUTES, clusterPorts, httpFiltersYaml: FILTERS, accessLogYaml }));
    try {
      await fn(proxy, logPath);
    } finally {
      await proxy.stop();
    }
    // stop() flushes the access log.
    return readFileSync(logPath, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const host = 'app.example.com';

test('fault abort from the x-envoy-fault-abort-request header: status, FI in the access log, stat', async () => {
  let stats = { aborts: 0, active: -1 };
  const log = await withProxy(async (proxy) => {
    const res = await send(proxy.port, {
      method: 'GET',
      path: '/x',
      authority: host,
      headers: { 'x-inject-fault': '1', 'x-envoy-fault-abort-request': '503' },
    });
    assert.equal(res.status, 503);
    assert.equal(res.body, 'fault filter abort');
    stats = {
      aborts: proxy.server.store.counterValue('http.e2e.fault.aborts_injected'),
      active: proxy.server.store.gaugeValue('http.e2e.fault.active_faults'),
    };
  });
  assert.equal(stats.aborts, 1);
  assert.equal(stats.active, 0);
  assert.equal(log, '503 FI fault_filter_abort /x direct\n');
});

test('fault delay from x-envoy-fault-delay-request: the request waits, then continues (DI)', async () => {
  let delays = 0;
  let elapsed = 0;
  const log = await withProxy(async (proxy) => {
    const t0 = performance.now();
    const res = await send(proxy.port, {
      method: 'GET',
      path: '/delayed',
      authority: host,
      headers: { 'x-inject-fault': '1', 'x-envoy-fault-delay-request': '80' },
    });
    elapsed = performance.now() - t0;
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello');
    delays = proxy.server.store.counterValue('http.e2e.fault.delays_injected');
  });
  assert.ok(elapsed >= 75, `elapsed ${elapsed} ms`);
  assert.equal(delays, 1);
  assert.match(log, /^200 DI \S+ \/delayed direct\n$/);
});

test('no fault without the matching header; per-route fault config overrides the filter config', async () => {
  const log = await withProxy(async (proxy) => {
    const plain = await send(proxy.port, { method: 'GET', path: '/plain', authority: host, headers: { 'x-envoy-fault-abort-request': '503' } });
    assert.equal(plain.status, 200);
    const teapot = await send(proxy.port, { method: 'GET', path: '/teapot', authority: host });
    assert.equal(teapot.status, 418);
    assert.equal(proxy.server.store.counterValue('http.e2e.fault.aborts_injected'), 1);
  });
  const lines = log.split('\n').filter(Boolean);
  assert.equal(lines[0]!.split(' ').slice(0, 2).join(' '), '200 -');
  assert.equal(lines[1], '418 FI fault_filter_abort /teapot -');
});

test('CORS preflight answered by the filter; actual request decorated; invalid origin counted', async () => {
  const log = await withProxy(async (proxy) => {
    const pre = await send(proxy.port, {
      method: 'OPTIONS',
      path: '/api',
      authority: host,
      headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'PUT' },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://ui.example.com');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET, PUT');
    assert.equal(pre.headers['access-control-allow-headers'], 'x-token');
    assert.equal(pre.headers['access-control-max-age'], '300');
    const actual = await send(proxy.port, { method: 'GET', path: '/api', authority: host, headers: { origin: 'https://ui.example.com' } });
    assert.equal(actual.status, 200);
    assert.equal(actual.body, 'hello');
    assert.equal(actual.headers['access-control-allow-origin'], 'https://ui.example.com');
    assert.equal(actual.headers['access-control-expose-headers'], 'x-trace');
    const evil = await send(proxy.port, { method: 'GET', path: '/api', authority: host, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 200);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    assert.equal(proxy.server.store.counterValue('http.e2e.cors.origin_valid'), 2);
    assert.equal(proxy.server.store.counterValue('http.e2e.cors.origin_invalid'), 1);
  });
  const lines = log.split('\n').filter(Boolean);
  assert.equal(lines.length, 3);
  assert.equal(lines[0], '200 - cors_response /api direct');
});

test('no route: 404 NR route_not_found in the access log', async () => {
  const log = await withProxy(async (proxy) => {
    const res = await send(proxy.port, { method: 'GET', path: '/x', authority: 'unknown.example.com' });
    assert.equal(res.status, 404);
    assert.equal(proxy.server.store.counterValue('http.e2e.no_route'), 1);
  });
  assert.equal(log, '404 NR route_not_found /x -\n');
});

test('through a real upstream: delay then forward, CORS headers on the upstream response', async () => {
  const echo = await startEchoUpstreams(['svc']);
  try {
    let elapsed = 0;
    const log = await withProxy(async (proxy) => {
      const t0 = performance.now();
      const res = await send(proxy.port, {
        method: 'GET',
        path: '/up/x',
        authority: host,
        headers: { origin: 'https://ui.example.com', 'x-inject-fault': '1', 'x-envoy-fault-delay-request': '40' },
      });
      elapsed = performance.now() - t0;
      assert.equal(res.status, 200);
      const e = JSON.parse(res.body) as EchoReply;
      assert.equal(e.cluster, 'svc');
      assert.equal(e.path, '/up/x');
      assert.equal(res.headers['access-control-allow-origin'], 'https://ui.example.com');
      assert.equal(res.headers['access-control-expose-headers'], 'x-trace');
      assert.equal(proxy.server.store.counterValue('http.e2e.fault.delays_injected'), 1);
      assert.equal(proxy.server.store.counterValue('http.e2e.cors.origin_valid'), 1);
    }, echo.ports);
    assert.ok(elapsed >= 35, `elapsed ${elapsed} ms`);
    assert.equal(log, '200 DI via_upstream /up/x upstream\n');
  } finally {
    await echo.close();
  }
});

test('gRPC fault abort from x-envoy-fault-abort-grpc-request: trailers-only 200 with grpc-status', async () => {
  const log = await withProxy(async (proxy) => {
    const res = await send(proxy.port, {
      method: 'POST',
      path: '/pkg.Svc/Method',
      authority: host,
      headers: { 'content-type': 'application/grpc', 'x-inject-fault': '1', 'x-envoy-fault-abort-grpc-request': '14' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['grpc-status'], '14');
    assert.equal(res.headers['grpc-message'], 'fault filter abort');
    assert.equal(res.headers['content-type'], 'application/grpc');
    assert.equal(proxy.server.store.counterValue('http.e2e.fault.aborts_injected'), 1);
  });
  assert.equal(log, '200 FI fault_filter_abort /pkg.Svc/Method direct\n');
});
