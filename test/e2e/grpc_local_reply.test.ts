// Local replies to gRPC requests (issue 10 §4), through a real @grpc/grpc-js client over h2c:
// Envoy answers a gRPC request it cannot route or forward with a trailers-only HTTP 200 carrying
// grpc-status (Grpc::Utility::httpToGrpcStatus) and grpc-message; the access log's %GRPC_STATUS%
// prints it. A non-gRPC request to the same route keeps its HTTP status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, sendH2 } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';

function bootstrap(logPath: string): string {
  return `static_resources:
  listeners:
  - name: grpc
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: grpc
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${logPath}
              log_format: {text_format_source: {inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %GRPC_STATUS% %GRPC_STATUS(NUMBER)% %GRPC_STATUS(SNAKE_STRING)%\\n"}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: "/demo.Empty/"}
                route: {cluster: empty}
              - match: {prefix: "/demo.Denied/"}
                direct_response: {status: 403, body: {inline_string: "denied: 100% sure"}}
  clusters:
  - name: empty
    type: STATIC
    connect_timeout: 1s
    load_assignment: {cluster_name: empty, endpoints: []}
`;
}

const identity = (b: Buffer): Buffer => b;

function unary(client: grpc.Client, method: string): Promise<grpc.ServiceError | Buffer> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, identity, identity, Buffer.from('x'), (err, value) => resolve(err ?? value!));
  });
}

test('gRPC local replies: NR -> UNIMPLEMENTED, UH -> UNAVAILABLE, a direct 403 -> PERMISSION_DENIED with its body as grpc-message; %GRPC_STATUS% logged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-grpc-'));
  const log = join(dir, 'access.log');
  const proxy = await startProxy(bootstrap(log));
  const client = new grpc.Client(`127.0.0.1:${proxy.port}`, grpc.credentials.createInsecure());
  try {
    const nr = (await unary(client, '/demo.Nowhere/Call')) as grpc.ServiceError;
    assert.equal(nr.code, grpc.status.UNIMPLEMENTED);
    const uh = (await unary(client, '/demo.Empty/Call')) as grpc.ServiceError;
    assert.equal(uh.code, grpc.status.UNAVAILABLE);
    assert.equal(uh.details, 'no healthy upstream');
    const denied = (await unary(client, '/demo.Denied/Call')) as grpc.ServiceError;
    assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
    assert.equal(denied.details, 'denied: 100% sure');
    // The same route without gRPC content-type: plain HTTP.
    const plain = await sendH2(proxy.port, { method: 'GET', path: '/demo.Empty/Call', authority: 'x' });
    assert.equal(plain.status, 503);
    assert.equal(plain.body, 'no healthy upstream');
    // Trailers-only: one HEADERS frame, status 200 (checked raw over node:http2).
    const raw = await sendH2(proxy.port, { method: 'POST', path: '/demo.Nowhere/Call', authority: 'x', headers: { 'content-type': 'application/grpc', te: 'trailers' }, body: '' });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers['grpc-status'], '12');
    assert.equal(raw.headers['content-type'], 'application/grpc');
    assert.equal(raw.body, '');
    await proxy.stop();
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(lines, [
      '/demo.Nowhere/Call 200 NR Unimplemented 12 UNIMPLEMENTED',
      '/demo.Empty/Call 200 UH Unavailable 14 UNAVAILABLE',
      '/demo.Denied/Call 200 - PermissionDenied 7 PERMISSION_DENIED',
      '/demo.Empty/Call 503 UH - - -',
      '/demo.Nowhere/Call 200 NR Unimplemented 12 UNIMPLEMENTED',
    ]);
  } finally {
    client.close();
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retry_on gRPC conditions: a trailers-only grpc-status UNAVAILABLE is retried under `unavailable` (and x-envoy-retry-grpc-on), not under `cancelled`', async () => {
  let hits = 0;
  const upstream = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'try later', 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const port = (upstream.address() as AddressInfo).port;
  const cfg = (retryOn: string): string =>
    bootstrapYaml({
      statPrefix: 'grpc',
      hcmExtraYaml: 'internal_address_config: {}',
      routeText: `virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: "/", grpc: {}}
    route: {cluster: svc, retry_policy: {retry_on: "${retryOn}", num_retries: 2, retry_back_off: {base_interval: 0.001s}}}
`,
      clusterPorts: new Map([['svc', port]]),
    });
  try {
    for (const [retryOn, expectedHits] of [['unavailable', 3], ['cancelled', 1], ['internal,unavailable', 3]] as const) {
      hits = 0;
      const proxy = await startProxy(cfg(retryOn));
      const client = new grpc.Client(`127.0.0.1:${proxy.port}`, grpc.credentials.createInsecure());
      try {
        const err = (await unary(client, '/demo.Svc/Call')) as grpc.ServiceError;
        assert.equal(err.code, grpc.status.UNAVAILABLE, retryOn);
        assert.equal(err.details, 'try later');
        assert.equal(hits, expectedHits, `retry_on ${retryOn}: upstream attempts`);
        assert.equal(proxy.server.store.counter('cluster.svc.upstream_rq_retry').value, expectedHits - 1);
      } finally {
        client.close();
        await proxy.stop();
      }
    }
    // The request header x-envoy-retry-grpc-on turns it on for one request from an internal
    // client (10/8 through XFF); an external client's x-envoy-* headers are dropped, as Envoy's.
    const proxy = await startProxy(cfg('cancelled'));
    try {
      for (const [xff, expectedHits] of [['10.0.0.1', 3], ['203.0.113.9', 1]] as const) {
        hits = 0;
        const r = await sendH2(proxy.port, { method: 'POST', path: '/demo.Svc/Call', authority: 'x', headers: { 'content-type': 'application/grpc', 'x-envoy-retry-grpc-on': 'unavailable', 'x-forwarded-for': xff }, body: '' });
        assert.equal(r.headers['grpc-status'], '14');
        assert.equal(hits, expectedHits, `client ${xff}`);
      }
    } finally {
      await proxy.stop();
    }
  } finally {
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});
