/**
 * The HTTP/2 implementations' adapters for the codec contract suites: the server codec with a
 * node:http2 client, and the client codec against a node:http2 (h2c) upstream.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { Http2ServerConnection, type Http2ServerCodecOptions } from '../../../src/runtime/codec/http2/server_codec.js';
import { DEFAULT_HEADER_LIMITS, DEFAULT_HTTP2_PROTOCOL_OPTIONS } from '../../../src/runtime/codec/http2/options.js';
import { http2CodecStats } from '../../../src/runtime/codec/http2/stats.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import type { ServerCodecFactory } from './codec_server.js';
import type { ClientResponse, PendingRequest, ServerCodecAdapter, TestClient } from './server_codec_contract.js';

/** A server codec factory with its own stats store (so a test can read `http2.*`). */
export function h2ServerFactory(overrides: Partial<Http2ServerCodecOptions> = {}): { factory: ServerCodecFactory; store: StatsStore } {
  const store = new StatsStore();
  const stats = http2CodecStats(store.scope(''));
  const factory: ServerCodecFactory = (socket, callbacks) =>
    new Http2ServerConnection(socket, callbacks, { http2: DEFAULT_HTTP2_PROTOCOL_OPTIONS, limits: DEFAULT_HEADER_LIMITS, stats, ...overrides });
  return { factory, store };
}

/** A node:http2 client on one connection. */
export async function h2TestClient(port: number): Promise<TestClient> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  let closed = false;
  session.on('close', () => (closed = true));
  return {
    get closed() {
      return closed;
    },
    request(req): PendingRequest {
      const headers: http2.OutgoingHttpHeaders = { ':method': req.method ?? 'GET', ':path': req.path, ...req.headers };
      const hasBody = req.body !== undefined || req.trailers !== undefined;
      const stream = session.request(headers, { endStream: !hasBody, waitForTrailers: req.trailers !== undefined });
      if (req.trailers !== undefined) stream.on('wantTrailers', () => stream.sendTrailers(req.trailers!));
      if (hasBody) {
        const body = req.body;
        if (typeof body === 'string') stream.end(body);
        else if (body !== undefined && body.length > 0) {
          for (const c of body) stream.write(c);
          stream.end();
        } else if (req.trailers !== undefined) stream.end();
      }
      const response = new Promise<ClientResponse>((resolve, reject) => {
        let status = 0;
        let headersOut: ClientResponse['headers'] = {};
        let trailers: ClientResponse['trailers'];
        const chunks: Buffer[] = [];
        stream.on('response', (h) => {
          status = Number(h[':status']);
          headersOut = h;
        });
        stream.on('trailers', (t) => (trailers = t));
        stream.on('data', (c: Buffer) => chunks.push(c));
        let ended = false;
        stream.on('end', () => (ended = true));
        stream.on('error', reject);
        stream.on('close', () => {
          // A reset (even NO_ERROR, Envoy's code for local resets) before a complete response.
          if (stream.rstCode !== 0 || status === 0 || !ended) reject(new Error(`stream reset ${stream.rstCode}`));
          else resolve({ status, headers: headersOut, body: Buffer.concat(chunks).toString(), trailers });
        });
      });
      return { abort: () => stream.close(http2.constants.NGHTTP2_CANCEL), response };
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        session.once('close', () => resolve());
        session.destroy();
      }),
  };
}

export const h2ServerAdapter: ServerCodecAdapter = {
  name: 'HTTP/2 (node:http2)',
  protocol: 'HTTP/2',
  factory: h2ServerFactory().factory,
  multiplexing: true,
  trailers: true,
  clientAbortReason: 'remote_reset',
  connect: h2TestClient,
};

/** Connects a plain socket to 127.0.0.1:`port`. */
export function connectSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}
