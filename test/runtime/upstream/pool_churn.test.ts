/**
 * The pool under connection churn never strands a request: an origin that closes idle
 * keep-alive connections almost at once (keepAliveTimeout 1 ms) and now and then closes one
 * right after its response, with 20 streams at a time through a pool limited to 4 connections.
 * Every stream ends (a response, or a reset / pool failure the router would report), the pool's
 * gauges return to 0 and a later request still gets through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { TestStream, setupCluster, staticCluster, within } from './helpers.js';

test('churn: 200 streams, 20 at a time, origin closing connections: every stream ends, nothing leaks', { timeout: 30_000 }, async () => {
  let n = 0;
  const server = http.createServer((_req, res) => {
    n++;
    if (n % 7 === 0) res.setHeader('connection', 'close');
    setTimeout(() => res.end('ok'), n % 3);
  });
  server.keepAliveTimeout = 1;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const { cm, c, gauge } = setupCluster(staticCluster('web', [port], { circuit_breakers: { thresholds: [{ max_connections: 4, max_pending_requests: 100 }] } }));
  try {
    let ok = 0;
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 200) {
        next++;
        const r = await within(new TestStream({ path: `/${next}` }).start(c).done, 10_000);
        if (r.status === 200 && r.ended) ok++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    assert.equal(ok + failed, 200);
    assert.ok(ok >= 160, `ok ${ok}, failed ${failed}`);
    assert.equal(gauge('upstream_rq_active'), 0);
    assert.equal(gauge('upstream_rq_pending_active'), 0);
    assert.equal((await within(new TestStream().start(c).done)).status, 200);
  } finally {
    await cm.shutdown();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
