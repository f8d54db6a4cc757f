/** Shared fixtures for upstream tests: origins on 127.0.0.1:0, cluster configs, stream drivers. */
import http from 'node:http';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Cluster } from '../../../src/config/types.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { createClusterManager } from '../../../src/runtime/upstream/cluster_manager.js';
import type {
  HeaderList,
  PoolCallbacks,
  PoolFailureReason,
  RequestEncoder,
  ResponseDecoder,
  StreamResetReason,
  ThreadLocalCluster,
  UpstreamHostDescription,
  Cancellable,
} from '../../../src/runtime/upstream/types.js';

export interface Origin {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** An HTTP origin; `handler` may hold responses. Tracks sockets so close() never hangs. */
export async function startHttpOrigin(handler: http.RequestListener): Promise<Origin> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  return track(server);
}

/** A raw TCP origin (for garbage and resets). */
export async function startRawOrigin(onSocket: (s: net.Socket) => void): Promise<Origin> {
  return track(net.createServer(onSocket));
}

async function track(server: net.Server): Promise<Origin> {
  const sockets = new Set<net.Socket>();
  const origin: Origin = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: net.Socket) => {
    origin.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin.port = (server.address() as net.AddressInfo).port;
  return origin;
}

export { closedPort } from '../http/harness.js';

/**
 * A listener whose accept queue is full: a child process listens with backlog 1 and then blocks
 * its event loop, so it never accepts; we fill the queue with two idle connections. Further
 * connects on loopback stay in SYN_SENT, which is what a connect timeout needs.
 */
export async function startBlackhole(): Promise<{ port: number; close(): void }> {
  const src = `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20000);process.exit(0)})`;
  const child: ChildProcess = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

export function staticCluster(name: string, ports: number[], extra: Partial<Cluster> = {}): Cluster {
  return {
    name,
    type: 'STATIC',
    connect_timeout: 1000,
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: ports.map((p) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } } })),
        },
      ],
    },
    ...extra,
  };
}

/** What happened to one stream. */
export interface StreamResult {
  ready: boolean;
  host?: UpstreamHostDescription;
  poolFailure?: { reason: PoolFailureReason; transport: string };
  status?: number;
  headers?: HeaderList;
  headersEnd?: boolean;
  body: Buffer[];
  ended: boolean;
  reset?: { reason: StreamResetReason; transport?: string };
}

/** A router stand-in: one object as decoder and pool callbacks, like the real router. */
export class TestStream implements ResponseDecoder, PoolCallbacks {
  readonly result: StreamResult = { ready: false, body: [], ended: false };
  encoder?: RequestEncoder;
  cancellable: Cancellable | null = null;
  readonly done: Promise<StreamResult>;
  private resolve!: (r: StreamResult) => void;
  onHeadersHook?: (s: TestStream) => void;
  onDataHook?: (s: TestStream) => void;

  constructor(
    private readonly req: { method?: string; path?: string; body?: Buffer[]; headers?: HeaderList } = {},
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  start(cluster: ThreadLocalCluster, host?: UpstreamHostDescription | null): this {
    const h = host ?? cluster.chooseHost(undefined);
    if (!h) throw new Error('no host');
    this.cancellable = cluster.httpConnPool(h).newStream(this, this);
    return this;
  }

  finish(): void {
    this.resolve(this.result);
  }

  onPoolReady(encoder: RequestEncoder, host: UpstreamHostDescription): void {
    this.result.ready = true;
    this.result.host = host;
    this.encoder = encoder;
    const body = this.req.body;
    encoder.encodeHeaders(this.req.method ?? 'GET', this.req.path ?? '/', 'test.local', this.req.headers ?? [], !body);
    if (body) body.forEach((c, i) => encoder.encodeData(c, i === body.length - 1));
  }

  onPoolFailure(reason: PoolFailureReason, transport: string): void {
    this.result.poolFailure = { reason, transport };
    this.finish();
  }

  onHeaders(status: number, headers: HeaderList, endStream: boolean): void {
    this.result.status = status;
    this.result.headers = headers;
    this.result.headersEnd = endStream;
    this.onHeadersHook?.(this);
    if (endStream) {
      this.result.ended = true;
      this.finish();
    }
  }

  onData(chunk: Buffer, endStream: boolean): void {
    if (chunk.length) this.result.body.push(chunk);
    this.onDataHook?.(this);
    if (endStream) {
      this.result.ended = true;
      this.finish();
    }
  }

  onReset(reason: StreamResetReason, transport?: string): void {
    this.result.reset = { reason, transport };
    this.finish();
  }
}

/** Rejects if `p` does not settle within `ms` (tests end by themselves). */
export function within<T>(p: Promise<T>, ms = 3000): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * Resolves once a connection released now is idle in its pool again: released connections wait
 * for the next poll phase (next_poll.ts), i.e. the check phase of the next loop iteration.
 */
export const settled = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));

export const bodyText = (r: StreamResult): string => Buffer.concat(r.body).toString();

/** One cluster in a fresh cluster manager and stats store, with stat readers. */
export function setupCluster(cluster: Cluster) {
  const store = new StatsStore();
  const cm = createClusterManager([cluster], store, { random: Math.random });
  const c = cm.getThreadLocalCluster(cluster.name)!;
  const stat = (n: string): number => store.counterValue(`cluster.${cluster.name}.${n}`);
  const gauge = (n: string): number => store.gaugeValue(`cluster.${cluster.name}.${n}`);
  return { store, cm, c, stat, gauge };
}
