/**
 * A small ClusterManager over node:http's client, implementing src/runtime/upstream/types.ts, so
 * the router and connection manager can be tested through real sockets independently of the
 * production pools. Round-robin over STATIC endpoints; connect errors surface as resets.
 */
import http from 'node:http';
import type { Cluster } from '../../../src/config/types.js';
import type { StatsStore } from '../../../src/runtime/stats/store.js';
import type {
  Cancellable,
  ClusterInfo,
  ClusterManager,
  HeaderList,
  HttpConnPool,
  PoolCallbacks,
  RequestEncoder,
  ResponseDecoder,
  ThreadLocalCluster,
  UpstreamHostDescription,
} from '../../../src/runtime/upstream/types.js';

class FakeEncoder implements RequestEncoder {
  private req: http.ClientRequest | undefined;
  private done = false;
  constructor(
    private readonly host: UpstreamHostDescription,
    private readonly decoder: ResponseDecoder,
    private readonly agent: http.Agent,
  ) {}
  encodeHeaders(method: string, path: string, host: string, headers: HeaderList, endStream: boolean): void {
    const h: Record<string, string | string[]> = { host };
    for (const [k, v] of headers) {
      const prev = h[k];
      h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const req = http.request({ host: this.host.address, port: this.host.port, method, path, headers: h, agent: this.agent });
    this.req = req;
    req.on('response', (res) => {
      const list: HeaderList = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) list.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
      this.decoder.onHeaders(res.statusCode ?? 0, list, false);
      res.on('data', (c: Buffer) => {
        if (!this.done) this.decoder.onData(c, false);
      });
      res.on('end', () => {
        if (this.done) return;
        this.done = true;
        this.decoder.onData(Buffer.alloc(0), true);
      });
      res.on('aborted', () => this.fail('connection_termination'));
      res.on('error', () => this.fail('connection_termination'));
    });
    req.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code === 'ECONNREFUSED' ? 'connection_failure' : 'connection_termination', err.code === 'ECONNREFUSED' ? 'delayed connect error: Connection refused' : undefined));
    if (endStream) req.end();
  }
  private fail(reason: 'connection_failure' | 'connection_termination', tfr?: string): void {
    if (this.done) return;
    this.done = true;
    this.decoder.onReset(reason, tfr);
  }
  encodeData(chunk: Buffer, endStream: boolean): void {
    if (!this.req) return;
    if (endStream) this.req.end(chunk);
    else this.req.write(chunk);
  }
  resetStream(): void {
    this.done = true;
    this.req?.destroy();
  }
}

class FakePool implements HttpConnPool {
  constructor(
    private readonly host: UpstreamHostDescription,
    private readonly agent: http.Agent,
  ) {}
  newStream(decoder: ResponseDecoder, callbacks: PoolCallbacks): Cancellable | null {
    callbacks.onPoolReady(new FakeEncoder(this.host, decoder, this.agent), this.host);
    return null;
  }
}

class FakeCluster implements ThreadLocalCluster {
  readonly info: ClusterInfo;
  private next = 0;
  private readonly pools = new Map<UpstreamHostDescription, FakePool>();
  constructor(
    config: Cluster,
    store: StatsStore,
    private readonly hosts: UpstreamHostDescription[],
    private readonly agent: http.Agent,
  ) {
    this.info = { name: config.name, stats: store.scope(`cluster.${config.name}.`), connectTimeoutMs: 1000, maxRetries: 3, maxRequestsPerConnection: 0 };
  }
  chooseHost(): UpstreamHostDescription | null {
    if (this.hosts.length === 0) return null;
    return this.hosts[this.next++ % this.hosts.length]!;
  }
  httpConnPool(host: UpstreamHostDescription): HttpConnPool {
    let p = this.pools.get(host);
    if (!p) {
      p = new FakePool(host, this.agent);
      this.pools.set(host, p);
    }
    return p;
  }
}

/** A createClusterManager replacement for ServerOptions. */
export function fakeClusterManager(clusters: readonly Cluster[], store: StatsStore): ClusterManager {
  const agent = new http.Agent({ keepAlive: true });
  const map = new Map<string, FakeCluster>();
  for (const c of clusters) {
    const hosts: UpstreamHostDescription[] = [];
    for (const loc of c.load_assignment?.endpoints ?? []) {
      for (const ep of loc.lb_endpoints ?? []) {
        const sa = ep.endpoint?.address.socket_address;
        if (sa) hosts.push({ address: sa.address, port: sa.port_value ?? 0, addressString: `${sa.address}:${sa.port_value}`, weight: 1, priority: 0 });
      }
    }
    map.set(c.name, new FakeCluster(c, store, hosts, agent));
  }
  return {
    getThreadLocalCluster: (name) => map.get(name),
    shutdown: async () => agent.destroy(),
  };
}
