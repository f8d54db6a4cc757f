// The HTTP/2 server codec under raw frames: malformed h2 and the abuse cases (stream or
// connection error as Envoy, counted with Envoy's http2.* stats), each followed by a real request
// on a new connection to show the server keeps serving. Nothing reaches newStream for a refused
// stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from './h2_frames.js';
import { echoHandler, startCodecServer, type CodecServer } from './codec_server.js';
import { h2ServerFactory, h2TestClient } from './h2_adapters.js';
import type { Http2ServerCodecOptions } from '../../../src/runtime/codec/http2/server_codec.js';
import { DEFAULT_HEADER_LIMITS, http2ProtocolOptions } from '../../../src/runtime/codec/http2/options.js';
import type { StatsStore } from '../../../src/runtime/stats/store.js';

async function withServer(fn: (s: CodecServer, store: StatsStore) => Promise<void>, overrides: Partial<Http2ServerCodecOptions> = {}): Promise<void> {
  const { factory, store } = h2ServerFactory(overrides);
  const server = await startCodecServer(factory, echoHandler);
  try {
    await fn(server, store);
    // The server keeps serving: a fresh connection gets an answer.
    const c = await h2TestClient(server.port);
    const res = await c.request({ path: '/after' }).response;
    assert.equal(res.status, 200);
    await c.close();
  } finally {
    await server.close();
  }
}

const c = (store: StatsStore, name: string): number => store.counterValue(`http2.${name}`);
const isRst = (id: number) => (f: F.ParsedFrame) => f.type === F.FrameType.RST_STREAM && f.streamId === id;
const isGoaway = (f: F.ParsedFrame): boolean => f.type === F.FrameType.GOAWAY;
const isHeaders = (id: number) => (f: F.ParsedFrame) => f.type === F.FrameType.HEADERS && f.streamId === id;

test("the server's first SETTINGS and WINDOW_UPDATE carry Envoy's defaults", async () => {
  const { factory } = h2ServerFactory();
  const server = await startCodecServer(factory, echoHandler);
  try {
    const conn = await F.RawH2Connection.connect(server.port);
    const s = await conn.waitFor((f) => f.type === F.FrameType.SETTINGS && (f.flags & F.Flag.ACK) === 0);
    const entries = new Map<number, number>();
    for (let i = 0; i + 6 <= s.payload.length; i += 6) entries.set(s.payload.readUInt16BE(i), s.payload.readUInt32BE(i + 2));
    assert.equal(entries.get(F.Setting.MAX_CONCURRENT_STREAMS), 2147483647);
    assert.equal(entries.get(F.Setting.INITIAL_WINDOW_SIZE), 268435456);
    const wu = await conn.waitFor((f) => f.type === F.FrameType.WINDOW_UPDATE && f.streamId === 0);
    assert.equal(wu.payload.readUInt32BE(0), 268435456 - 65535);
    conn.close();
  } finally {
    await server.close();
  }
});

test('invalid request heads are stream errors (RST_STREAM PROTOCOL_ERROR) that never reach newStream', async () => {
  await withServer(async (server) => {
    const conn = await F.RawH2Connection.connect(server.port);
    const bad: Array<Array<[string, string]>> = [
      F.getRequest('/', [['X-Upper', '1']]),
      F.getRequest('/', [['connection', 'close']]),
      F.getRequest('/', [['transfer-encoding', 'chunked']]),
      F.getRequest('/', [['te', 'gzip']]),
      [[':method', 'GET'], [':scheme', 'http'], [':path', '/']], // no :authority nor host
      [[':method', 'GET'], [':scheme', 'http'], ['x', 'y'], [':path', '/'], [':authority', 'a']], // pseudo after regular
      [...F.getRequest('/'), [':unknown', 'x']],
    ];
    bad.forEach((h, i) => conn.write(F.headers(1 + 2 * i, h, { endStream: true })));
    const okId = 1 + 2 * bad.length;
    conn.write(F.headers(okId, F.getRequest('/ok'), { endStream: true }));
    for (let i = 0; i < bad.length; i++) assert.equal(F.errorCodeOf(await conn.waitFor(isRst(1 + 2 * i))), F.ErrorCode.PROTOCOL_ERROR);
    await conn.waitFor(isHeaders(okId));
    assert.deepEqual(
      server.requests.map((r) => r.headers!.path),
      ['/ok'],
    );
    assert.equal(conn.closed, false);
    conn.close();
  }, { http2: http2ProtocolOptions({ override_stream_error_on_invalid_http_message: true }) });
});

test('with stream_error_on_invalid_http_messaging false (the default) repeated invalid requests cost the connection', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    for (let i = 0; i < 3; i++) conn.write(F.headers(1 + 2 * i, F.getRequest('/', [['X-Upper', '1']]), { endStream: true }));
    const g = await conn.waitFor(isGoaway);
    await conn.waitClosed();
    assert.ok(g);
    assert.equal(c(store, 'inbound_empty_frames_flood'), 1);
    assert.equal(server.closes[0]!.cause, 'flood');
    assert.equal(server.requests.length, 0);
  });
});

test(':authority wins over host; host alone is the authority; whitespace around values is kept (Envoy)', async () => {
  await withServer(async (server) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '/1'], [':authority', 'a.example'], ['host', 'h.example']], { endStream: true }));
    conn.write(F.headers(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/2'], ['host', 'h.example'], ['x-ws', ' v ']], { endStream: true }));
    await conn.waitFor(isHeaders(3));
    await conn.waitFor(isHeaders(1));
    const [r1, r2] = [server.requests.find((r) => r.headers!.path === '/1')!, server.requests.find((r) => r.headers!.path === '/2')!];
    assert.equal(r1.headers!.authority, 'a.example');
    assert.equal(r1.headers!.headers['host'], 'a.example');
    assert.equal(r2.headers!.authority, 'h.example');
    assert.equal(r2.headers!.headers['x-ws'], ' v ');
    conn.close();
  });
});

test('malformed connections are connection errors: bad preface, DATA on stream 0, HEADERS after END_STREAM', async () => {
  await withServer(async (server) => {
    const cases: Array<{ bytes: Buffer[]; preface: boolean; code: number }> = [
      { bytes: [Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n')], preface: false, code: -1 },
      { bytes: [F.data(0, 'x')], preface: true, code: F.ErrorCode.PROTOCOL_ERROR },
      { bytes: [F.headers(1, F.getRequest('/'), { endStream: true }), F.headers(1, F.getRequest('/'), { endStream: true })], preface: true, code: F.ErrorCode.STREAM_CLOSED },
    ];
    for (const k of cases) {
      const conn = await F.RawH2Connection.connect(server.port, { preface: k.preface });
      conn.write(k.bytes);
      const g = await conn.waitFor(isGoaway);
      if (k.code >= 0) assert.equal(F.errorCodeOf(g), k.code);
      else assert.notEqual(F.errorCodeOf(g), F.ErrorCode.NO_ERROR);
      await conn.waitClosed();
    }
    assert.deepEqual(
      server.closes.map((x) => x.cause),
      ['protocol_error', 'protocol_error', 'protocol_error'],
    );
  });
});

test('oversized header lists are refused with RST_STREAM and counted (http2.header_overflow)', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    // 61 KiB of header bytes: over max_request_headers_kb (60), under node's own limit.
    conn.write(F.headersSplit(1, F.getRequest('/', [['x-big', 'v'.repeat(61 * 1024)]]), { endStream: true }));
    // 101 headers: over max_headers_count (100).
    const many: Array<[string, string]> = Array.from({ length: 101 }, (_, i) => [`x-h${i}`, '1']);
    conn.write(F.headers(3, F.getRequest('/', many), { endStream: true }));
    assert.equal(F.errorCodeOf(await conn.waitFor(isRst(1))), F.ErrorCode.INTERNAL_ERROR);
    assert.equal(F.errorCodeOf(await conn.waitFor(isRst(3))), F.ErrorCode.INTERNAL_ERROR);
    assert.equal(c(store, 'header_overflow'), 2);
    assert.equal(c(store, 'tx_reset'), 2);
    assert.equal(server.requests.length, 0);
    conn.close();
  });
});

test('headers_with_underscores_action: REJECT_REQUEST resets, DROP_HEADER drops (counted)', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, F.getRequest('/', [['x_a', '1']]), { endStream: true }));
    assert.equal(F.errorCodeOf(await conn.waitFor(isRst(1))), F.ErrorCode.INTERNAL_ERROR);
    assert.equal(c(store, 'requests_rejected_with_underscores_in_headers'), 1);
    assert.equal(server.requests.length, 0);
    conn.close();
  }, { limits: { ...DEFAULT_HEADER_LIMITS, headersWithUnderscoresAction: 'REJECT_REQUEST' } });
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, F.getRequest('/', [['x_a', '1'], ['x-b', '2']]), { endStream: true }));
    await conn.waitFor(isHeaders(1));
    assert.equal(c(store, 'dropped_headers_with_underscores'), 1);
    assert.equal(server.requests[0]!.headers!.headers['x_a'], undefined);
    assert.equal(server.requests[0]!.headers!.headers['x-b'], '2');
    conn.close();
  }, { limits: { ...DEFAULT_HEADER_LIMITS, headersWithUnderscoresAction: 'DROP_HEADER' } });
});

test('rapid reset (HEADERS then RST_STREAM in a loop) closes the connection at the premature-reset threshold', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    const frames: Buffer[] = [];
    for (let i = 0; i < 1000; i++) frames.push(F.headers(1 + 2 * i, F.getRequest('/', [], 'x'), { endStream: false }), F.rstStream(1 + 2 * i, F.ErrorCode.CANCEL));
    conn.write(frames);
    await conn.waitFor(isGoaway);
    await conn.waitClosed();
    assert.equal(server.closes[0]!.cause, 'too_many_premature_resets');
    // Envoy: 500 streams or half of them premature; the codec stopped after 250 premature resets.
    assert.ok(server.requests.length <= 260, `${server.requests.length} streams reached newStream`);
    assert.ok(c(store, 'rx_reset') >= 250);
    assert.equal(store.gaugeValue('http2.streams_active'), 0);
  });
});

test('a client that opens and completes streams normally is never closed by the premature-reset check', async () => {
  await withServer(async (server) => {
    const client = await h2TestClient(server.port);
    for (let i = 0; i < 6; i++) await Promise.all(Array.from({ length: 100 }, () => client.request({ path: '/' }).response));
    assert.equal(client.closed, false);
    await client.close();
  });
});

test('PING and SETTINGS floods from a peer that does not read close the connection (http2.outbound_control_flood)', async () => {
  for (const make of [() => F.ping(), () => F.settings([[F.Setting.INITIAL_WINDOW_SIZE, 65535]])]) {
    await withServer(async (server, store) => {
      const conn = await F.RawH2Connection.connect(server.port);
      conn.socket.pause();
      const frames = Array.from({ length: 20000 }, make);
      for (let i = 0; i < frames.length; i += 1000) conn.write(frames.slice(i, i + 1000));
      conn.socket.resume();
      await conn.waitClosed(5000);
      assert.equal(c(store, 'outbound_control_flood'), 1);
      assert.equal(server.closes[0]!.cause, 'flood');
    });
  }
});

test('a CONTINUATION flood closes the connection (protocol error) before any stream starts', async () => {
  await withServer(async (server) => {
    const conn = await F.RawH2Connection.connect(server.port);
    const frames = [F.headers(1, F.getRequest('/'), { endStream: true, endHeaders: false })];
    for (let i = 0; i < 1000; i++) frames.push(F.continuation(1, F.headerBlock([['x-c', '1']]), false));
    conn.write(frames);
    await conn.waitFor(isGoaway);
    await conn.waitClosed();
    assert.equal(server.closes[0]!.cause, 'protocol_error');
    assert.equal(server.requests.length, 0);
  });
});

test('a PRIORITY flood is absorbed by nghttp2: the connection keeps serving (max_inbound_priority_frames_per_stream is not enforced)', async () => {
  const { factory } = h2ServerFactory();
  const server = await startCodecServer(factory, echoHandler);
  try {
    const conn = await F.RawH2Connection.connect(server.port);
    const frames = [F.headers(1, F.getRequest('/', [], 'x'), { endStream: false })];
    for (let i = 0; i < 2000; i++) frames.push(F.priority(1, 0));
    frames.push(F.data(1, 'body', true));
    conn.write(frames);
    await conn.waitFor(isHeaders(1));
    assert.equal(conn.closed, false);
    assert.equal(server.requests[0]!.body, 'body');
    conn.close();
  } finally {
    await server.close();
  }
});

test('DATA frames with empty payloads close the connection (http2.inbound_empty_frames_flood)', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write([F.headers(1, F.getRequest('/', [], 'x'), { endStream: false }), F.data(1, ''), F.data(1, ''), F.data(1, '')]);
    await conn.waitFor(isGoaway);
    await conn.waitClosed();
    assert.equal(c(store, 'inbound_empty_frames_flood'), 1);
    assert.equal(server.requests[0]!.reset, 'connection_termination');
  });
});

test('RST_STREAM from the client reaches the stream as remote_reset (http2.rx_reset)', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, F.getRequest('/', [], 'x'), { endStream: false }));
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    conn.write(F.rstStream(1, F.ErrorCode.CANCEL));
    while (server.requests[0]!.reset === undefined) await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.requests[0]!.reset, 'remote_reset');
    assert.equal(c(store, 'rx_reset'), 1);
    conn.close();
  });
});

test('shutdownNotice sends GOAWAY with the maximum stream id, goAway the last one processed', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, F.getRequest('/'), { endStream: true }));
    await conn.waitFor(isHeaders(1));
    server.connections[0]!.shutdownNotice();
    const notice = await conn.waitFor(isGoaway);
    assert.equal(notice.payload.readUInt32BE(0) & 0x7fffffff, 2147483647);
    assert.equal(F.errorCodeOf(notice), F.ErrorCode.NO_ERROR);
    server.connections[0]!.goAway();
    const last = await conn.waitFor((f) => isGoaway(f) && f !== notice);
    assert.equal(last.payload.readUInt32BE(0), 1);
    await conn.waitClosed();
    assert.equal(c(store, 'goaway_graceful_sent'), 1);
    assert.equal(c(store, 'goaway_sent'), 1);
  });
});

test('a trailers-only response is one HEADERS frame with END_STREAM', async () => {
  const { factory } = h2ServerFactory();
  const server = await startCodecServer(factory, (req) => {
    req.encoder.encodeHeaders({ status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': '12' } }, true);
  });
  try {
    const conn = await F.RawH2Connection.connect(server.port);
    conn.write(F.headers(1, F.getRequest('/svc/M', [['te', 'trailers']]), { endStream: true }));
    const h = await conn.waitFor(isHeaders(1));
    assert.equal(h.flags & F.Flag.END_STREAM, F.Flag.END_STREAM);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(conn.frames.filter((f) => f.streamId === 1).length, 1);
    conn.close();
  } finally {
    await server.close();
  }
});

test('connection_keepalive: an unanswered PING closes the connection (http2.keepalive_timeout)', async () => {
  await withServer(async (server, store) => {
    const conn = await F.RawH2Connection.connect(server.port);
    const p = await conn.waitFor((f) => f.type === F.FrameType.PING && (f.flags & F.Flag.ACK) === 0);
    assert.ok(p);
    await conn.waitClosed();
    assert.equal(c(store, 'keepalive_timeout'), 1);
    assert.equal(server.closes[0]!.cause, 'keepalive_timeout');
  }, { http2: http2ProtocolOptions({ connection_keepalive: { interval: 20, timeout: 50, interval_jitter: 0 } }) });
});
