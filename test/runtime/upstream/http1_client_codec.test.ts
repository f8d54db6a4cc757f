// The upstream HTTP/1.1 codec's response side (native llhttp over raw sockets) through real
// sockets on 127.0.0.1: raw `net` origins write exact bytes, a recording decoder sees every callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupCluster, staticCluster, within } from './helpers.js';
import { Recorder, scripted, sleep, withCluster } from './codec_helpers.js';

test('chunked response: body in order, end as an empty endStream chunk, connection reused', async () => {
  const origin = await scripted((s) =>
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
  );
  await withCluster(origin, async (c) => {
    for (let i = 0; i < 2; i++) {
      const r = await within(new Recorder().start(c).done);
      assert.equal(r.body, 'hello world');
      assert.equal(r.events.at(-1), 'data 0 true');
      assert.deepEqual(r.headers, [['transfer-encoding', 'chunked']]);
    }
    assert.equal(origin.connections, 1);
  });
});

test('close-delimited response: the body ends at EOF and the connection is retired', async () => {
  const origin = await scripted((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
  await withCluster(origin, async (c, stat) => {
    for (let i = 0; i < 2; i++) {
      const r = await within(new Recorder().start(c).done);
      assert.equal(r.reset, undefined);
      assert.equal(r.body, 'until the end');
      assert.equal(r.events.at(-1), 'data 0 true');
    }
    assert.equal(origin.connections, 2);
    assert.equal(stat('upstream_cx_destroy_with_active_rq'), 0);
  });
});

test('content-length response split over packets: the completing chunk carries endStream', async () => {
  const origin = await scripted(async (s) => {
    for (const part of ['HTTP/1.1 200 OK\r\nConte', 'nt-Length: 10\r\nX-Up: a\r\n', '\r\n0123', '45', '6789']) {
      s.write(part);
      await sleep(15);
    }
  });
  await withCluster(origin, async (c) => {
    const r = await within(new Recorder().start(c).done);
    assert.equal(r.body, '0123456789');
    assert.deepEqual(r.headers, [['content-length', '10'], ['x-up', 'a']]);
    assert.deepEqual(r.events, ['headers 200 false', 'data 4 false', 'data 2 false', 'data 4 true']);
    // Reused after the complete response.
    const again = await within(new Recorder().start(c).done);
    assert.equal(again.body, '0123456789');
    assert.equal(origin.connections, 1);
  });
});

test('trailers: delivered through onTrailers (lowercase), else the end is an empty chunk', async () => {
  const origin = await scripted((s) =>
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc\r\nGrpc-Status: 0\r\n\r\n'),
  );
  await withCluster(origin, async (c) => {
    const r = await within(new Recorder().start(c).done);
    assert.equal(r.body, 'ok');
    assert.deepEqual(r.trailers, [['x-checksum', 'abc'], ['grpc-status', '0']]);
    assert.deepEqual(r.events, ['headers 200 false', 'data 2 false', 'trailers']);
    const plain = await within(new Recorder({}, false).start(c).done);
    assert.deepEqual(plain.events, ['headers 200 false', 'data 2 false', 'data 0 true']);
    assert.equal(origin.connections, 1);
  });
});

test('1xx interim responses (100, 102, 103) are dropped, in one packet or several', async () => {
  const origin = await scripted(async (s, _req, n) => {
    if (n === 0) {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
      return;
    }
    s.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n');
    await sleep(15);
    s.write('HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew');
  });
  await withCluster(origin, async (c) => {
    const a = await within(new Recorder().start(c).done);
    assert.deepEqual(a.events, ['headers 200 false', 'data 2 true']);
    const b = await within(new Recorder().start(c).done);
    assert.equal(b.status, 201);
    assert.equal(b.body, 'new');
    assert.equal(origin.connections, 1);
  });
});

test('HEAD, 204 and 304 end at the headers and keep the connection', async () => {
  const origin = await scripted((s, req) => {
    if (req.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
    else if (req.startsWith('GET /204')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
    else if (req.startsWith('GET /304')) s.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n');
    else s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
  await withCluster(origin, async (c) => {
    for (const req of [{ method: 'HEAD' }, { path: '/204' }, { path: '/304' }, { path: '/empty' }, { method: 'HEAD' }]) {
      const r = await within(new Recorder(req).start(c).done);
      assert.equal(r.events.length, 1, r.events.join());
      assert.match(r.events[0]!, /^headers \d+ true$/);
    }
    assert.equal(origin.connections, 1);
  });
});

test('response headers beyond max_response_headers_kb -> protocol_error (UPE)', async () => {
  const origin = await scripted((s) => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`));
  await withCluster(origin, async (c, stat) => {
    const r = await within(new Recorder().start(c).done);
    assert.equal(r.reset?.reason, 'protocol_error');
    assert.match(r.reset?.transport ?? '', /HTTP\/1\.1 protocol \(Header overflow\)/);
    assert.equal(stat('upstream_cx_protocol_error'), 1);
  });
});

test('garbage in a chunked body and a 101 response -> protocol_error', async () => {
  const origin = await scripted((s, req) => {
    if (req.startsWith('GET /upgrade')) s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n');
    else s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n');
  });
  await withCluster(origin, async (c, stat) => {
    const r = await within(new Recorder().start(c).done);
    assert.deepEqual(r.events, ['headers 200 false', 'data 2 false', 'reset protocol_error']);
    const u = await within(new Recorder({ path: '/upgrade' }).start(c).done);
    assert.deepEqual(u.events, ['reset protocol_error']);
    assert.equal(stat('upstream_cx_protocol_error'), 2);
    assert.equal(origin.connections, 2);
  });
});

test('upstream closes or resets mid-body -> connection_termination (UC)', async () => {
  const origin = await scripted((s, req) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    if (req.startsWith('GET /rst')) setTimeout(() => s.resetAndDestroy(), 10);
    else setTimeout(() => s.end(), 10);
  });
  await withCluster(origin, async (c, stat) => {
    for (const path of ['/fin', '/rst']) {
      const r = await within(new Recorder({ path }).start(c).done);
      assert.deepEqual(r.events, ['headers 200 false', 'data 3 false', 'reset connection_termination'], path);
    }
    assert.equal(stat('upstream_cx_destroy_remote_with_active_rq'), 2);
    assert.equal(stat('upstream_cx_destroy_remote'), 2);
  });
});

test('bytes after a complete response, or on an idle connection, retire the connection', async () => {
  const origin = await scripted((s, req) => {
    if (req.startsWith('GET /extra')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    else {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => s.write('HTTP/1.1 408 Request Timeout\r\n\r\n'), 20);
    }
  });
  await withCluster(origin, async (c, stat, pool) => {
    const a = await within(new Recorder({ path: '/extra' }).start(c).done);
    assert.deepEqual(a.events, ['headers 200 false', 'data 2 true']);
    await sleep(5);
    assert.equal(pool().connectionCount, 0);
    const b = await within(new Recorder({ path: '/idle' }).start(c).done);
    assert.equal(b.body, 'ok');
    const t0 = Date.now();
    while (pool().connectionCount > 0 && Date.now() - t0 < 1000) await sleep(5);
    assert.equal(pool().connectionCount, 0);
    assert.equal(stat('upstream_cx_destroy_with_active_rq'), 0);
    assert.equal(origin.connections, 2);
  });
});

test('readDisable pauses reading the response and resumes it', async () => {
  const origin = await scripted(async (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc');
    await sleep(20);
    s.write('def');
  });
  await withCluster(origin, async (c) => {
    const r = new Recorder();
    let paused = false;
    r.onDataHook = (rec) => {
      if (!paused) {
        paused = true;
        rec.encoder!.readDisable!(true);
        setTimeout(() => {
          assert.equal(rec.body, 'abc', 'nothing read while disabled');
          rec.encoder!.readDisable!(false);
        }, 40);
      }
    };
    r.start(c);
    await within(r.done);
    assert.deepEqual(r.events, ['headers 200 false', 'data 3 false', 'data 3 true']);
    // The connection reads again once idle: the next request works.
    const again = await within(new Recorder().start(c).done);
    assert.equal(again.body, 'abcdef');
  });
});

test('resetStream from inside onData: no more callbacks, the connection closes, nothing throws', async () => {
  const origin = await scripted((s) =>
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n'),
  );
  await withCluster(origin, async (c, stat, pool) => {
    const r = new Recorder();
    r.onDataHook = (rec) => rec.encoder!.resetStream();
    r.start(c);
    // Bounded wait for the first chunk (a loaded machine may take a while), then a little more
    // to see that nothing follows the reset.
    for (let i = 0; i < 300 && r.events.length < 2; i++) await sleep(10);
    await sleep(20);
    assert.deepEqual(r.events, ['headers 200 false', 'data 1 false']);
    assert.equal(pool().connectionCount, 0);
    assert.equal(stat('upstream_cx_destroy_local_with_active_rq'), 1);
    const next = await within(new Recorder().start(c).done);
    assert.equal(next.body, 'ab');
  });
});

test('a decoder that throws does not escape the socket event: local_reset, connection closed', async () => {
  const origin = await scripted((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody'));
  await withCluster(origin, async (c, _stat, pool) => {
    const r = new Recorder();
    const onHeaders = r.onHeaders.bind(r);
    r.onHeaders = (status, headers, end) => {
      onHeaders(status, headers, end);
      throw new Error('router bug');
    };
    r.start(c);
    await within(r.done.then(() => sleep(20)));
    assert.deepEqual(r.events, ['headers 200 false', 'reset local_reset']);
    assert.match(r.reset?.transport ?? '', /router bug/);
    assert.equal(pool().connectionCount, 0);
  });
});

test('shutdown with a request in flight resets it (connection_termination)', async () => {
  const origin = await scripted(() => {});
  const { cm, c } = setupCluster(staticCluster('web', [origin.port]));
  try {
    const r = new Recorder().start(c);
    while (origin.connections === 0) await sleep(2);
    await sleep(10);
    await cm.shutdown();
    await within(r.done);
    assert.deepEqual(r.events, ['reset connection_termination']);
  } finally {
    await origin.close();
  }
});

test('content-length bodies read beside llhttp: head+body in one packet, head alone then body, body cut by close', async () => {
  let n = 0;
  const origin = await scripted(async (s) => {
    n++;
    if (n === 1) s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    else if (n === 2) {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n');
      await sleep(15);
      s.write('wor');
      await sleep(15);
      s.write('ld!');
    } else {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      await sleep(15);
      s.destroy();
    }
  });
  await withCluster(origin, async (c) => {
    const one = await within(new Recorder().start(c).done);
    assert.equal(one.body, 'hello');
    assert.deepEqual(one.events, ['headers 200 false', 'data 5 true']);
    const two = await within(new Recorder().start(c).done);
    assert.equal(two.body, 'world!');
    // TCP may coalesce the two body writes; either way the last chunk carries endStream.
    assert.equal(two.events[0], 'headers 200 false');
    assert.match(two.events[two.events.length - 1]!, /^data \d+ true$/);
    assert.equal(origin.connections, 1);
    const three = await within(new Recorder().start(c).done);
    assert.deepEqual(three.events, ['headers 200 false', 'data 3 false', 'reset connection_termination']);
    assert.equal(three.body, 'abc');
  });
});
