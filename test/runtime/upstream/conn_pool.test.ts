import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { createClusterManager } from '../../../src/runtime/upstream/cluster_manager.js';
import type { Http1ConnPool } from '../../../src/runtime/upstream/http1_conn_pool.js';
import { TestStream, bodyText, closedPort, startBlackhole, startHttpOrigin, startRawOrigin, staticCluster, within } from './helpers.js';

function setup(cluster: ReturnType<typeof staticCluster>) {
  const store = new StatsStore();
  const cm = createClusterManager([cluster], store, { random: Math.random });
  const c = cm.getThreadLocalCluster(cluster.name)!;
  const stat = (n: string): number => store.counterValue(`cluster.${cluster.name}.${n}`);
  const gauge = (n: string): number => store.gaugeValue(`cluster.${cluster.name}.${n}`);
  return { store, cm, c, stat, gauge };
}

test('keep-alive: sequential requests reuse one upstream connection', async () => {
  const origin = await startHttpOrigin((req, res) => res.end(`hello ${req.url} ${req.headers.host}`));
  const { cm, c, stat, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    for (let i = 0; i < 5; i++) {
      const r = await within(new TestStream({ path: `/r${i}` }).start(c).done);
      assert.equal(r.status, 200);
      assert.equal(bodyText(r), `hello /r${i} test.local`);
      assert.equal(r.ended, true);
    }
    assert.equal(origin.connections, 1);
    assert.equal(stat('upstream_cx_total'), 1);
    assert.equal(stat('upstream_rq_total'), 5);
    assert.equal(gauge('upstream_rq_active'), 0);
    assert.equal(gauge('upstream_cx_active'), 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('a response with connection: close retires the connection', async () => {
  const origin = await startHttpOrigin((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('bye');
  });
  const { cm, c, stat } = setup(staticCluster('web', [origin.port]));
  try {
    for (let i = 0; i < 3; i++) {
      const r = await within(new TestStream().start(c).done);
      assert.equal(bodyText(r), 'bye');
    }
    assert.equal(origin.connections, 3);
    assert.equal(stat('upstream_cx_total'), 3);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('max_requests_per_connection closes a connection after N requests', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat } = setup(staticCluster('web', [origin.port], { max_requests_per_connection: 2 }));
  try {
    for (let i = 0; i < 4; i++) await within(new TestStream().start(c).done);
    assert.equal(origin.connections, 2);
    assert.equal(stat('upstream_cx_max_requests'), 2);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('max_connections + max_pending_requests: overflow under real concurrency -> overflow (UO)', async () => {
  const held: Array<() => void> = [];
  const origin = await startHttpOrigin((_req, res) => held.push(() => res.end('ok')));
  const { cm, c, stat, gauge } = setup(
    staticCluster('web', [origin.port], {
      circuit_breakers: { thresholds: [{ max_connections: 2, max_pending_requests: 5 }] },
    }),
  );
  try {
    const streams = Array.from({ length: 20 }, () => new TestStream().start(c));
    // Synchronous overflow: 5 pending fit, the other 15 fail at once.
    const failedNow = streams.filter((s) => s.result.poolFailure);
    assert.equal(failedNow.length, 15);
    assert.equal(failedNow[0]!.result.poolFailure!.reason, 'overflow');
    assert.equal(stat('upstream_rq_pending_overflow'), 15);
    assert.equal(gauge('circuit_breakers.default.rq_pending_open'), 1);
    assert.equal(stat('upstream_cx_overflow'), 3);
    // Release responses as they arrive until the five pending ones are served.
    const ok = streams.filter((s) => !s.result.poolFailure);
    const timer = setInterval(() => held.splice(0).forEach((f) => f()), 5);
    try {
      const results = await within(Promise.all(ok.map((s) => s.done)));
      assert.ok(results.every((r) => r.status === 200));
    } finally {
      clearInterval(timer);
    }
    assert.equal(origin.connections, 2);
    assert.equal(stat('upstream_cx_total'), 2);
    assert.equal(stat('upstream_rq_pending_total'), 5);
    assert.equal(gauge('upstream_rq_pending_active'), 0);
    assert.equal(gauge('circuit_breakers.default.rq_pending_open'), 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('max_requests: a request beyond the cluster-wide limit overflows when it would attach', async () => {
  const held: Array<() => void> = [];
  const origin = await startHttpOrigin((_req, res) => held.push(() => res.end('ok')));
  const { cm, c, stat, gauge } = setup(
    staticCluster('web', [origin.port], { circuit_breakers: { thresholds: [{ max_requests: 1 }] } }),
  );
  try {
    const first = new TestStream().start(c);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 2));
    assert.equal(gauge('circuit_breakers.default.rq_open'), 1);
    const second = new TestStream().start(c);
    const r2 = await within(second.done);
    assert.equal(r2.poolFailure?.reason, 'overflow');
    assert.equal(stat('upstream_rq_pending_overflow'), 1);
    held.splice(0).forEach((f) => f());
    assert.equal((await within(first.done)).status, 200);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('pending requests are served in order as the single connection frees up', async () => {
  const origin = await startHttpOrigin((req, res) => setTimeout(() => res.end(req.url), 5));
  const { cm, c } = setup(staticCluster('web', [origin.port], { circuit_breakers: { thresholds: [{ max_connections: 1 }] } }));
  try {
    const order: string[] = [];
    const streams = ['/a', '/b', '/c'].map((p) => {
      const s = new TestStream({ path: p }).start(c);
      void s.done.then((r) => order.push(bodyText(r)));
      return s;
    });
    await within(Promise.all(streams.map((s) => s.done)));
    assert.deepEqual(order, ['/a', '/b', '/c']);
    assert.equal(origin.connections, 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('a cancelled pending request hears nothing and frees its slot', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    const s = new TestStream().start(c);
    assert.ok(s.cancellable, 'pending while connecting');
    s.cancellable!.cancel();
    assert.equal(gauge('upstream_rq_pending_active'), 0);
    assert.equal(stat('upstream_rq_cancelled'), 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.result.ready, false);
    assert.equal(s.result.poolFailure, undefined);
    // The connection it opened is parked as idle and used by the next request.
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.status, 200);
    assert.equal(origin.connections, 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('connect refused -> remote_connection_failure with Envoy\'s transport failure reason', async () => {
  const port = await closedPort();
  const { cm, c, stat, gauge } = setup(staticCluster('web', [port]));
  try {
    const r = await within(new TestStream().start(c).done);
    assert.deepEqual(r.poolFailure, {
      reason: 'remote_connection_failure',
      transport: 'delayed connect error: Connection refused',
    });
    assert.equal(stat('upstream_cx_connect_fail'), 1);
    assert.equal(stat('upstream_cx_connect_timeout'), 0);
    assert.equal(gauge('upstream_cx_active'), 0);
    assert.equal(gauge('upstream_rq_pending_active'), 0);
  } finally {
    await cm.shutdown();
  }
});

test('connect_timeout -> timeout, upstream_cx_connect_timeout (full accept queue on loopback)', async () => {
  const hole = await startBlackhole();
  const { cm, c, stat, gauge } = setup(staticCluster('web', [hole.port], { connect_timeout: 150 }));
  try {
    const t0 = Date.now();
    const streams = [new TestStream().start(c), new TestStream().start(c)];
    const rs = await within(Promise.all(streams.map((s) => s.done)));
    const elapsed = Date.now() - t0;
    for (const r of rs) assert.deepEqual(r.poolFailure, { reason: 'timeout', transport: '' });
    assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(stat('upstream_cx_connect_timeout'), 2);
    assert.equal(stat('upstream_cx_connect_fail'), 2);
    assert.equal(gauge('upstream_cx_active'), 0);
  } finally {
    await cm.shutdown();
    hole.close();
  }
});

test('upstream closes mid-response -> connection_termination after the headers', async () => {
  const origin = await startRawOrigin((s) => {
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => s.destroy(), 20);
    });
  });
  const { cm, c, stat, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.status, 200);
    assert.equal(bodyText(r), 'partial');
    assert.equal(r.reset?.reason, 'connection_termination');
    assert.equal(r.ended, false);
    assert.equal(stat('upstream_cx_destroy_remote_with_active_rq'), 1);
    await new Promise((res) => setTimeout(res, 10));
    assert.equal(gauge('upstream_cx_active'), 0);
    assert.equal(gauge('upstream_rq_active'), 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('upstream closes before responding -> connection_termination, no headers', async () => {
  const origin = await startRawOrigin((s) => s.once('data', () => s.destroy()));
  const { cm, c } = setup(staticCluster('web', [origin.port]));
  try {
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.status, undefined);
    assert.equal(r.reset?.reason, 'connection_termination');
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('garbage from upstream -> protocol_error (UPE)', async () => {
  const origin = await startRawOrigin((s) => s.once('data', () => s.write('HELLO THERE\r\n\r\n')));
  const { cm, c, stat } = setup(staticCluster('web', [origin.port]));
  try {
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.reset?.reason, 'protocol_error');
    assert.match(r.reset?.transport ?? '', /HTTP\/1\.1 protocol/);
    assert.equal(stat('upstream_cx_protocol_error'), 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('resetStream mid-response: no more callbacks, the connection is closed, not reused', async () => {
  const origin = await startHttpOrigin((_req, res) => {
    res.writeHead(200, { 'content-length': '10' });
    res.write('12345');
  });
  const { cm, c, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    const s = new TestStream();
    s.onHeadersHook = (t) => setTimeout(() => {
      t.encoder!.resetStream();
      t.finish();
    }, 10);
    s.onDataHook = () => {};
    s.start(c);
    const r = await within(s.done);
    assert.equal(r.status, 200);
    assert.equal(r.reset, undefined);
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(gauge('upstream_cx_active'), 0);
    assert.equal(gauge('upstream_rq_active'), 0);
    const pool = c.httpConnPool(r.host!) as Http1ConnPool;
    assert.equal(pool.connectionCount, 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('request body streams upstream; HEAD and 204 end at the headers', async () => {
  const origin = await startHttpOrigin((req, res) => {
    if (req.url === '/204') {
      res.writeHead(204);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => res.end(`${req.method} ${req.headers['content-length'] ?? 'chunked'} ${Buffer.concat(chunks)}`));
  });
  const { cm, c } = setup(staticCluster('web', [origin.port]));
  try {
    const post = await within(
      new TestStream({ method: 'POST', body: [Buffer.from('ab'), Buffer.from('cd')] }).start(c).done,
    );
    // undici sends a body already fully buffered with a content-length, else chunked.
    assert.match(bodyText(post), /^POST (4|chunked) abcd$/);
    const sized = await within(
      new TestStream({ method: 'PUT', body: [Buffer.from('xyz')], headers: [['content-length', '3']] }).start(c).done,
    );
    assert.equal(bodyText(sized), 'PUT 3 xyz');
    const head = await within(new TestStream({ method: 'HEAD' }).start(c).done);
    assert.equal(head.headersEnd, true);
    const nc = await within(new TestStream({ path: '/204' }).start(c).done);
    assert.equal(nc.status, 204);
    assert.equal(nc.headersEnd, true);
    assert.equal(origin.connections, 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});
