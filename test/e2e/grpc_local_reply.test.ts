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
import { startProxy, sendH2 } from './proxy.js';

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
