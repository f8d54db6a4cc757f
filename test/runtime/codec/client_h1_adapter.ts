/**
 * The HTTP/1.1 client codec's adapter for the client codec contract suite: the codec over a
 * connected socket (enable_trailers on, so request trailers go out), against a node:http
 * upstream implementing the contract's paths. An HTTP/1 upstream cannot reset one stream: /reset
 * destroys the connection after the request head, which the codec reports as
 * connection_termination.
 */
import http from 'node:http';
import type net from 'node:net';
import { Http1ClientConnection } from '../../../src/runtime/codec/http1/client_codec.js';
import type { ClientCodecAdapter, UpstreamServer } from './client_codec_contract.js';
import { connectSocket } from './h2_adapters.js';

/** A node:http upstream implementing the client contract's paths. */
export async function startH1Upstream(): Promise<UpstreamServer> {
  const received: UpstreamServer['received'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const entry = { method: req.method ?? '', path, headers: req.headers as Record<string, unknown>, body: '', trailers: undefined as Record<string, unknown> | undefined };
    received.push(entry);
    if (path === '/hang') return;
    if (path === '/reset') {
      req.socket.destroy();
      return;
    }
    if (path === '/close') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      entry.body = Buffer.concat(chunks).toString();
      const trailers = Object.keys(req.trailers).length > 0 ? { ...req.trailers } : undefined;
      entry.trailers = trailers;
      if (path === '/trailers') {
        res.writeHead(200, { trailer: 'x-status' });
        res.write('ok');
        res.addTrailers({ 'x-status': '0' });
        res.end();
        return;
      }
      res.setHeader('x-method', req.method ?? '');
      res.setHeader('x-in', String(req.headers['x-in'] ?? ''));
      if (trailers !== undefined) {
        res.setHeader('trailer', Object.keys(trailers).join(', '));
        res.write(entry.body);
        res.addTrailers(trailers as http.OutgoingHttpHeaders);
        res.end();
        return;
      }
      res.end(entry.body);
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const h1ClientAdapter: ClientCodecAdapter = {
  name: 'HTTP/1.1 (llhttp)',
  protocol: 'HTTP/1.1',
  trailers: true,
  multiplexing: false,
  upstreamResetReason: 'connection_termination',
  startUpstream: () => startH1Upstream(),
  connect: async (port, callbacks) => new Http1ClientConnection(await connectSocket(port), callbacks, { maxHeaderSize: 60 * 1024, enableTrailers: true }),
};
