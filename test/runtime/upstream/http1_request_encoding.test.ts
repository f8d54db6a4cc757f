// The upstream HTTP/1.1 codec's request side (head, validation, body framing) and the upstream
// idle timeout, through real sockets on 127.0.0.1 (raw `net` origins record the exact bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../src/config/types.js';
import type { HeaderList } from '../../../src/runtime/upstream/types.js';
import { settled, within } from './helpers.js';
import { Recorder, scripted, sleep, withCluster } from './codec_helpers.js';

test('request head: exact bytes, managed headers dropped, content-length: 0 only for POST/PUT/PATCH', async () => {
  const heads: string[] = [];
  const origin = await scripted((s, req) => {
    heads.push(req);
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
  await withCluster(origin, async (c) => {
    const headers: HeaderList = [
      ['x-a', '1'],
      ['connection', 'keep-alive'],
      ['transfer-encoding', 'chunked'],
      ['content-length', '5'],
      ['host', 'other'],
      ['x-b', 'tab\there é'],
    ];
    await within(new Recorder({ path: '/p?q=1', headers }).start(c).done);
    await within(new Recorder({ method: 'POST', path: '/p', headers }).start(c).done);
    assert.deepEqual(heads, [
      'GET /p?q=1 HTTP/1.1\r\nhost: test.local\r\nx-a: 1\r\nx-b: tab\there \xe9\r\n\r\n',
      'POST /p HTTP/1.1\r\nhost: test.local\r\nx-a: 1\r\nx-b: tab\there \xe9\r\ncontent-length: 0\r\n\r\n',
    ]);
  });
});

test('an invalid request header -> local_reset with nothing written; the connection serves the next request', async () => {
  const origin = await scripted((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  await withCluster(origin, async (c, stat) => {
    await within(new Recorder().start(c).done);
    await settled(); // the connection is idle again: the streams below get it synchronously
    for (const headers of [[['x-bad', 'a\r\nb']], [['x-nul', 'a\0b']], [['bad name', 'v']], [['x-wide', 'a\u0100']]] as HeaderList[]) {
      const r = new Recorder({ headers }).start(c);
      assert.equal(r.reset?.reason, 'local_reset', 'reset synchronously');
      assert.ok(r.reset?.transport);
    }
    await sleep(20);
    assert.equal(origin.received[0], '', 'nothing reached the upstream');
    const good = await within(new Recorder().start(c).done);
    assert.equal(good.body, 'ok');
    assert.equal(origin.connections, 1);
    assert.equal(stat('upstream_cx_destroy'), 0);
  });
});

test('request bodies: chunked framing without content-length, raw bytes with it', async () => {
  const got: string[] = [];
  const origin = await scripted((s, req) => {
    got.push(req);
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
  await withCluster(origin, async (c) => {
    await within(new Recorder({ method: 'POST', path: '/c', body: [Buffer.from('ab'), Buffer.from(''), Buffer.from('cde')] }).start(c).done);
    await within(new Recorder({ method: 'PUT', path: '/l', headers: [['content-length', '4']], body: [Buffer.from('wx'), Buffer.from('yz')] }).start(c).done);
    // A body that ends with an empty chunk.
    const r = new Recorder({ method: 'POST', path: '/e', body: [Buffer.from('q')], open: true });
    r.start(c);
    await sleep(10);
    r.encoder!.encodeData(Buffer.alloc(0), true);
    await within(r.done);
    assert.deepEqual(got, [
      'POST /c HTTP/1.1\r\nhost: test.local\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n',
      'PUT /l HTTP/1.1\r\nhost: test.local\r\ncontent-length: 4\r\n\r\nwxyz',
      'POST /e HTTP/1.1\r\nhost: test.local\r\ntransfer-encoding: chunked\r\n\r\n1\r\nq\r\n0\r\n\r\n',
    ]);
    assert.equal(origin.connections, 1);
  });
});

test('a request body longer or shorter than its content-length -> local_reset, connection not reused', async () => {
  const origin = await scripted(() => {});
  await withCluster(origin, async (c, stat) => {
    const long = await within(new Recorder({ method: 'PUT', headers: [['content-length', '2']], body: [Buffer.from('abc')] }).start(c).done);
    assert.equal(long.reset?.reason, 'local_reset');
    assert.match(long.reset?.transport ?? '', /content-length/);
    const short = await within(new Recorder({ method: 'PUT', headers: [['content-length', '5']], body: [Buffer.from('ab')] }).start(c).done);
    assert.equal(short.reset?.reason, 'local_reset');
    await sleep(10);
    assert.equal(origin.connections, 2);
    assert.equal(stat('upstream_cx_destroy_local_with_active_rq'), 2);
  });
});

test('idle_timeout closes an idle upstream connection (upstream_cx_idle_timeout), never a busy one', async () => {
  const origin = await scripted(async (s, req) => {
    if (req.startsWith('GET /slow')) await sleep(100);
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  await withCluster(
    origin,
    async (c, stat, pool) => {
      const slow = await within(new Recorder({ path: '/slow' }).start(c).done);
      assert.equal(slow.body, 'ok', 'a request longer than the idle timeout completes');
      assert.equal(pool().connectionCount, 1);
      const t0 = Date.now();
      while (pool().connectionCount > 0 && Date.now() - t0 < 2000) await sleep(10);
      const idleFor = Date.now() - t0;
      assert.equal(pool().connectionCount, 0);
      assert.ok(idleFor >= 40, `closed after ${idleFor} ms idle`);
      assert.equal(stat('upstream_cx_idle_timeout'), 1);
      assert.equal(stat('upstream_cx_destroy_local'), 1);
      const next = await within(new Recorder().start(c).done);
      assert.equal(next.body, 'ok');
      assert.equal(origin.connections, 2);
    },
    { common_http_protocol_options: { idle_timeout: 60 } } as Partial<Cluster>,
  );
});
