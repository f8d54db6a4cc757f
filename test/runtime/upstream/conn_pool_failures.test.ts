import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestStream, bodyText, closedPort, startBlackhole, startHttpOrigin, startRawOrigin, staticCluster, within } from './helpers.js';
import { setupCluster as setup } from './helpers.js';


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
    // The first timeout fails every pending stream (Envoy purges them); the second connection
    // times out on its own a moment later.
    assert.ok(stat('upstream_cx_connect_timeout') >= 1);
    const t1 = Date.now();
    while (stat('upstream_cx_connect_timeout') < 2 && Date.now() - t1 < 1000) await new Promise((r) => setTimeout(r, 10));
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

test('an idle connection the upstream closes is dropped; the next request opens a new one', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat, gauge } = setup(staticCluster('web', [origin.port]));
  try {
    await within(new TestStream().start(c).done);
    assert.equal(gauge('upstream_cx_active'), 1);
    await origin.close(); // destroys the idle keep-alive socket from the server side
    const t0 = Date.now();
    while (gauge('upstream_cx_active') !== 0 && Date.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 5));
    assert.equal(gauge('upstream_cx_active'), 0);
    assert.equal(stat('upstream_cx_destroy_remote'), 1);
    assert.equal(stat('upstream_cx_destroy_remote_with_active_rq'), 0);
    // Nothing listens now: the next request fails to connect instead of hitting a dead socket.
    const r = await within(new TestStream().start(c).done);
    assert.equal(r.poolFailure?.reason, 'remote_connection_failure');
  } finally {
    await cm.shutdown();
  }
});


test('an endpoint with an invalid port fails the stream asynchronously, never throwing', async () => {
  const { cm, c, stat } = setup(staticCluster('web', [70000]));
  try {
    const s = new TestStream();
    s.start(c);
    assert.equal(s.result.poolFailure, undefined, 'not failed inline');
    const r = await within(s.done);
    assert.equal(r.poolFailure?.reason, 'local_connection_failure');
    assert.match(r.poolFailure?.transport ?? '', /^immediate connect error: /);
    assert.equal(stat('upstream_cx_connect_fail'), 1);
  } finally {
    await cm.shutdown();
  }
});

test('an invalid request header -> local_reset from encodeHeaders; the connection stays usable', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat } = setup(staticCluster('web', [origin.port]));
  try {
    await within(new TestStream().start(c).done);
    const bad = await within(new TestStream({ headers: [['x-bad', 'a\r\nb']] }).start(c).done);
    assert.equal(bad.reset?.reason, 'local_reset');
    const good = await within(new TestStream().start(c).done);
    assert.equal(good.status, 200);
    assert.equal(origin.connections, 1);
    assert.equal(stat('upstream_cx_destroy'), 0);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});
