/**
 * Test harness for the data plane: echo upstreams, a server started in-process from YAML, raw
 * socket requests. Everything binds 127.0.0.1 port 0 and is closed by `close()`.
 */
import http from 'node:http';
import net from 'node:net';
import { loadConfig } from '../../../src/config/load.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../src/runtime/server.js';
import type { StreamInfo } from '../../../src/runtime/stream_info.js';
import { fakeClusterManager } from './fake_cluster.js';

/**
 * Which upstream implementation the tests use: the production cluster manager (default), or a
 * small node:http fake with TSPROXY_TEST_FAKE_UPSTREAM=1 (isolates the data plane from the pools).
 */
export const useFake = process.env['TSPROXY_TEST_FAKE_UPSTREAM'] === '1';

export interface Upstream {
  readonly port: number;
  readonly name: string;
  /** Requests received (method, url, headers, body). */
  readonly received: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** Sockets currently open to this upstream. */
  openSockets(): number;
  /** Requests whose head arrived (complete or not). */
  started(): number;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** An upstream that answers `200 <name>` with a JSON echo of the request, unless `handler` is given. */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const sockets = new Set<net.Socket>();
  let started = 0;
  const server = http.createServer((req, res) => {
    started++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler) return handler(req, res, body);
      const out = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
    // A handler that never answers must not keep the test alive.
    req.on('error', () => {});
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    name,
    received,
    openSockets: () => sockets.size,
    started: () => started,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound then closed). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface TestProxy {
  readonly server: RunningServer;
  readonly port: number;
  readonly infos: StreamInfo[];
  counter(name: string): number;
  /** Waits until `n` streams completed (bounded). */
  waitStreams(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Bootstrap YAML with one listener on port 0 and the given HCM extras, routes and clusters. */
export function bootstrap(opts: { hcmExtra?: string; routes: string; clusters?: string; filters?: string; runtime?: string }): string {
  const indent = (s: string, n: number): string => s.split('\n').map((l) => (l.trim() ? ' '.repeat(n) + l : l)).join('\n');
  return `static_resources:
  listeners:
  - name: ingress
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
${opts.hcmExtra ? indent(opts.hcmExtra, 10) + '\n' : ''}          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
${indent(opts.routes, 14)}
          http_filters:
${opts.filters ? indent(opts.filters, 10) + '\n' : ''}          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:${opts.clusters ? '\n' + indent(opts.clusters, 2) : ' []'}
${opts.runtime ? `layered_runtime:\n  layers:\n  - name: static\n    static_layer:\n${indent(opts.runtime, 6)}` : ''}
`;
}

/** A STATIC cluster YAML entry. */
export function cluster(name: string, ports: number[], extra = ''): string {
  const eps = ports.map((p) => `      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${p}}}}`).join('\n');
  return `- name: ${name}
  connect_timeout: 1s
${extra ? extra.split('\n').map((l) => '  ' + l).join('\n') + '\n' : ''}  load_assignment:
    cluster_name: ${name}
    endpoints:
    - lb_endpoints:${eps ? '\n' + eps : ' []'}`;
}

export async function startProxy(yaml: string, options: ServerOptions = {}): Promise<TestProxy> {
  const loaded = loadConfig(yaml, 'test.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length) throw new Error('config errors: ' + JSON.stringify(errors));
  const infos: StreamInfo[] = [];
  const r = await startServer(loaded.config, {
    ...(useFake ? { createClusterManager: fakeClusterManager } : {}),
    ...options,
    onStreamComplete: (i) => infos.push(i),
  });
  if (!r.server) throw new Error('server did not start: ' + JSON.stringify(r.diagnostics));
  const server = r.server;
  return {
    server,
    port: server.listeners[0]!.port,
    infos,
    counter: (n) => server.store.counterValue(n),
    async waitStreams(n, ms = 2000) {
      const end = Date.now() + ms;
      while (infos.length < n && Date.now() < end) await new Promise((res) => setTimeout(res, 5));
    },
    close: () => server.stop(0),
  };
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with node's client (fresh connection). */
export function request(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes raw bytes and collects everything until the server closes (or `ms`). */
export function rawRequest(port: number, data: string, ms = 1000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let text = '';
    let closedByServer = false;
    const t = setTimeout(() => s.destroy(), ms);
    s.on('data', (d) => (text += d.toString()));
    s.on('end', () => (closedByServer = true));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closedByServer });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
