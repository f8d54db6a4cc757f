/**
 * Upstream echo servers for end-to-end tests: one HTTP server per cluster name on 127.0.0.1,
 * answering every request with JSON `{cluster, method, path, host, headers}`: its own cluster
 * name and the request it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoReply {
  cluster: string;
  method: string;
  path: string;
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface EchoUpstreams {
  /** cluster name -> bound port. */
  readonly ports: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function startEchoUpstreams(clusters: readonly string[]): Promise<EchoUpstreams> {
  const servers: Server[] = [];
  const ports = new Map<string, number>();
  try {
    for (const cluster of clusters) {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const body: EchoReply = { cluster, method: req.method ?? '', path: req.url ?? '', host: req.headers.host, headers: req.headers };
          const text = JSON.stringify(body);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-echo-cluster': encodeURIComponent(cluster) });
          res.end(text);
        });
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.set(cluster, (server.address() as AddressInfo).port);
    }
  } catch (err) {
    await closeAll(servers);
    throw err;
  }
  return { ports, close: () => closeAll(servers) };
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections?.();
          s.close(() => resolve());
        }),
    ),
  );
}
