/**
 * The client codec contract: one suite, run against every ClientConnection implementation. An
 * implementation joins with a ClientCodecAdapter: how to build its codec on a connected socket,
 * and an upstream server speaking its protocol whose behaviour the suite picks by path.
 *
 * Upstream paths every adapter's server implements:
 *   /echo      200, the request body back, `x-method` and the request's `x-in` header; request
 *              trailers come back as response trailers
 *   /trailers  200, body `ok`, trailers `x-status: 0`
 *   /reset     resets the stream after the request head (HTTP/2 RST_STREAM INTERNAL_ERROR)
 *   /hang      never answers
 *   /close     sends the response head, then closes the connection
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import type {
  ClientConnection,
  ConnectionCallbacks,
  ConnectionCloseCause,
  HeaderList,
  Protocol,
  RequestEncoder,
  ResponseDecoder,
  StreamResetReason,
} from '../../../src/runtime/codec/types.js';

export interface UpstreamServer {
  readonly port: number;
  /** Request heads received, in order (method, path, headers as received). */
  readonly received: Array<{ method: string; path: string; headers: Record<string, unknown>; body: string; trailers?: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface ClientCodecAdapter {
  readonly name: string;
  readonly protocol: Protocol;
  readonly trailers: boolean;
  readonly multiplexing: boolean;
  /** What a stream hears when the upstream resets it. */
  readonly upstreamResetReason: StreamResetReason;
  startUpstream(): Promise<UpstreamServer>;
  /** Connects to `port` and builds the codec over the socket. */
  connect(port: number, callbacks: ConnectionCallbacks): Promise<ClientConnection>;
}

/** Collects one response. */
export class RecordingResponse implements ResponseDecoder {
  status = 0;
  headers: HeaderList = [];
  readonly chunks: Buffer[] = [];
  trailers: HeaderList | undefined;
  ended = false;
  reset: StreamResetReason | undefined;
  resetDetails = '';
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor() {
    this.done = new Promise((r) => (this.resolve = r));
  }

  /** Registers for the stream's resets (call once the encoder exists). */
  watch(encoder: RequestEncoder): RequestEncoder {
    encoder.stream.addCallbacks({
      onResetStream: (reason, details) => {
        this.reset = reason;
        this.resetDetails = details;
        this.resolve();
      },
    });
    return encoder;
  }

  decodeHeaders(status: number, headers: HeaderList, endStream: boolean): void {
    this.status = status;
    this.headers = headers;
    if (endStream) this.end();
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (chunk.length > 0) this.chunks.push(chunk);
    if (endStream) this.end();
  }

  decodeTrailers(trailers: HeaderList): void {
    this.trailers = trailers;
    this.end();
  }

  header(name: string): string | undefined {
    return this.headers.find(([n]) => n === name)?.[1];
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString();
  }

  private end(): void {
    this.ended = true;
    this.resolve();
  }
}

/** Connection events a test can look at. */
export class RecordingConnectionCallbacks implements ConnectionCallbacks {
  readonly goaways: number[] = [];
  readonly maxStreams: number[] = [];
  closed: { cause: ConnectionCloseCause; details: string } | undefined;
  onGoAway(code: number): void {
    this.goaways.push(code);
  }
  onMaxStreamsChanged(n: number): void {
    this.maxStreams.push(n);
  }
  onClose(cause: ConnectionCloseCause, details: string): void {
    this.closed = { cause, details };
  }
}

async function waitUntil(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends one request on `conn`; `body` chunks then trailers, if any. */
export function send(conn: ClientConnection, method: string, path: string, options: { headers?: HeaderList; body?: string[]; trailers?: HeaderList; authority?: string } = {}): { res: RecordingResponse; enc: RequestEncoder } {
  const res = new RecordingResponse();
  const enc = res.watch(conn.newStream(res));
  const hasBody = options.body !== undefined || options.trailers !== undefined;
  enc.encodeHeaders(method, path, options.authority ?? 'upstream.test', options.headers ?? [], !hasBody);
  if (hasBody) {
    const body = options.body ?? [];
    body.forEach((chunk, i) => enc.encodeData(Buffer.from(chunk), options.trailers === undefined && i === body.length - 1));
    if (options.trailers !== undefined) enc.encodeTrailers(options.trailers);
    else if (body.length === 0) enc.encodeData(Buffer.alloc(0), true);
  }
  return { res, enc };
}

export function clientCodecContract(adapter: ClientCodecAdapter): void {
  describe(`client codec contract: ${adapter.name}`, () => {
    let upstream: UpstreamServer | undefined;
    let conn: ClientConnection | undefined;
    let cbs: RecordingConnectionCallbacks;
    const start = async (): Promise<ClientConnection> => {
      upstream = await adapter.startUpstream();
      cbs = new RecordingConnectionCallbacks();
      conn = await adapter.connect(upstream.port, cbs);
      return conn;
    };
    const stop = async (): Promise<void> => {
      conn?.close();
      await upstream?.close();
      conn = upstream = undefined;
    };

    test('a GET: status, headers and body; :authority and :method reach the upstream', async () => {
      const c = await start();
      try {
        assert.equal(c.protocol, adapter.protocol);
        assert.ok(c.streamCapacity() >= 1);
        const { res } = send(c, 'GET', '/echo?q=1', { headers: [['x-in', 'v1']] });
        await res.done;
        assert.equal(res.reset, undefined);
        assert.equal(res.status, 200);
        assert.equal(res.header('x-method'), 'GET');
        assert.equal(res.header('x-in'), 'v1');
        const r = upstream!.received[0]!;
        assert.equal(r.path, '/echo?q=1');
        assert.equal(r.method, 'GET');
      } finally {
        await stop();
      }
    });

    test('a request body is sent and its end is the last chunk', async () => {
      const c = await start();
      try {
        const { res } = send(c, 'POST', '/echo', { body: ['hello ', 'upstream'] });
        await res.done;
        assert.equal(res.body, 'hello upstream');
        assert.equal(upstream!.received[0]!.body, 'hello upstream');
      } finally {
        await stop();
      }
    });

    test('response trailers end the response; request trailers reach the upstream', { skip: !adapter.trailers && 'no trailers' }, async () => {
      const c = await start();
      try {
        const { res } = send(c, 'GET', '/trailers');
        await res.done;
        assert.equal(res.body, 'ok');
        assert.deepEqual(res.trailers, [['x-status', '0']]);
        const echo = send(c, 'POST', '/echo', { body: ['b'], trailers: [['x-sum', '9']] }).res;
        await echo.done;
        assert.deepEqual(echo.trailers, [['x-sum', '9']]);
      } finally {
        await stop();
      }
    });

    test('an upstream reset reaches the stream', async () => {
      const c = await start();
      try {
        const { res } = send(c, 'GET', '/reset');
        await res.done;
        assert.equal(res.reset, adapter.upstreamResetReason);
        assert.equal(res.ended, false);
      } finally {
        await stop();
      }
    });

    test('the upstream closing mid-response resets the stream with connection_termination', async () => {
      const c = await start();
      try {
        const { res } = send(c, 'GET', '/close');
        await res.done;
        assert.equal(res.reset, 'connection_termination');
        await waitUntil(() => cbs.closed !== undefined);
        assert.equal(c.streamCapacity(), 0);
      } finally {
        await stop();
      }
    });

    test('resetStream runs the callbacks synchronously; nothing more is decoded', async () => {
      const c = await start();
      try {
        const { res, enc } = send(c, 'GET', '/hang');
        await waitUntil(() => upstream!.received.length === 1);
        enc.stream.resetStream('local_reset');
        assert.equal(res.reset, 'local_reset');
        assert.equal(res.status, 0);
      } finally {
        await stop();
      }
    });

    test('close() resets open streams with connection_termination and reports local_close', async () => {
      const c = await start();
      try {
        const { res } = send(c, 'GET', '/hang');
        await waitUntil(() => upstream!.received.length === 1);
        c.close();
        await res.done;
        assert.equal(res.reset, 'connection_termination');
        await waitUntil(() => cbs.closed !== undefined);
        assert.equal(cbs.closed!.cause, 'local_close');
        assert.equal(c.activeStreams, 0);
      } finally {
        await stop();
      }
    });

    test('streamCapacity counts open streams', async () => {
      const c = await start();
      try {
        const before = c.streamCapacity();
        const { res } = send(c, 'GET', '/hang');
        if (adapter.multiplexing) assert.equal(c.streamCapacity(), before - 1);
        else assert.equal(c.streamCapacity(), 0);
        assert.equal(c.activeStreams, 1);
        res.watch; // keep the reference
      } finally {
        await stop();
      }
    });

    test(adapter.multiplexing ? 'several streams at once on one connection' : 'streams one after another on one connection: the capacity comes back after each response', async () => {
      const c = await start();
      try {
        if (adapter.multiplexing) {
          const all = Array.from({ length: 20 }, (_, i) => send(c, 'POST', '/echo', { body: [`n${i}`] }).res);
          await Promise.all(all.map((r) => r.done));
          assert.deepEqual(
            all.map((r) => r.body),
            Array.from({ length: 20 }, (_, i) => `n${i}`),
          );
        } else {
          for (let i = 0; i < 5; i++) {
            await new Promise((r) => setImmediate(r));
            assert.equal(c.streamCapacity(), 1, `before request ${i}`);
            const { res } = send(c, 'POST', '/echo', { body: [`n${i}`] });
            assert.equal(c.streamCapacity(), 0, 'one stream at a time');
            await res.done;
            assert.equal(res.body, `n${i}`);
          }
        }
      } finally {
        await stop();
      }
    });
  });
}

/** A socket connect helper for adapters. */
export type SocketFactory = (port: number) => Promise<net.Socket>;
