// HTTP/2 abuse through serve (issue 10 acceptance): a rapid-reset client and
// malformed frames against the real data plane: the connection is closed (or the stream reset)
// as Envoy does, the proxy keeps serving, and rejected or reset streams start bounded upstream work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as F from '../runtime/codec/h2_frames.js';
import { startProxy, sendH2, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';

const ROUTES = `name: local
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: "/"}
    route: {cluster: web}
`;

async function withProxy(fn: (p: Proxy, upstreamRequests: () => number) => Promise<void>): Promise<void> {
  let n = 0;
  const up: Server = createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', () => r()));
  const proxy = await startProxy(bootstrapYaml({ routeText: ROUTES, clusterPorts: new Map([['web', (up.address() as AddressInfo).port]]) }));
  try {
    await fn(proxy, () => n);
  } finally {
    await proxy.stop();
    up.closeAllConnections();
    await new Promise<void>((r) => up.close(() => r()));
  }
}

const isGoaway = (f: F.ParsedFrame): boolean => f.type === F.FrameType.GOAWAY;

test('rapid reset through serve: GOAWAY and close at the premature-reset threshold; bounded upstream work; the proxy keeps serving', async () => {
  await withProxy(async (p, upstream) => {
    const conn = await F.RawH2Connection.connect(p.port);
    const frames: Buffer[] = [];
    for (let i = 0; i < 1000; i++) frames.push(F.headers(1 + 2 * i, F.getRequest('/', [], 'x'), { endStream: false }), F.rstStream(1 + 2 * i, F.ErrorCode.CANCEL));
    conn.write(frames);
    await conn.waitFor(isGoaway);
    await conn.waitClosed();
    assert.ok(upstream() <= 260, `${upstream()} requests reached the upstream`);
    assert.ok(p.server.store.counter('http.e2e.downstream_rq_rx_reset').value >= 250);
    assert.ok(p.server.store.counter('http.e2e.downstream_cx_protocol_error').value >= 1);
    const after = await sendH2(p.port, { method: 'GET', path: '/after', authority: 'x' });
    assert.equal(after.status, 200);
  });
});

test('malformed h2 through serve: DATA on stream 0 (GOAWAY PROTOCOL_ERROR), a connection-specific header (RST_STREAM PROTOCOL_ERROR); nothing reaches the upstream for them', async () => {
  await withProxy(async (p, upstream) => {
    // DATA on stream 0: connection error (GOAWAY PROTOCOL_ERROR).
    const a = await F.RawH2Connection.connect(p.port);
    a.write(F.data(0, 'x'));
    const g = await a.waitFor(isGoaway);
    assert.equal(F.errorCodeOf(g), F.ErrorCode.PROTOCOL_ERROR);
    await a.waitClosed();
    // A request carrying `connection: keep-alive`: stream error (RST_STREAM PROTOCOL_ERROR).
    const b = await F.RawH2Connection.connect(p.port);
    b.write(F.headers(1, F.getRequest('/bad', [['connection', 'keep-alive']]), { endStream: true }));
    const rst = await b.waitFor((f) => f.type === F.FrameType.RST_STREAM && f.streamId === 1);
    assert.equal(F.errorCodeOf(rst), F.ErrorCode.PROTOCOL_ERROR);
    b.close();
    assert.equal(upstream(), 0);
    const ok = await sendH2(p.port, { method: 'GET', path: '/fine', authority: 'x' });
    assert.equal(ok.status, 200);
    assert.equal(upstream(), 1);
  });
});
