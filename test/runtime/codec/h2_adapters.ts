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
import { Http2ClientConnection, type Http2ClientCodecOptions } from '../../../src/runtime/codec/http2/client_codec.js';
import type { ConnectionCallbacks } from '../../../src/runtime/codec/types.js';
import type { ServerCodecFactory } from './codec_server.js';
import type { ClientCodecAdapter, UpstreamServer } from './client_codec_contract.js';
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

/** The HTTP/2 client codec over a connected socket, with its own stats store. */
export function h2ClientConnect(overrides: Partial<Http2ClientCodecOptions> = {}): { connect: (port: number, callbacks: ConnectionCallbacks) => Promise<Http2ClientConnection>; store: StatsStore } {
  const store = new StatsStore();
  const stats = http2CodecStats(store.scope('cluster.up.'));
  return {
    store,
    connect: async (port, callbacks) => {
      const socket = await connectSocket(port);
      return new Http2ClientConnection(socket, callbacks, { http2: DEFAULT_HTTP2_PROTOCOL_OPTIONS, limits: DEFAULT_HEADER_LIMITS, stats, authority: `127.0.0.1:${port}`, ...overrides });
    },
  };
}

/** A node:http2 h2c upstream implementing the client contract's paths. */
export async function startH2Upstream(settings: http2.Settings = {}): Promise<UpstreamServer> {
  const received: UpstreamServer['received'] = [];
  const server = http2.createServer({ settings });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const path = String(headers[':path']);
    const method = String(headers[':method']);
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders | undefined;
    const entry = { method, path, headers: headers as Record<string, unknown>, body: '', trailers: undefined as Record<string, unknown> | undefined };
    received.push(entry);
    if (path === '/hang') return;
    if (path === '/reset') {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (path === '/close') {
      stream.respond({ ':status': 200 });
      stream.write('partial', () => stream.session?.destroy());
      return;
    }
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      entry.body = Buffer.concat(chunks).toString();
      entry.trailers = trailers;
      if (stream.destroyed) return;
      if (path === '/trailers') {
        stream.respond({ ':status': 200 }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-status': '0' }));
        stream.end('ok');
        return;
      }
      const echoTrailers = trailers !== undefined ? Object.fromEntries(Object.entries(trailers).filter(([k]) => !k.startsWith(':'))) : undefined;
      stream.respond({ ':status': 200, 'x-method': method, 'x-in': String(headers['x-in'] ?? '') }, { waitForTrailers: echoTrailers !== undefined });
      if (echoTrailers !== undefined) stream.on('wantTrailers', () => stream.sendTrailers(echoTrailers as http2.OutgoingHttpHeaders));
      stream.end(entry.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const h2ClientAdapter: ClientCodecAdapter = {
  name: 'HTTP/2 (node:http2)',
  protocol: 'HTTP/2',
  trailers: true,
  multiplexing: true,
  upstreamResetReason: 'remote_reset',
  startUpstream: () => startH2Upstream(),
  connect: (port, callbacks) => h2ClientConnect().connect(port, callbacks),
};
