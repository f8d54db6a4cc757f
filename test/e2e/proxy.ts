/**
 * Starts the real data plane in-process (src/runtime/server.ts) on a generated Bootstrap, and a
 * small HTTP client with timeouts for talking to it.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/runtime/server.js';
import { createClusterManager } from '../../src/runtime/upstream/cluster_manager.js';
import type { StreamInfo } from '../../src/runtime/stream_info.js';

export interface Proxy {
  readonly server: RunningServer;
  readonly port: number;
  /** The random value every `random()` call returns (route picks); set it per request. */
  randomValue: number;
  /** StreamInfo of every finished stream, in completion order. */
  readonly completed: StreamInfo[];
  stop(): Promise<void>;
}

export async function startProxy(bootstrapText: string, options: Partial<ServerOptions> = {}): Promise<Proxy> {
  const loaded = loadConfig(bootstrapText, 'e2e-bootstrap.yaml', { type: 'bootstrap' });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length) {
    throw new Error(`generated bootstrap does not load: ${errors.map((d) => `${d.line}:${d.col} ${d.message}`).join('; ')}`);
  }
  const completed: StreamInfo[] = [];
  const proxy = {
    randomValue: 0,
    completed,
  } as { randomValue: number; completed: StreamInfo[]; server?: RunningServer; port?: number; stop?: () => Promise<void> };
  const started = await startServer(loaded.config, {
    random: { random: () => proxy.randomValue, uuid: () => randomUUID() },
    createClusterManager: (clusters, store) => createClusterManager(clusters, store, { random: Math.random }),
    onStreamComplete: (info) => completed.push(info),
    ...options,
  });
  if (!started.server) {
    throw new Error(`server did not start: ${started.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule} ${d.message}`).join('; ')}`);
  }
  const server = started.server;
  proxy.server = server;
  proxy.port = server.listeners[0]!.port;
  proxy.stop = () => server.stop(0);
  return proxy as Proxy;
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with its own connection; rejects after `timeoutMs`. */
export function send(
  port: number,
  req: { method: string; path: string; authority: string; headers?: Record<string, string | string[]>; body?: string },
  timeoutMs = 5000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        setHost: false,
        agent: false,
        headers: { host: req.authority, ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * The same request over prior-knowledge h2c (`:authority` from `authority`), one connection per
 * request; the response headers come back as node's http2 client gives them (`:status` removed).
 */
export function sendH2(
  port: number,
  req: { method: string; path: string; authority: string; headers?: Record<string, string | string[]>; body?: string },
  timeoutMs = 5000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`request timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.on('error', fail);
    let stream;
    try {
      stream = session.request({ ':method': req.method, ':path': req.path, ':authority': req.authority, ...req.headers }, { endStream: req.body === undefined });
    } catch (err) {
      fail(err as Error);
      return;
    }
    stream.on('error', fail);
    stream.on('response', (h) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        clearTimeout(timer);
        session.close();
        const headers: IncomingHttpHeaders = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) headers[k] = v as string;
        resolve({ status: Number(h[':status']), headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    if (req.body !== undefined) stream.end(req.body);
  });
}
