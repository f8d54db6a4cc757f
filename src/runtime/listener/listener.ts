/**
 * A listener (Envoy's ActiveTcpListener + ListenerImpl) serving HTTP over a `net.Server`, each
 * connection with the codec its HCM's codec_type picks (downstream_codec.ts: HTTP/1.1 on native
 * llhttp, HTTP/2 on node:http2, AUTO by preface): binds the configured address (port 0
 * allowed; the bound port is recorded), sets TCP_NODELAY, tracks its connections
 * (`listener.<address>_<port>.downstream_cx_*`), picks the filter chain of each connection with
 * the core's selectFilterChain, and drains/stops.
 *
 * Timeouts (idle_timeout, request_headers_timeout, stream_idle_timeout) belong to each
 * connection and stream (conn_manager.ts, active_stream.ts), as in Envoy: nothing here sweeps.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { FilterChain, Listener } from '../../config/types.js';
import { selectFilterChain } from '../../core/listener_match.js';
import type { Counter, Gauge, StatsStore } from '../stats/store.js';
import type { ConnectionManagerConfig } from '../http/conn_manager_config.js';
import { serveDownstream, type ConnectionTracker, type DownstreamConnectionHandle } from './downstream_codec.js';
import { plainAddress } from '../http/header_sanitizer.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';

/** A filter chain of the listener with its compiled connection manager. */
export interface ListenerFilterChain {
  readonly chain: FilterChain;
  readonly config: ConnectionManagerConfig;
}

/**
 * One bound listener. `start()` once; `drain()` then `closeAll()` to stop. Connection callbacks
 * come from the net.Server; nothing here is re-entrant.
 */
export class ActiveListener implements ConnectionTracker {
  readonly name: string;
  private server: Server | undefined;
  private readonly connections = new Set<DownstreamConnectionHandle>();
  private cxTotal: Counter | undefined;
  private cxActive: Gauge | undefined;
  private noFilterChainMatch: Counter | undefined;
  /** Bound address and port, after start(). */
  address = '';
  port = 0;
  draining = false;
  private readonly byChain = new Map<FilterChain, ConnectionManagerConfig>();
  /**
   * Runs first on each accepted socket when the listener uses the original destination (set by
   * the server: network/original_dst_listener.ts); true when it gave the socket to a listener.
   */
  acceptFilter: ((socket: Socket) => boolean) | undefined;

  constructor(
    readonly config: Listener,
    private readonly chains: readonly ListenerFilterChain[],
    private readonly store: StatsStore,
  ) {
    this.name = config.name ?? '';
    for (const c of chains) this.byChain.set(c.chain, c.config);
  }

  /** Binds and starts accepting (not with `bind_to_port: false`). Rejects on bind errors (EADDRINUSE...). */
  async start(): Promise<void> {
    const sa = this.config.address.socket_address;
    if (!sa) throw new Error(`listener "${this.name}": only socket_address listeners are supported`);
    const first = this.chains[0]?.config;
    if (!first) throw new Error(`listener "${this.name}" has no HTTP connection manager`);
    if (this.config.bind_to_port === false) {
      // Envoy: not bound; it receives only connections a use_original_dst listener hands off.
      this.address = plainAddress(sa.address);
      this.port = sa.port_value ?? 0;
      this.initStats();
      return;
    }
    // allowHalfOpen: the codec, not Node, decides what a client FIN does (Envoy: the connection
    // closes, a request in progress is reset; see codec/http1/server_codec.ts onEnd).
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: sa.address, port: sa.port_value ?? 0, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', () => {});
    const addr = server.address();
    if (addr && typeof addr === 'object') {
      this.address = plainAddress(addr.address);
      this.port = addr.port;
    }
    this.initStats();
  }

  private initStats(): void {
    // Envoy: `listener.<stat_prefix>.` or `listener.<address>_<port>.`.
    const prefix = this.config.stat_prefix ? `listener.${this.config.stat_prefix}.` : `listener.${this.address}_${this.port}.`;
    const scope = this.store.scope(prefix);
    this.cxTotal = scope.counter('downstream_cx_total');
    this.cxActive = scope.gauge('downstream_cx_active');
    this.noFilterChainMatch = scope.counter('no_filter_chain_match');
  }

  private onConnection(socket: Socket): void {
    if (this.acceptFilter !== undefined && this.acceptFilter(socket)) return;
    this.newConnection(socket);
  }

  /**
   * Serves a connection accepted here or handed off by another listener. `restoredLocal`: the
   * original destination, the connection's local address from now on (filter chain, access log).
   */
  newConnection(socket: Socket, restoredLocal?: RestoredLocalAddress): void {
    const config = this.configFor(socket, restoredLocal);
    if (config === undefined) {
      this.noFilterChainMatch!.inc();
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.cxTotal!.inc();
    this.cxActive!.inc();
    serveDownstream(config, socket, this, restoredLocal);
  }

  // ---- ConnectionTracker (downstream_codec.ts) --------------------------------------------------

  add(c: DownstreamConnectionHandle): void {
    this.connections.add(c);
  }

  closed(c: DownstreamConnectionHandle): void {
    if (this.connections.delete(c)) this.cxActive!.dec();
  }

  replace(prev: DownstreamConnectionHandle, next: DownstreamConnectionHandle): void {
    if (this.connections.delete(prev)) this.connections.add(next);
  }

  private configFor(socket: Socket, restoredLocal: RestoredLocalAddress | undefined): ConnectionManagerConfig | undefined {
    const chains = this.chains;
    const fc = this.config.filter_chains ?? [];
    if (fc.length <= 1 && this.config.default_filter_chain === undefined && fc[0]?.filter_chain_match === undefined && this.config.filter_chain_matcher === undefined) {
      return chains[0]?.config;
    }
    const sel = selectFilterChain(this.config, {
      destinationPort: restoredLocal?.port ?? socket.localPort,
      destinationIp: restoredLocal?.address ?? plainAddress(socket.localAddress),
      sourceIp: plainAddress(socket.remoteAddress),
      sourcePort: socket.remotePort,
      transportProtocol: 'raw_buffer',
    });
    return sel.chain ? this.byChain.get(sel.chain) : undefined;
  }

  /** Number of open downstream connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Number of streams in flight on this listener. */
  get activeStreams(): number {
    let n = 0;
    for (const c of this.connections) n += c.activeStreams;
    return n;
  }

  /**
   * Stops accepting and starts draining: new responses carry `connection: close`, idle
   * keep-alive connections are closed now. In-flight streams continue.
   */
  drain(): void {
    this.draining = true;
    const server = this.server;
    if (server) server.close();
    for (const c of [...this.connections]) c.drain();
  }

  /**
   * Closes every remaining connection at once (end of a drain): a request still in progress is
   * reset first as a local close, so its access log entry says what was actually sent (DC,
   * `downstream_local_disconnect`; status 0 when nothing was).
   */
  closeAll(): void {
    for (const c of [...this.connections]) c.closeNow();
  }
}
