// Downstream backpressure: a client slower than the upstream pauses reading from the upstream
// (router -> RequestEncoder.readDisable), so a large response is not buffered in the proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { bootstrap, cluster, sleep, startProxy, useFake } from './harness.js';

const TOTAL = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

test('a slow client pauses the upstream: a 64 MB response is not buffered in memory', { skip: useFake ? 'the fake upstream has no sockets' : false }, async () => {
  // Upstream: streams TOTAL bytes as fast as its socket takes them, counting what it got out.
  let upstreamSent = 0;
  let upstreamDone = false;
  const upstream = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': TOTAL });
    const pump = (): void => {
      while (upstreamSent < TOTAL) {
        upstreamSent += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
      upstreamDone = true;
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upPort = (upstream.address() as net.AddressInfo).port;
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: big}', clusters: cluster('big', [upPort]) }));
  const client = net.connect(p.port, '127.0.0.1');
  try {
    await new Promise<void>((r) => client.once('connect', () => r()));
    // A small receive window and no reading: the client stalls.
    client.pause();
    client.write('GET /big HTTP/1.1\r\nhost: big\r\n\r\n');
    await sleep(700);
    const sentWhileStalled = upstreamSent;
    const rssNote = `upstream had sent ${sentWhileStalled} of ${TOTAL} bytes while the client read nothing`;
    // Socket buffers on both hops hold a few MB; without backpressure the proxy would have read
    // (and buffered) the whole response by now.
    assert.ok(!upstreamDone, rssNote);
    assert.ok(sentWhileStalled < TOTAL / 2, rssNote);
    await sleep(200);
    assert.ok(upstreamSent - sentWhileStalled < 4 * 1024 * 1024, 'the upstream stays paused: ' + rssNote);
    // The client reads again: everything arrives, intact.
    let received = 0;
    let headEnd = -1;
    let head = '';
    const done = new Promise<void>((resolve, reject) => {
      client.on('data', (d: Buffer) => {
        if (headEnd < 0) {
          head += d.toString('latin1');
          const i = head.indexOf('\r\n\r\n');
          if (i < 0) return;
          headEnd = i + 4;
          received += Buffer.byteLength(head, 'latin1') - headEnd;
        } else received += d.length;
        if (received >= TOTAL) resolve();
      });
      client.on('error', reject);
      client.on('close', () => (received >= TOTAL ? resolve() : reject(new Error(`closed after ${received} bytes`))));
    });
    client.resume();
    await done;
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.equal(received, TOTAL);
    assert.ok(upstreamDone);
    await p.waitStreams(1, 5000);
    assert.equal(p.infos[0]!.responseCode, 200);
    assert.equal(p.infos[0]!.bytesSent, TOTAL);
    assert.equal(p.infos[0]!.responseFlags.length, 0);
  } finally {
    client.destroy();
    await p.close();
    await new Promise<void>((r) => upstream.close(() => r()));
    upstream.closeAllConnections();
  }
});

test('a slow upstream pauses the client: a 64 MB upload is not buffered in memory', { skip: useFake ? 'the fake upstream has no sockets' : false }, async () => {
  // Upstream: reads nothing until released, then reads everything and answers 200 with the count.
  let release: (() => void) | undefined;
  let upstreamReceived = 0;
  const upstream = net.createServer({ pauseOnConnect: true }, (s) => {
    s.on('error', () => {});
    let head = '';
    release = () => {
      s.on('data', (d: Buffer) => {
        upstreamReceived += d.length;
        if (head.length < 4096) head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0 && upstreamReceived - (end + 4) >= TOTAL) s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${String(TOTAL).length}\r\n\r\n${TOTAL}`);
      });
      s.resume();
    };
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upPort = (upstream.address() as net.AddressInfo).port;
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: slow, timeout: 30s}', clusters: cluster('slow', [upPort]) }));
  const client = net.connect(p.port, '127.0.0.1');
  client.on('error', () => {});
  try {
    await new Promise<void>((r) => client.once('connect', () => r()));
    let response = '';
    client.on('data', (d: Buffer) => (response += d.toString('latin1')));
    client.write(`POST /up HTTP/1.1\r\nhost: slow\r\ncontent-length: ${TOTAL}\r\n\r\n`);
    let offered = 0;
    const pump = (): void => {
      while (offered < TOTAL) {
        offered += CHUNK.length;
        if (!client.write(CHUNK)) {
          client.once('drain', pump);
          return;
        }
      }
    };
    pump();
    await sleep(700);
    // What left the client: without backpressure the proxy would have read (and buffered) it all.
    const flushed = client.bytesWritten - client.writableLength;
    assert.ok(flushed < TOTAL / 2, `the client got ${flushed} of ${TOTAL} bytes out while the upstream read nothing`);
    await sleep(200);
    assert.ok(client.bytesWritten - client.writableLength - flushed < 4 * 1024 * 1024, 'the client stays paused');
    assert.ok(release !== undefined, 'the upstream connection was opened');
    release!();
    const deadline = Date.now() + 15000;
    while (!response.includes('\r\n\r\n' + TOTAL) && Date.now() < deadline) await sleep(20);
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(response.endsWith(String(TOTAL)), response.slice(0, 200));
  } finally {
    client.destroy();
    await p.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});
