// The ClientHello parser of the tls_inspector listener filter, on real ClientHellos written by
// Node's TLS client, split at every byte, spread over several records, and on garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { duplexPair } from 'node:stream';
import { parseClientHello, MAX_CLIENT_HELLO_SIZE } from '../../../src/runtime/network/tls_inspector.js';

async function clientHello(servername: string | undefined, alpn?: string[]): Promise<Buffer> {
  const [mine, theirs] = duplexPair();
  const c = tlsConnect({ socket: mine, ...(servername !== undefined ? { servername } : {}), ...(alpn ? { ALPNProtocols: alpn } : {}), rejectUnauthorized: false });
  c.on('error', () => undefined);
  const hello = await new Promise<Buffer>((resolve) => theirs.once('data', (b: Buffer) => resolve(b)));
  c.destroy();
  return hello;
}

test('a real ClientHello: SNI (lowercased) and the ALPN list in the client order', async () => {
  const hello = await clientHello('API.Example.com', ['h2', 'http/1.1']);
  assert.deepEqual(parseClientHello(hello), { kind: 'tls', serverName: 'api.example.com', alpn: ['h2', 'http/1.1'] });
  assert.deepEqual(parseClientHello(await clientHello(undefined)), { kind: 'tls', serverName: undefined, alpn: [] });
});

test('every proper prefix of a ClientHello asks for more bytes', async () => {
  const hello = await clientHello('example.com', ['http/1.1']);
  for (let n = 0; n < hello.length; n++) assert.equal(parseClientHello(hello.subarray(0, n)).kind, 'more', `prefix ${n}`);
});

test('a ClientHello spread over several TLS records is reassembled', async () => {
  const hello = await clientHello('split.example.com', ['h2']);
  const body = hello.subarray(5);
  const parts = [body.subarray(0, 3), body.subarray(3, 40), body.subarray(40)];
  const records = Buffer.concat(parts.map((p) => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, p.length >> 8, p.length & 0xff]), p])));
  assert.deepEqual(parseClientHello(records), { kind: 'tls', serverName: 'split.example.com', alpn: ['h2'] });
});

test('plaintext and garbage are not TLS; nothing throws (seeded random inputs)', async () => {
  assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')).kind, 'not_tls');
  assert.equal(parseClientHello(Buffer.from('PRI * HTTP/2.0\r\n')).kind, 'not_tls');
  assert.equal(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00])).kind, 'not_tls');
  // A handshake record that is not a ClientHello (a ServerHello, type 2).
  assert.equal(parseClientHello(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])).kind, 'not_tls');
  const hello = await clientHello('fuzz.example.com', ['h2']);
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(hello);
    // Corrupt a few bytes after the record header, so the parser walks into damaged lengths.
    for (let k = 0; k < 3; k++) b[5 + Math.floor(rnd() * (b.length - 5))] = Math.floor(rnd() * 256);
    const r = parseClientHello(b.subarray(0, 5 + Math.floor(rnd() * (b.length - 5))));
    assert.ok(['tls', 'not_tls', 'more', 'too_large'].includes(r.kind));
  }
  for (let i = 0; i < 1000; i++) {
    const b = Buffer.alloc(1 + Math.floor(rnd() * 300), 0);
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256);
    b[0] = 0x16;
    b[1] = 0x03;
    parseClientHello(b);
  }
});

test('a ClientHello larger than the limit is too_large (Envoy closes the connection)', () => {
  const len = MAX_CLIENT_HELLO_SIZE + 10;
  const hs = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
  assert.equal(parseClientHello(hs).kind, 'too_large');
});
