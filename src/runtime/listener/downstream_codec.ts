/**
 * Which connection manager serves an accepted connection: the HCM's `codec_type` decides, as in
 * Envoy's ConnectionManagerImpl::createCodec —
 * - HTTP1: the HTTP/1.1 connection (http/conn_manager.ts, llhttp);
 * - HTTP2: the HTTP/2 connection (http/server_connection_manager.ts over codec/http2);
 * - AUTO: over TLS the negotiated ALPN (`h2` -> HTTP/2, else HTTP/1.1); in plaintext the
 *   connection preface (prior-knowledge h2c, codec/auto.ts sniffs it), else HTTP/1.1.
 * While AUTO sniffs, the connection is tracked as a pending one: a drain or a shutdown closes it,
 * and the HCM's idle_timeout bounds how long a peer may send a partial preface.
 */
import type { Socket } from 'node:net';
import { sniffProtocol } from '../codec/auto.js';
import type { ConnectionManagerConfig } from '../http/conn_manager_config.js';
import { DownstreamConnection } from '../http/conn_manager.js';
import { ServerConnectionManager } from '../http/server_connection_manager.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';

/** What a listener keeps of each of its connections (drain and shutdown). */
export interface DownstreamConnectionHandle {
  /** Streams in flight. */
  readonly activeStreams: number;
  /** Stop taking requests: HTTP/1 closes when idle (`connection: close` on later responses), HTTP/2 sends GOAWAY. */
  drain(): void;
  /** Closes now; a stream in progress is reset as a local disconnect. */
  closeNow(): void;
}

/** The listener's connection set, as the factory updates it. */
export interface ConnectionTracker {
  /** True once the listener drains: new connections start draining. */
  readonly draining: boolean;
  add(c: DownstreamConnectionHandle): void;
  /** `c` is gone (its socket closed): counted once per connection. */
  closed(c: DownstreamConnectionHandle): void;
  /** `next` takes over from `prev` (the protocol is known): no count changes. */
  replace(prev: DownstreamConnectionHandle, next: DownstreamConnectionHandle): void;
}

/** A connection whose protocol is not known yet (AUTO sniffing the preface). */
class PendingConnection implements DownstreamConnectionHandle {
  readonly activeStreams = 0;
  constructor(private readonly socket: Socket) {}
  drain(): void {
    this.socket.destroy();
  }
  closeNow(): void {
    this.socket.destroy();
  }
}

/**
 * Serves `socket` with the codec `config.codecType` (and `alpn`, over TLS) selects. The tracker
 * hears the connection's handle and its end.
 */
export function serveDownstream(
  config: ConnectionManagerConfig,
  socket: Socket,
  tracker: ConnectionTracker,
  restoredLocal?: RestoredLocalAddress,
  alpn?: string,
): void {
  const codec = config.codecType;
  if (codec === 'HTTP1' || (codec === 'AUTO' && alpn !== undefined && alpn !== 'h2')) {
    startHttp1(config, socket, tracker, restoredLocal);
    return;
  }
  if (codec === 'HTTP2' || alpn === 'h2') {
    startHttp2(config, socket, tracker, restoredLocal);
    return;
  }
  const pending = new PendingConnection(socket);
  tracker.add(pending);
  let timer: NodeJS.Timeout | undefined;
  if (config.idleTimeoutMs > 0) {
    timer = setTimeout(() => {
      config.stats.downstream_cx_idle_timeout.inc();
      socket.destroy();
    }, config.idleTimeoutMs);
    timer.unref();
  }
  sniffProtocol(socket, (protocol) => {
    if (timer !== undefined) clearTimeout(timer);
    if (socket.destroyed) {
      tracker.closed(pending);
      return;
    }
    const handle = protocol === 'h2' ? newHttp2(config, socket, tracker, restoredLocal) : newHttp1(config, socket, tracker, restoredLocal);
    tracker.replace(pending, handle);
    // The sniffer left the socket paused: HTTP/1 reads from here (node:http2 reads on its own).
    if (protocol === 'http1') socket.resume();
  });
}

function startHttp1(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined): void {
  tracker.add(newHttp1(config, socket, tracker, restoredLocal));
}

function startHttp2(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined): void {
  tracker.add(newHttp2(config, socket, tracker, restoredLocal));
}

function newHttp1(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined): DownstreamConnectionHandle {
  const conn = new DownstreamConnection(config, socket, (c) => tracker.closed(c), restoredLocal);
  conn.draining = tracker.draining;
  return conn;
}

function newHttp2(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined): DownstreamConnectionHandle {
  const conn = new ServerConnectionManager(config, socket, (c) => tracker.closed(c), restoredLocal);
  if (tracker.draining) conn.drain();
  return conn;
}
