// The HTTP/2 client codec against a raw-frame upstream: the peer's SETTINGS_MAX_CONCURRENT_STREAMS,
// GOAWAY (drain; streams above the last stream id and unstarted ones are refused, retriable),
// REFUSED_STREAM and PROTOCOL_ERROR resets mapped to Envoy's reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as F from './h2_frames.js';
import { h2ClientConnect } from './h2_adapters.js';
import { RecordingConnectionCallbacks, send } from './client_codec_contract.js';

/** A raw upstream: each accepted connection becomes a RawH2Connection sending `settings`. */
async function rawUpstream(settings: Array<[number, number]> = []): Promise<{ port: number; conns: F.RawH2Connection[]; close(): Promise<void> }> {
  const conns: F.RawH2Connection[] = [];
  const server = net.createServer((s) => conns.push(F.RawH2Connection.accept(s, settings)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    close: async () => {
      for (const c of conns) c.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function waitUntil(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const isHeaders = (id: number) => (f: F.ParsedFrame) => f.type === F.FrameType.HEADERS && f.streamId === id;

test("streamCapacity follows the peer's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
  const up = await rawUpstream([[F.Setting.MAX_CONCURRENT_STREAMS, 2]]);
  const cbs = new RecordingConnectionCallbacks();
  const { connect } = h2ClientConnect();
  const c = await connect(up.port, cbs);
  try {
    await waitUntil(() => cbs.maxStreams.length > 0);
    assert.deepEqual(cbs.maxStreams, [2]);
    assert.equal(c.streamCapacity(), 2);
    send(c, 'GET', '/a');
    assert.equal(c.streamCapacity(), 1);
    send(c, 'GET', '/b');
    assert.equal(c.streamCapacity(), 0);
  } finally {
    c.close();
    await up.close();
  }
});

test('GOAWAY from the upstream drains: streams above its last stream id and unstarted ones are refused (retriable), the others complete', async () => {
  const up = await rawUpstream();
  const cbs = new RecordingConnectionCallbacks();
  const { connect } = h2ClientConnect();
  const c = await connect(up.port, cbs);
  try {
    const a = send(c, 'GET', '/a').res;
    const b = send(c, 'GET', '/b').res;
    await waitUntil(() => up.conns.length === 1);
    const peer = up.conns[0]!;
    await peer.waitFor(isHeaders(3));
    const unstarted = new (await import('./client_codec_contract.js')).RecordingResponse();
    unstarted.watch(c.newStream(unstarted));
    peer.write(F.goaway(1, F.ErrorCode.NO_ERROR));
    await waitUntil(() => cbs.goaways.length === 1);
    assert.deepEqual(cbs.goaways, [0]);
    assert.equal(c.streamCapacity(), 0);
    assert.equal(unstarted.reset, 'remote_refused_stream_reset');
    await b.done;
    assert.equal(b.reset, 'remote_refused_stream_reset');
    // Stream 1 (at or below the last stream id) still completes.
    peer.write([F.headers(1, [[':status', '200']], { endStream: false }), F.data(1, 'fine', true)]);
    await a.done;
    assert.equal(a.reset, undefined);
    assert.equal(a.body, 'fine');
    await waitUntil(() => cbs.closed !== undefined);
  } finally {
    c.close();
    await up.close();
  }
});

test('REFUSED_STREAM is remote_refused_stream_reset; PROTOCOL_ERROR is protocol_error; others remote_reset (http2.rx_reset)', async () => {
  const up = await rawUpstream();
  const cbs = new RecordingConnectionCallbacks();
  const { connect, store } = h2ClientConnect();
  const c = await connect(up.port, cbs);
  try {
    const r1 = send(c, 'GET', '/1').res;
    const r3 = send(c, 'GET', '/3').res;
    const r5 = send(c, 'GET', '/5').res;
    await waitUntil(() => up.conns.length === 1);
    const peer = up.conns[0]!;
    await peer.waitFor(isHeaders(5));
    peer.write([F.rstStream(1, F.ErrorCode.REFUSED_STREAM), F.rstStream(3, F.ErrorCode.PROTOCOL_ERROR), F.rstStream(5, F.ErrorCode.INTERNAL_ERROR)]);
    await Promise.all([r1.done, r3.done, r5.done]);
    assert.deepEqual([r1.reset, r3.reset, r5.reset], ['remote_refused_stream_reset', 'protocol_error', 'remote_reset']);
    assert.equal(store.counterValue('cluster.up.http2.rx_reset'), 3);
    assert.equal(store.gaugeValue('cluster.up.http2.streams_active'), 0);
    assert.equal(c.streamCapacity() > 0, true);
  } finally {
    c.close();
    await up.close();
  }
});

test('a trailers-only response (HEADERS with END_STREAM) ends at decodeHeaders; 1xx heads go to decode1xxHeaders', async () => {
  const up = await rawUpstream();
  const { connect } = h2ClientConnect();
  const c = await connect(up.port, new RecordingConnectionCallbacks());
  try {
    const { RecordingResponse } = await import('./client_codec_contract.js');
    const res = new RecordingResponse();
    const infos: number[] = [];
    (res as unknown as { decode1xxHeaders: (s: number) => void }).decode1xxHeaders = (s) => infos.push(s);
    const enc = res.watch(c.newStream(res));
    enc.encodeHeaders('POST', '/svc/M', 'up', [['te', 'trailers'], ['content-type', 'application/grpc']], true);
    await waitUntil(() => up.conns.length === 1);
    const peer = up.conns[0]!;
    await peer.waitFor(isHeaders(1));
    peer.write([F.headers(1, [[':status', '103'], ['link', '</a>']]), F.headers(1, [[':status', '200'], ['grpc-status', '5']], { endStream: true })]);
    await res.done;
    assert.deepEqual(infos, [103]);
    assert.equal(res.status, 200);
    assert.equal(res.header('grpc-status'), '5');
    assert.equal(res.chunks.length, 0);
  } finally {
    c.close();
    await up.close();
  }
});

test('connection_keepalive on the client: an upstream that does not answer PING is closed (cluster http2.keepalive_timeout)', async () => {
  const up = await rawUpstream();
  const cbs = new RecordingConnectionCallbacks();
  const { http2ProtocolOptions } = await import('../../../src/runtime/codec/http2/options.js');
  const { connect, store } = h2ClientConnect({ http2: http2ProtocolOptions({ connection_keepalive: { interval: 20, timeout: 50, interval_jitter: 0 } }) });
  const c = await connect(up.port, cbs);
  try {
    const { res } = send(c, 'GET', '/hang');
    await waitUntil(() => up.conns.length === 1);
    await up.conns[0]!.waitFor((f) => f.type === F.FrameType.PING && (f.flags & F.Flag.ACK) === 0);
    await res.done;
    assert.equal(res.reset, 'connection_termination');
    await waitUntil(() => cbs.closed !== undefined);
    assert.equal(cbs.closed!.cause, 'keepalive_timeout');
    assert.equal(store.counterValue('cluster.up.http2.keepalive_timeout'), 1);
  } finally {
    c.close();
    await up.close();
  }
});

test('a request body the upstream does not take raises the high watermark; the window opening lowers it', async () => {
  const up = await rawUpstream();
  const { connect } = h2ClientConnect();
  const c = await connect(up.port, new RecordingConnectionCallbacks());
  try {
    const { RecordingResponse } = await import('./client_codec_contract.js');
    const res = new RecordingResponse();
    const marks: string[] = [];
    const enc = res.watch(c.newStream(res));
    enc.stream.addCallbacks({ onResetStream: () => {}, onAboveWriteBufferHighWatermark: () => marks.push('above'), onBelowWriteBufferLowWatermark: () => marks.push('below') });
    enc.encodeHeaders('POST', '/upload', 'up', [], false);
    // The raw upstream keeps the RFC's 65535-byte stream window and never sends WINDOW_UPDATE.
    const chunk = Buffer.alloc(16384, 97);
    for (let i = 0; i < 64 && !marks.includes('above'); i++) enc.encodeData(chunk, false);
    assert.deepEqual(marks, ['above']);
    await waitUntil(() => up.conns.length === 1);
    up.conns[0]!.write([F.windowUpdate(0, 4 * 1024 * 1024), F.windowUpdate(1, 4 * 1024 * 1024)]);
    await waitUntil(() => marks.length === 2);
    assert.deepEqual(marks, ['above', 'below']);
  } finally {
    c.close();
    await up.close();
  }
});
