// The HTTP/1.1 client codec's socket handover (newUpgradeStream): over a real socket, an upgrade
// request's head carries connection/upgrade and no framing; a 101 whose head is split over reads
// hands the socket over with the bytes after the head; a non-101 answer is an ordinary response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Http1ClientConnection, type UpgradeResponseDecoder } from '../../../../src/runtime/codec/http1/client_codec.js';
import type { HeaderList } from '../../../../src/runtime/codec/types.js';
import { encodeRequestHead } from '../../../../src/runtime/codec/http1/client_request_head.js';

/** An origin that answers the first request head with `parts`, written 10 ms apart. */
async function origin(parts: string[]): Promise<{ server: Server; port: number; heads: string[]; sockets: Socket[] }> {
  const heads: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    let buf = '';
    s.on('data', async (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || heads.length > 0) return;
      heads.push(buf.slice(0, end + 4));
      for (const p of parts) {
        s.write(p);
        await new Promise((r) => setTimeout(r, 10));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, heads, sockets };
}

class Decoder implements UpgradeResponseDecoder {
  events: string[] = [];
  upgraded: { status: number; headers: HeaderList; socket: Duplex; rest: string } | undefined;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor() {
    this.done = new Promise((r) => (this.resolve = r));
  }
  decodeUpgrade(status: number, headers: HeaderList, socket: Duplex, rest: Buffer): void {
    this.upgraded = { status, headers, socket, rest: rest.toString('latin1') };
    this.resolve();
  }
  decodeHeaders(status: number, _headers: HeaderList, endStream: boolean): void {
    this.events.push(`headers ${status} ${endStream}`);
  }
  decodeData(chunk: Buffer, endStream: boolean): void {
    this.events.push(`data ${chunk.toString()} ${endStream}`);
    if (endStream) this.resolve();
  }
  decodeTrailers(): void {
    this.events.push('trailers');
    this.resolve();
  }
}

async function open(port: number): Promise<{ socket: Socket; closes: string[]; codec: Http1ClientConnection }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const closes: string[] = [];
  const codec = new Http1ClientConnection(socket, { onClose: (cause) => closes.push(cause) }, { maxHeaderSize: 60 * 1024 });
  return { socket, closes, codec };
}

test('a 101 split over reads hands the socket over with the bytes after its head; the codec lets go of the socket', async () => {
  const o = await origin(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: chat\r\nConne', 'ction: upgrade\r\n\r\nfirst-bytes']);
  const { socket, closes, codec } = await open(o.port);
  try {
    const d = new Decoder();
    const enc = codec.newUpgradeStream(d, 'chat');
    enc.encodeHeaders('GET', '/room', 'chat.test', [['x-a', '1'], ['content-length', '5']], false);
    await d.done;
    assert.equal(o.heads[0], 'GET /room HTTP/1.1\r\nhost: chat.test\r\nx-a: 1\r\nconnection: upgrade\r\nupgrade: chat\r\n\r\n');
    const up = d.upgraded!;
    assert.equal(up.status, 101);
    assert.deepEqual(up.headers, [['upgrade', 'chat'], ['connection', 'upgrade']]);
    assert.equal(up.rest, 'first-bytes');
    assert.equal(up.socket, socket);
    assert.equal(socket.listenerCount('data'), 0, 'no codec listener left on the socket');
    assert.ok(socket.isPaused(), 'handed over paused');
    assert.equal(codec.streamCapacity(), 0);
    assert.deepEqual(closes, [], 'a handover is not a close');
    // The new owner reads the rest of the stream.
    const more = new Promise<string>((r) => socket.once('data', (b: Buffer) => r(b.toString())));
    socket.resume();
    o.sockets[0]!.write('later-bytes');
    assert.equal(await more, 'later-bytes');
    assert.deepEqual(d.events, []);
  } finally {
    socket.destroy();
    o.server.close();
  }
});

test('an upgrade request refused with an ordinary response is decoded as one; a 101 to a plain request stays a protocol error', async () => {
  const o = await origin(['HTTP/1.1 426 Upgrade Required\r\ncontent-length: 4\r\n\r\nnope']);
  const { socket, codec } = await open(o.port);
  try {
    const d = new Decoder();
    codec.newUpgradeStream(d, 'chat').encodeHeaders('GET', '/', 'a', [], false);
    await d.done;
    assert.equal(d.upgraded, undefined);
    assert.deepEqual(d.events, ['headers 426 false', 'data nope true']);
  } finally {
    socket.destroy();
    o.server.close();
  }
  const o2 = await origin(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: chat\r\nConnection: upgrade\r\n\r\n']);
  const c2 = await open(o2.port);
  try {
    const d = new Decoder();
    let reset = '';
    const enc = c2.codec.newStream(d);
    enc.stream.addCallbacks({ onResetStream: (reason) => (reset = reason) });
    enc.encodeHeaders('GET', '/', 'a', [], true);
    const deadline = Date.now() + 2000;
    while (reset === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(reset, 'protocol_error');
    assert.equal(d.upgraded, undefined);
    assert.deepEqual(c2.closes, ['protocol_error']);
  } finally {
    c2.socket.destroy();
    o2.server.close();
  }
});

test('an upgrade request head: connection/upgrade from the codec, no framing even for POST with a body length; an invalid upgrade value is refused before anything is written', () => {
  const framing = { bodyRemaining: -2, headError: '' };
  const head = encodeRequestHead('POST', '/rpc', 'a.test', [['upgrade', 'evil'], ['connection', 'close'], ['content-length', '7'], ['x-a', '1']], true, framing, 'x-proto/1');
  assert.equal(head, 'POST /rpc HTTP/1.1\r\nhost: a.test\r\nx-a: 1\r\nconnection: upgrade\r\nupgrade: x-proto/1\r\n\r\n');
  assert.equal(framing.bodyRemaining, 0);
  assert.equal(encodeRequestHead('GET', '/', 'a', [], true, framing, 'web\r\nx: socket'), null);
  assert.equal(framing.headError, 'invalid upgrade header');
  assert.equal(encodeRequestHead('GET', '/', 'a', [], true, framing, ''), null);
});
