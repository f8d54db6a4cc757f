import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnPoolBase as Http1ConnPool } from '../../../src/runtime/upstream/pool/conn_pool_base.js';
import { TestStream, bodyText, startHttpOrigin, startRawOrigin, staticCluster, settled, within } from './helpers.js';
import { setupCluster as setup } from './helpers.js';


test('keep-alive: sequential requests reuse one upstream connection', async () => {
  const origin = await startHttpOrigin((req, res) => res.end(`hello ${req.url} ${req.headers.host}`));
  const { cm, c, stat, gauge, store } = setup(staticCluster('web', [origin.port]));
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
    assert.equal(store.histograms.get('cluster.web.upstream_cx_connect_ms')?.count, 1);
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
    // A body without content-length goes chunked.
    assert.equal(bodyText(post), 'POST chunked abcd');
    const sized = await within(
      new TestStream({ method: 'PUT', body: [Buffer.from('xyz')], headers: [['content-length', '3']] }).start(c).done,
    );
    assert.equal(bodyText(sized), 'PUT 3 xyz');
    const head = await within(new TestStream({ method: 'HEAD' }).start(c).done);
    assert.equal(head.headersEnd, true);
    const nc = await within(new TestStream({ path: '/204' }).start(c).done);
    assert.equal(nc.status, 204);
    assert.equal(nc.headersEnd, true);
    // A HEAD response (no body, even without content-length) keeps the connection: all four
    // requests shared one.
    assert.equal(origin.connections, 1);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('resetStream before encodeHeaders returns the connection to the pool intact', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat } = setup(staticCluster('web', [origin.port]));
  try {
    await within(new TestStream().start(c).done);
    await settled(); // one idle connection now
    let got = false;
    c.httpConnPool(c.chooseHost(undefined)!).newStream(
      { onHeaders() {}, onData() {}, onReset() {} },
      {
        onPoolReady(encoder) {
          got = true;
          encoder.resetStream();
        },
        onPoolFailure() {},
      },
    );
    assert.equal(got, true, 'idle connection given synchronously');
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.status, 200);
    assert.equal(origin.connections, 1);
    assert.equal(stat('upstream_cx_destroy'), 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('a drained pool (host removed) still serves a new stream, then closes the connection', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    const host = c.chooseHost(undefined)!;
    const pool = c.httpConnPool(host) as Http1ConnPool;
    pool.drain();
    const r = await within(new TestStream().start(c, host).done);
    assert.equal(r.status, 200);
    await new Promise((res) => setTimeout(res, 10));
    assert.equal(pool.connectionCount, 0);
    assert.equal(gauge('upstream_cx_active'), 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('an HTTP/1.0 upstream without keep-alive: each response retires its connection, no request fails', async () => {
  const origin = await startRawOrigin((sock) => {
    // Body and end in one write, so the first onData is also the response end.
    sock.on('data', () => sock.end('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  const { cm, c } = setup(staticCluster('web', [origin.port]));
  try {
    for (let i = 0; i < 3; i++) {
      const r = await within(new TestStream().start(c).done);
      assert.equal(bodyText(r), 'ok');
      assert.equal(r.reset, undefined);
    }
    assert.equal(origin.connections, 3);
    // A request issued synchronously from the previous response's end must not get the dying
    // connection (it is retired right after the response).
    const chained: Promise<unknown>[] = [];
    const startNext = (n: number): void => {
      const s = new TestStream();
      let fired = false;
      if (n > 0) {
        s.onDataHook = () => {
          if (!fired) {
            fired = true;
            startNext(n - 1);
          }
        };
      }
      chained.push(s.start(c).done);
    };
    startNext(2);
    while (chained.length < 3) await new Promise((r) => setTimeout(r, 5));
    const rs = (await within(Promise.all(chained))) as Array<{ reset?: unknown; body: Buffer[] }>;
    for (const r of rs) assert.equal(r.reset, undefined);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('1xx interim responses are skipped; the final response is delivered', async () => {
  const origin = await startRawOrigin((sock) => {
    sock.once('data', () =>
      sock.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone'),
    );
  });
  const { cm, c } = setup(staticCluster('web', [origin.port]));
  try {
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.status, 200);
    assert.equal(bodyText(r), 'done');
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});
