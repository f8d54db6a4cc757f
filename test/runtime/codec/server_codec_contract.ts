/**
 * The server codec contract: one suite, run against every ServerConnection implementation (as
 * hono runs one router suite against all its routers). An implementation joins by providing a
 * ServerCodecAdapter: how to build its codec on an accepted socket, and a client speaking its
 * protocol. Protocol-specific behaviour (frames, floods) lives in each implementation's own test
 * file; what is here holds for every codec.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol, StreamResetReason } from '../../../src/runtime/codec/types.js';
import { echoHandler, startCodecServer, type CodecServer, type RecordingDecoder, type ServerCodecFactory } from './codec_server.js';

export interface ClientRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer[];
  trailers?: Record<string, string>;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  trailers: Record<string, string | string[] | undefined> | undefined;
}

/** A request in flight that the test can abort. */
export interface PendingRequest {
  /** The client gives up on the request (HTTP/2: RST_STREAM CANCEL; HTTP/1: closes the connection). */
  abort(): void;
  readonly response: Promise<ClientResponse>;
}

export interface ServerCodecAdapter {
  readonly name: string;
  readonly protocol: Protocol;
  readonly factory: ServerCodecFactory;
  /** Several requests in flight on one connection. */
  readonly multiplexing: boolean;
  /** Trailers both ways. */
  readonly trailers: boolean;
  /** What the server's stream hears when the client aborts a request. */
  readonly clientAbortReason: StreamResetReason;
  /** Opens a client connection to `port`. */
  connect(port: number): Promise<TestClient>;
}

export interface TestClient {
  request(req: ClientRequest): PendingRequest;
  /** Whether the server closed this connection. */
  readonly closed: boolean;
  close(): Promise<void>;
}

async function waitUntil(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function serverCodecContract(adapter: ServerCodecAdapter): void {
  describe(`server codec contract: ${adapter.name}`, () => {
    let server: CodecServer | undefined;
    let client: TestClient | undefined;
    const start = async (handler: (r: RecordingDecoder) => void = echoHandler): Promise<TestClient> => {
      server = await startCodecServer(adapter.factory, handler);
      client = await adapter.connect(server.port);
      return client;
    };
    const stop = async (): Promise<void> => {
      await client?.close();
      await server?.close();
      client = server = undefined;
    };

    test('a GET reaches the decoder as a RequestHeaderMap and the response goes back', async () => {
      const c = await start();
      try {
        const res = await c.request({ path: '/a/b?x=1', headers: { 'x-custom': 'v' } }).response;
        assert.equal(res.status, 200);
        assert.equal(res.body, '/a/b?x=1');
        assert.equal(res.headers['x-method'], 'GET');
        const req = server!.requests[0]!;
        assert.equal(req.headers!.method, 'GET');
        assert.equal(req.headers!.path, '/a/b?x=1');
        assert.equal(req.headers!.scheme, 'http');
        assert.match(req.headers!.authority!, /^127\.0\.0\.1:\d+$/);
        assert.equal(req.headers!.headers['host'], req.headers!.authority);
        assert.equal(req.headers!.headers['x-custom'], 'v');
        assert.equal(req.headersEndStream, true);
        assert.equal(server!.connections[0]!.protocol, adapter.protocol);
      } finally {
        await stop();
      }
    });

    test('a request body arrives as decodeData chunks ending with endStream', async () => {
      const c = await start();
      try {
        const res = await c.request({ method: 'POST', path: '/echo', body: [Buffer.from('hello '), Buffer.from('world')] }).response;
        assert.equal(res.body, 'hello world');
        const req = server!.requests[0]!;
        assert.equal(req.headersEndStream, false);
        assert.equal(req.ended, true);
        assert.equal(req.body, 'hello world');
      } finally {
        await stop();
      }
    });

    test('repeated request headers are joined with ",", cookie crumbs with "; "', async () => {
      const c = await start();
      try {
        await c.request({ path: '/', headers: { 'x-list': ['a', 'b'], cookie: ['c1=1', 'c2=2'] } }).response;
        const h = server!.requests[0]!.headers!.headers;
        assert.equal(h['x-list'], 'a,b');
        assert.equal(h['cookie'], 'c1=1; c2=2');
      } finally {
        await stop();
      }
    });

    test('connection-specific response headers are framing, never copied', async () => {
      const c = await start((req) => {
        req.encoder.encodeHeaders({ status: 204, headers: { connection: 'close', 'keep-alive': 'timeout=5', 'x-ok': '1' } }, true);
      });
      try {
        const res = await c.request({ path: '/' }).response;
        assert.equal(res.status, 204);
        assert.equal(res.headers['x-ok'], '1');
        assert.equal(res.headers['keep-alive'], undefined);
      } finally {
        await stop();
      }
    });

    test('encodeHeaders refuses an invalid header value and writes nothing', async () => {
      let ok: boolean | undefined;
      const c = await start((req) => {
        ok = req.encoder.encodeHeaders({ status: 200, headers: { 'x-bad': 'a\r\nb' } }, true);
        if (!ok) req.encoder.encodeHeaders({ status: 502, headers: {} }, true);
      });
      try {
        const res = await c.request({ path: '/' }).response;
        assert.equal(ok, false);
        assert.equal(res.status, 502);
      } finally {
        await stop();
      }
    });

    test('a client abort reaches the stream as onResetStream', async () => {
      const c = await start(() => {});
      try {
        const p = c.request({ method: 'POST', path: '/slow', body: [] });
        p.response.catch(() => {});
        await waitUntil(() => server!.requests.length === 1);
        p.abort();
        await waitUntil(() => server!.requests[0]!.reset !== undefined);
        assert.equal(server!.requests[0]!.reset, adapter.clientAbortReason);
      } finally {
        await stop();
      }
    });

    test('resetStream runs the reset callbacks synchronously and the client sees no response', async () => {
      let heard: StreamResetReason | undefined;
      let sync = false;
      const c = await start((req) => {
        req.encoder.stream.addCallbacks({ onResetStream: (r) => (heard = r) });
        req.encoder.stream.resetStream('local_reset');
        sync = heard === 'local_reset';
      });
      try {
        await assert.rejects(c.request({ path: '/' }).response);
        assert.equal(sync, true);
      } finally {
        await stop();
      }
    });

    test('readDisable holds the request body until re-enabled (counted)', async () => {
      const c = await start((req) => {
        req.encoder.stream.readDisable(true);
        req.encoder.stream.readDisable(true);
        echoHandler(req);
      });
      try {
        const p = c.request({ method: 'POST', path: '/echo', body: [Buffer.from('x'.repeat(1000))] });
        await waitUntil(() => server!.requests.length === 1);
        await new Promise((r) => setTimeout(r, 50));
        const req = server!.requests[0]!;
        assert.equal(req.chunks.length, 0, 'no body while read-disabled');
        req.encoder.stream.readDisable(false);
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(req.chunks.length, 0, 'still disabled once');
        req.encoder.stream.readDisable(false);
        const res = await p.response;
        assert.equal(res.body.length, 1000);
      } finally {
        await stop();
      }
    });

    test('a response the client does not read raises the write-buffer high watermark, then the low one', async () => {
      const marks: string[] = [];
      const big = Buffer.alloc(64 * 1024, 120);
      const c = await start((req) => {
        const enc = req.encoder;
        enc.stream.addCallbacks({
          onResetStream: () => {},
          onAboveWriteBufferHighWatermark: () => marks.push('above'),
          onBelowWriteBufferLowWatermark: () => {
            marks.push('below');
            enc.encodeData(Buffer.from('end'), true);
          },
        });
        enc.encodeHeaders({ status: 200, headers: {} }, false);
        // More than any window or socket buffer takes at once.
        for (let i = 0; i < 64 && !marks.includes('above'); i++) enc.encodeData(big, false);
      });
      try {
        const res = await c.request({ path: '/big' }).response;
        assert.deepEqual(marks, ['above', 'below']);
        assert.ok(res.body.endsWith('end'));
      } finally {
        await stop();
      }
    });

    test('goAway lets the stream in flight finish, then the connection closes (local_close)', async () => {
      let release: (() => void) | undefined;
      const c = await start((req) => {
        release = () => echoHandler(req);
      });
      try {
        const p = c.request({ path: '/inflight' });
        await waitUntil(() => release !== undefined);
        server!.connections[0]!.goAway();
        release!();
        const res = await p.response;
        assert.equal(res.status, 200);
        await waitUntil(() => server!.closes.length === 1);
        assert.equal(server!.closes[0]!.cause, 'local_close');
        assert.equal(server!.connections[0]!.activeStreams, 0);
      } finally {
        await stop();
      }
    });

    test('close() resets open streams with connection_termination, then onClose', async () => {
      const c = await start(() => {});
      try {
        const p = c.request({ path: '/hang' });
        p.response.catch(() => {});
        await waitUntil(() => server!.requests.length === 1);
        server!.connections[0]!.close();
        await waitUntil(() => server!.closes.length === 1);
        assert.equal(server!.requests[0]!.reset, 'connection_termination');
        assert.equal(server!.closes[0]!.cause, 'local_close');
      } finally {
        await stop();
      }
    });

    test('the peer closing reports remote_close', async () => {
      const c = await start();
      try {
        await c.request({ path: '/' }).response;
        await c.close();
        await waitUntil(() => server!.closes.length === 1);
        assert.equal(server!.closes[0]!.cause, 'remote_close');
      } finally {
        await stop();
      }
    });

    // Protocol features a codec lacks (HTTP/1: trailers dropped, one stream at a time) are not
    // part of its contract: those tests exist only for the codecs that have them.
    if (adapter.trailers) test('trailers both ways', async () => {
      const c = await start();
      try {
        const res = await c.request({ method: 'POST', path: '/t', body: [Buffer.from('abc')], trailers: { 'x-checksum': '42' } }).response;
        assert.deepEqual(server!.requests[0]!.trailers, [['x-checksum', '42']]);
        assert.equal(res.body, 'abc');
        assert.equal(res.trailers?.['x-checksum'], '42');
      } finally {
        await stop();
      }
    });

    if (adapter.multiplexing) test('streams are multiplexed and answered in any order', async () => {
      const held: RecordingDecoder[] = [];
      const c = await start((req) => {
        held.push(req);
        if (held.length === 10) for (const r of held.reverse()) echoHandler(r);
      });
      try {
        const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => c.request({ path: `/m${i}` }).response));
        assert.deepEqual(
          responses.map((r) => r.body),
          Array.from({ length: 10 }, (_, i) => `/m${i}`),
        );
        assert.equal(server!.connections.length, 1);
      } finally {
        await stop();
      }
    });
  });
}
