/**
 * A listener (Envoy's ActiveTcpListener + ListenerImpl) serving HTTP over a `net.Server`, each
 * connection with the codec its HCM's codec_type (and ALPN) picks (downstream_codec.ts: HTTP/1.1
 * on native llhttp, HTTP/2 on node:http2, AUTO by preface): binds the configured address (port 0
 * allowed; the bound port is recorded), sets TCP_NODELAY, tracks its connections
 * (`listener.<address>_<port>.downstream_cx_*`), picks the filter chain of each connection with
 * the core's selectFilterChain, and drains/stops.
 *
 * Timeouts (idle_timeout, request_headers_timeout, stream_idle_timeout) belong to each
 * connection and stream (server_connection_manager.ts, active_stream.ts), as in Envoy: nothing here sweeps.
 *
 * The listener stage of a connection, in Envoy's order:
 *   accept -> original destination (acceptFilter: may hand the socket to another listener)
 *     -> tls_inspector (listener filter, when configured: peeks the ClientHello for SNI/ALPN;
 *        `listener_filters_timeout`, `downstream_pre_cx_timeout`)
 *     -> filter chain selection (core selectFilterChain, as match/explain; `no_filter_chain_match`)
 *     -> the chain's transport socket: raw, or the TLS handshake (network/downstream_tls.ts,
 *        `transport_socket_connect_timeout`, `ssl.*` stats)
 *     -> the connection manager its codec needs (downstream_codec.ts) with the TLS facts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { FilterChain, Listener } from '../../config/types.js';
import { findHttpConnectionManager, selectFilterChain } from '../../core/listener_match.js';
import type { Counter, Gauge, StatsStore } from '../stats/store.js';
import type { ConnectionManagerConfig } from '../http/conn_manager_config.js';
import { serveDownstream, type ConnectionTracker, type DownstreamConnectionHandle } from './downstream_codec.js';
import { plainAddress } from '../http/header_sanitizer.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';
import { inspectClientHello, TlsInspectorStats, type InspectOutcome } from '../network/tls_inspector.js';
import { DownstreamTlsTransport, type ClientHelloFacts } from '../network/downstream_tls.js';
import type { DownstreamTransportInfo } from '../network/transport_info.js';
import { SslStats } from '../network/ssl_stats.js';
import { compiledTlsContext } from '../network/tls_compile_cache.js';
import { CertWatcher } from '../network/cert_watcher.js';
import { DEFAULT_LISTENER_FILTERS_TIMEOUT_MS, hasTlsInspector, tlsContextOf } from '../network/listener_tls.js';

/** A filter chain of the listener with its compiled connection manager. */
export interface ListenerFilterChain {
  readonly chain: FilterChain;
  readonly config: ConnectionManagerConfig;
}

/** A chain with its transport socket (TLS or raw) resolved. */
interface ServedChain {
  readonly config: ConnectionManagerConfig;
  readonly tls: DownstreamTlsTransport | undefined;
  /** `transport_socket_connect_timeout` in ms (0: none). */
  readonly handshakeTimeoutMs: number;
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
  private preCxTimeout: Counter | undefined;
  private listenerFilterRemoteClose: Counter | undefined;
  private transportSocketConnectTimeout: Counter | undefined;
  private inspectorStats: TlsInspectorStats | undefined;
  /** tls_inspector is configured: ClientHellos are peeked before the chain is chosen. */
  private readonly inspect: boolean;
  /** Sockets in the listener stage (inspection or handshake): closed by closeAll(). */
  private readonly pending = new Set<Socket>();
  /** TLS transports by filter chain, built once the listener's stat prefix is known. */
  private readonly served = new Map<FilterChain, ServedChain>();
  /** Re-reads rotated certificates (file-based SDS, watched_directory). */
  private certWatcher: CertWatcher | undefined;
  /** Bound address and port, after start(). */
  address = '';
  port = 0;
  draining = false;
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
    this.inspect = hasTlsInspector(config);
  }

  /** The TLS transports of the chains (certificate rotation, admin /certs). */
  get tlsTransports(): DownstreamTlsTransport[] {
    return [...this.served.values()].map((s) => s.tls).filter((t): t is DownstreamTlsTransport => t !== undefined);
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
    // closes, a request in progress is reset; see http1_server_codec.ts onEnd).
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
    this.preCxTimeout = scope.counter('downstream_pre_cx_timeout');
    this.listenerFilterRemoteClose = scope.counter('downstream_listener_filter_remote_close');
    this.transportSocketConnectTimeout = scope.counter('downstream_cx_transport_socket_connect_timeout');
    if (this.inspect) this.inspectorStats = new TlsInspectorStats(scope);
    let ssl: SslStats | undefined;
    for (const c of this.chains) {
      const tlsConfig = tlsContextOf(c.chain.transport_socket);
      let tls: DownstreamTlsTransport | undefined;
      if (tlsConfig !== undefined) {
        const r = compiledTlsContext(tlsConfig, 'downstream');
        if (r.compiled === undefined) throw new Error(`listener "${this.name}": ${r.problems.map((p) => p.message).join('; ')}`);
        const m = r.compiled.load();
        if ('problems' in m) throw new Error(`listener "${this.name}": ${m.problems.map((p) => p.message).join('; ')}`);
        ssl ??= new SslStats(scope);
        // `h2` is offered only when the chain's connection manager may speak HTTP/2.
        const codec = findHttpConnectionManager(c.chain)?.hcm.codec_type;
        tls = new DownstreamTlsTransport(r.compiled, m.material, ssl, codec !== 'HTTP1');
        this.certWatcher ??= new CertWatcher(scope.counter('server_ssl_socket_factory.ssl_context_update_by_sds'));
        this.certWatcher.add(tls);
      }
      this.served.set(c.chain, { config: c.config, tls, handshakeTimeoutMs: c.chain.transport_socket_connect_timeout ?? 0 });
    }
  }

  private onConnection(socket: Socket): void {
    if (this.acceptFilter !== undefined && this.acceptFilter(socket)) return;
    this.newConnection(socket);
  }

  /**
   * Serves a connection accepted here or handed off by another listener. `restoredLocal`: the
   * original destination, the connection's local address from now on (filter chain, access log).
   * Runs the listener stage (module comment): inspection, chain selection, TLS handshake.
   */
  newConnection(socket: Socket, restoredLocal?: RestoredLocalAddress): void {
    socket.setNoDelay(true);
    if (!this.inspect) {
      this.onListenerFiltersDone(socket, restoredLocal, undefined);
      return;
    }
    this.pending.add(socket);
    const timeout = this.config.listener_filters_timeout ?? DEFAULT_LISTENER_FILTERS_TIMEOUT_MS;
    inspectClientHello(socket, timeout, (outcome) => this.onInspected(socket, restoredLocal, outcome));
  }

  private onInspected(socket: Socket, restoredLocal: RestoredLocalAddress | undefined, outcome: InspectOutcome): void {
    this.pending.delete(socket);
    switch (outcome.kind) {
      case 'closed':
        this.listenerFilterRemoteClose!.inc();
        socket.destroy();
        return;
      case 'timeout':
        this.preCxTimeout!.inc();
        if (this.config.continue_on_listener_filters_timeout === true) this.onListenerFiltersDone(socket, restoredLocal, undefined);
        else socket.destroy();
        return;
      case 'too_large':
        // Envoy closes a connection whose ClientHello exceeds the inspector's limit.
        this.inspectorStats!.record(outcome);
        socket.destroy();
        return;
      case 'not_tls':
        this.inspectorStats!.record(outcome);
        this.onListenerFiltersDone(socket, restoredLocal, undefined);
        return;
      case 'tls':
        this.inspectorStats!.record(outcome);
        this.onListenerFiltersDone(socket, restoredLocal, { serverName: outcome.serverName, alpn: outcome.alpn });
        return;
      case 'more':
        return;
    }
  }

  /** Listener filters are done (`hello`: the inspector found a ClientHello): chain, then transport. */
  private onListenerFiltersDone(socket: Socket, restoredLocal: RestoredLocalAddress | undefined, hello: ClientHelloFacts | undefined): void {
    if (socket.destroyed) return;
    const served = this.chainFor(socket, restoredLocal, hello);
    if (served === undefined) {
      this.noFilterChainMatch!.inc();
      socket.destroy();
      return;
    }
    this.cxTotal!.inc();
    this.cxActive!.inc();
    const tls = served.tls;
    if (tls === undefined) {
      this.serveConnection(socket, served.config, restoredLocal, undefined);
      return;
    }
    this.pending.add(socket);
    tls.handshake(socket, hello ?? { serverName: undefined, alpn: undefined }, served.handshakeTimeoutMs, (outcome) => {
      this.pending.delete(socket);
      if (outcome.kind === 'ok') {
        this.serveConnection(outcome.socket, served.config, restoredLocal, outcome.transport);
        return;
      }
      if (outcome.kind === 'timeout') this.transportSocketConnectTimeout!.inc();
      this.cxActive!.dec();
    });
  }

  /** Hands a connection (TLS already terminated when `transport` is set) to its connection manager. */
  private serveConnection(socket: Socket, config: ConnectionManagerConfig, restoredLocal: RestoredLocalAddress | undefined, transport: DownstreamTransportInfo | undefined): void {
    // The codec codec_type (and, over TLS, ALPN) picks (downstream_codec.ts).
    serveDownstream(config, socket, this, restoredLocal, transport);
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

  private chainFor(socket: Socket, restoredLocal: RestoredLocalAddress | undefined, hello: ClientHelloFacts | undefined): ServedChain | undefined {
    const fc = this.config.filter_chains ?? [];
    if (fc.length <= 1 && this.config.default_filter_chain === undefined && fc[0]?.filter_chain_match === undefined && this.config.filter_chain_matcher === undefined) {
      const only = this.chains[0];
      return only ? this.served.get(only.chain) : undefined;
    }
    const sel = selectFilterChain(this.config, {
      destinationPort: restoredLocal?.port ?? socket.localPort,
      destinationIp: restoredLocal?.address ?? plainAddress(socket.localAddress),
      sourceIp: plainAddress(socket.remoteAddress),
      sourcePort: socket.remotePort,
      transportProtocol: hello !== undefined ? 'tls' : 'raw_buffer',
      ...(hello?.serverName !== undefined ? { serverName: hello.serverName } : {}),
      ...(hello?.alpn !== undefined && hello.alpn.length > 0 ? { applicationProtocols: hello.alpn } : {}),
    });
    return sel.chain ? this.served.get(sel.chain) : undefined;
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
    this.certWatcher?.close();
    for (const s of [...this.pending]) s.destroy();
    this.pending.clear();
    for (const c of [...this.connections]) c.closeNow();
  }
}
