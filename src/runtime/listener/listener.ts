/**
 * A listener (Envoy's ActiveTcpListener + ListenerImpl) serving HTTP/1.1 over a `net.Server`
 * with the connection manager's own codec (native llhttp): binds the configured address (port 0
 * allowed; the bound port is recorded), sets TCP_NODELAY, tracks its connections
 * (`listener.<address>_<port>.downstream_cx_*`), picks the filter chain of each connection with
 * the core's selectFilterChain, and drains/stops.
 *
 * idle_timeout and request_headers_timeout are a per-listener sweep (below), not socket timers:
 * a socket timer is refreshed on every read and write, i.e. several timer operations per
 * request, while the sweep costs nothing per request.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FilterChain, Listener } from '../../config/types.js';
import { selectFilterChain } from '../../core/listener_match.js';
import type { Counter, Gauge, StatsStore } from '../stats/store.js';
import type { ConnectionManagerConfig } from '../http/conn_manager_config.js';
import { DownstreamConnection } from '../http/conn_manager.js';
import { plainAddress } from '../http/header_sanitizer.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';

/** Bytes moved on a socket so far (the idle sweep's activity marker). */
function socketActivity(socket: Socket): number {
  return socket.bytesRead + socket.bytesWritten;
}

/** How often the idle sweep looks: a quarter of the timeout, between 5 ms and 1 s. */
export function idleSweepIntervalMs(idleTimeoutMs: number): number {
  return Math.min(1000, Math.max(5, Math.floor(idleTimeoutMs / 4)));
}

/** A filter chain of the listener with its compiled connection manager. */
export interface ListenerFilterChain {
  readonly chain: FilterChain;
  readonly config: ConnectionManagerConfig;
}

/**
 * One bound listener. `start()` once; `drain()` then `closeAll()` to stop. Connection callbacks
 * come from the net.Server; nothing here is re-entrant.
 */
export class ActiveListener {
  readonly name: string;
  private server: Server | undefined;
  private readonly connections = new Set<DownstreamConnection>();
  private cxTotal: Counter | undefined;
  private cxActive: Gauge | undefined;
  private noFilterChainMatch: Counter | undefined;
  /** Bound address and port, after start(). */
  address = '';
  port = 0;
  private draining = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepIntervalMs = 0;
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
    // allowHalfOpen: a client that half-closes after its request still gets the response (the
    // codec closes once the queued requests are answered).
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
    const conn = new DownstreamConnection(config, socket, (c) => {
      this.connections.delete(c);
      this.cxActive!.dec();
    }, restoredLocal);
    conn.draining = this.draining;
    conn.idleSince = performance.now();
    conn.lastActivity = socketActivity(socket);
    this.connections.add(conn);
    if (config.idleTimeoutMs > 0) this.startIdleSweep(config.idleTimeoutMs);
    if (config.requestHeadersTimeoutMs > 0) this.startIdleSweep(config.requestHeadersTimeoutMs);
  }

  /**
   * HCM request_headers_timeout: a request head pending longer gets 408 and the connection
   * closes. HCM common_http_protocol_options.idle_timeout (default 1 h): a connection with no active
   * stream and no bytes moved for that long is closed (downstream_cx_idle_timeout), including one
   * that never sent a request. A periodic sweep over the listener's connections decides it, so a
   * connection closes between idle_timeout and idle_timeout plus one sweep interval after it
   * went quiet; nothing runs per request.
   */
  private startIdleSweep(idleTimeoutMs: number): void {
    const interval = idleSweepIntervalMs(idleTimeoutMs);
    if (this.sweepTimer !== undefined && this.sweepIntervalMs <= interval) return;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepIntervalMs = interval;
    this.sweepTimer = setInterval(this.sweepIdle, interval);
    this.sweepTimer.unref();
  }

  private readonly sweepIdle = (): void => {
    const now = performance.now();
    for (const c of this.connections) {
      if (c.closed) continue;
      const headersTimeout = c.config.requestHeadersTimeoutMs;
      if (headersTimeout > 0 && c.codec.headersTimedOut(now, headersTimeout)) {
        c.codec.onHeadersTimeout();
        continue;
      }
      const timeout = c.config.idleTimeoutMs;
      if (timeout <= 0) continue;
      const activity = socketActivity(c.socket);
      if (!c.codec.idle || activity !== c.lastActivity) {
        // Busy, or bytes moved since the last look: idle (again) from now.
        c.lastActivity = activity;
        c.idleSince = now;
        continue;
      }
      if (now - c.idleSince >= timeout) {
        c.config.stats.downstream_cx_idle_timeout.inc();
        c.socket.destroy();
      }
    }
  };

  private stopIdleSweep(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private configFor(socket: Socket, restoredLocal: RestoredLocalAddress | undefined): ConnectionManagerConfig | undefined {
    const chains = this.chains;
    const fc = this.config.filter_chains ?? [];
    if (fc.length <= 1 && this.config.default_filter_chain === undefined && fc[0]?.filter_chain_match === undefined) {
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
    for (const c of this.connections) {
      c.draining = true;
      if (c.codec.idle) c.codec.close(false);
    }
  }

  /** Closes every remaining connection at once. */
  closeAll(): void {
    this.stopIdleSweep();
    for (const c of this.connections) c.socket.destroy();
  }
}
