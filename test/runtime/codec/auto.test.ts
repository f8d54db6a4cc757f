// codec_type AUTO on plaintext: the preface sniffer picks h2 or HTTP/1 and hands the connection,
// from its first byte, to the real codec of that protocol (the HTTP/2 server codec, or today's
// HTTP/1 codec over llhttp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { H2_PREFACE, matchPreface, sniffProtocol, type SniffedProtocol } from '../../../src/runtime/codec/auto.js';
import { Http1ServerCodec } from '../../../src/runtime/codec/http1/server_codec.js';
import { http1CodecStats } from '../../../src/runtime/codec/http1/codec_stats.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { RecordingDecoder, echoHandler } from './codec_server.js';
import { h2ServerFactory, h2TestClient } from './h2_adapters.js';
import * as F from './h2_frames.js';

test('matchPreface: whole preface, a proper prefix, a mismatch', () => {
  assert.equal(matchPreface(H2_PREFACE), 'h2');
  assert.equal(matchPreface(Buffer.concat([H2_PREFACE, Buffer.from('extra')])), 'h2');
  assert.equal(matchPreface(H2_PREFACE.subarray(0, 10)), 'more');
  assert.equal(matchPreface(Buffer.alloc(0)), 'more');
  assert.equal(matchPreface(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
  // Envoy's 12-byte prefix `PRI * HTTP/2` alone is not enough: the rest must match too.
  assert.equal(matchPreface(Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n')), 'http1');
});

/** A listener that sniffs each connection and serves h2 with the HTTP/2 codec, else HTTP/1 with llhttp. */
async function autoServer(): Promise<{ port: number; sniffed: SniffedProtocol[]; close(): Promise<void> }> {
  const sniffed: SniffedProtocol[] = [];
  const { factory } = h2ServerFactory();
  const store = new StatsStore();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    sniffProtocol(socket, (p) => {
      sniffed.push(p);
      if (p === 'h2') {
        factory(socket, { newStream: (enc) => new RecordingDecoder(enc, echoHandler) });
        return;
      }
      const codec: Http1ServerCodec = new Http1ServerCodec(
        socket,
        {
          onRequestHeaders: (head) => {
            const body = Buffer.from(`http1 ${head.method} ${head.url}`);
            codec.encodeHeaders(200, { 'content-type': 'text/plain', 'content-length': body.length }, false);
            codec.encodeData(body, true);
          },
          onRequestBody: () => {},
          onRequestComplete: () => {},
          onCodecError: () => codec.close(true),
        },
        { maxHeaderSize: 60 * 1024, stats: http1CodecStats(store), headersWithUnderscoresAction: 'ALLOW', validateScheme: false },
      );
      socket.on('close', () => codec.destroy());
      // The sniffer left the socket paused: the HTTP/1 codec reads the unshifted bytes first.
      socket.resume();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sniffed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function rawHttp1(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\r\n\r\n') && /http1 /.test(out)) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(out));
    s.write(request);
  });
}

test('AUTO: an HTTP/1.1 request goes to the HTTP/1 codec with its bytes intact; h2c prior knowledge to the HTTP/2 codec', async () => {
  const srv = await autoServer();
  try {
    const h1 = await rawHttp1(srv.port, 'GET /one HTTP/1.1\r\nhost: a\r\n\r\n');
    assert.match(h1, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(h1.endsWith('http1 GET /one'));
    const c = await h2TestClient(srv.port);
    const res = await c.request({ path: '/two' }).response;
    assert.equal(res.status, 200);
    assert.equal(res.body, '/two');
    await c.close();
    assert.deepEqual(srv.sniffed, ['http1', 'h2']);
  } finally {
    await srv.close();
  }
});

test('AUTO: a preface split over several writes is still h2; a near-miss is HTTP/1', async () => {
  const srv = await autoServer();
  try {
    const s = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const frames: ParsedLike[] = [];
    s.on('data', (d: Buffer) => frames.push({ bytes: d }));
    for (let i = 0; i < 6; i++) {
      s.write(H2_PREFACE.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, 5));
    }
    s.write(Buffer.concat([H2_PREFACE.subarray(6), F.settings(), F.headers(1, F.getRequest('/split'), { endStream: true })]));
    for (let i = 0; i < 100 && !frames.some((f) => f.bytes.includes(Buffer.from('/split'))); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(frames.some((f) => f.bytes.includes(Buffer.from('/split'))), 'the h2 response body arrived');
    s.destroy();
    const miss = await rawHttp1(srv.port, 'PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n');
    assert.doesNotMatch(miss, /http1 PRI/);
    assert.deepEqual(srv.sniffed, ['h2', 'http1']);
  } finally {
    await srv.close();
  }
});

interface ParsedLike {
  bytes: Buffer;
}

test('AUTO: a connection closed before any byte is reported as http1', async () => {
  const srv = await autoServer();
  try {
    const s = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.end();
    for (let i = 0; i < 100 && srv.sniffed.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(srv.sniffed, ['http1']);
  } finally {
    await srv.close();
  }
});
