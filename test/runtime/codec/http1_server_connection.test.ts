// The server codec contract (server_codec_contract.ts) run against the HTTP/1.1 ServerConnection
// (codec/http1/server_connection.ts) with node:http as the client: the same suite the HTTP/2
// codec passes, minus multiplexing and trailers (HTTP/1 answers one request at a time and drops
// trailers, as Envoy's codec without enable_trailers).
import http from 'node:http';
import net from 'node:net';
import { Http1ServerConnection, type Http1RequestDecoder } from '../../../src/runtime/codec/http1/server_connection.js';
import { http1CodecStats } from '../../../src/runtime/codec/http1/codec_stats.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import type { ServerCodecFactory } from './codec_server.js';
import { serverCodecContract, type ClientResponse, type PendingRequest, type ServerCodecAdapter, type TestClient } from './server_codec_contract.js';

const factory: ServerCodecFactory = (socket, callbacks) => {
  const store = new StatsStore();
  let conn: Http1ServerConnection | undefined = undefined;
  conn = new Http1ServerConnection(
    socket,
    {
      ...callbacks,
      newStream(encoder): Http1RequestDecoder {
        const d = callbacks.newStream(encoder);
        return Object.assign(d, {
          closeConnectionAfterResponse(): void {},
          refuseHeaders(_h: unknown, status: number, details: string): void {
            d.sendLocalReply(status, '', details);
          },
          onCodecError(status: number, body: string, details: string): void {
            d.sendLocalReply(status, body, details);
          },
        });
      },
      onClose: (cause, details) => callbacks.onClose?.(cause, details),
      onHeadlessRequest(): void {},
      hasActiveStream: () => conn !== undefined && !conn.codec.idle,
    },
    {
      codec: { maxHeaderSize: 60 * 1024, headersWithUnderscoresAction: 'ALLOW', validateScheme: false, stats: http1CodecStats(store) },
      acceptHttp10: false,
      defaultHostForHttp10: undefined,
      maxHeadersCount: 100,
      streamIdleTimeoutMs: 0,
      requestHeadersTimeoutMs: 0,
      serverName: 'envoy',
      time: { now: () => Date.now(), monotonic: () => performance.now() },
    },
  );
  return conn;
};

/** node:http on one keep-alive socket. */
async function http1TestClient(port: number): Promise<TestClient> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let closed = false;
  let socket: net.Socket | undefined;
  return {
    get closed() {
      return closed;
    },
    request(req): PendingRequest {
      const r = http.request({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers: req.headers, agent });
      r.on('socket', (s: net.Socket) => {
        if (socket !== s) {
          socket = s;
          s.on('close', () => (closed = true));
        }
      });
      const response = new Promise<ClientResponse>((resolve, reject) => {
        r.on('error', reject);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('aborted')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), trailers: undefined }));
        });
      });
      const body = req.body;
      if (typeof body === 'string') r.end(body);
      else if (body !== undefined && body.length > 0) {
        for (const c of body) r.write(c);
        r.end();
      } else if (body !== undefined) r.flushHeaders();
      else r.end();
      return { abort: () => r.destroy(), response };
    },
    async close() {
      agent.destroy();
      if (socket !== undefined && !socket.destroyed) await new Promise<void>((res) => socket!.once('close', () => res()));
    },
  };
}

const adapter: ServerCodecAdapter = {
  name: 'HTTP/1.1 (llhttp)',
  protocol: 'HTTP/1.1',
  factory,
  multiplexing: false,
  trailers: false,
  clientAbortReason: 'connection_termination',
  connect: http1TestClient,
};

serverCodecContract(adapter);
