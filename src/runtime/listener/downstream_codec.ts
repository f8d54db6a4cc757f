/**
 * Which connection manager serves an accepted connection: the HCM's `codec_type` decides, as in
 * Envoy's ConnectionManagerImpl::createCodec —
 * - HTTP1: the HTTP/1.1 codec (codec/http1/server_connection.ts, llhttp);
 * - HTTP2: the HTTP/2 codec (codec/http2/server_codec.ts, nghttp2);
 * - AUTO: over TLS the negotiated ALPN (`h2` -> HTTP/2, else HTTP/1.1); in plaintext the
 *   connection preface (prior-knowledge h2c, codec/auto.ts sniffs it), else HTTP/1.1.
 * Either way one connection manager (http/server_connection_manager.ts) runs the streams.
 * While AUTO sniffs, the connection is tracked as a pending one: a drain or a shutdown closes it,
 * and the HCM's idle_timeout bounds how long a peer may send a partial preface.
 */
import type { Socket } from 'node:net';
import { sniffProtocol } from '../codec/auto.js';
import type { ConnectionManagerConfig } from '../http/conn_manager_config.js';
import { ServerConnectionManager } from '../http/server_connection_manager.js';
import type { RestoredLocalAddress } from '../network/original_dst.js';
import type { DownstreamTransportInfo } from '../network/transport_info.js';

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
 * Serves `socket` with the codec `config.codecType` (and the negotiated ALPN, over TLS) selects.
 * The tracker hears the connection's handle and its end. A socket a listener filter peeked
 * (tls_inspector) may be paused with its first bytes unshifted: the codec reads them first.
 */
export function serveDownstream(
  config: ConnectionManagerConfig,
  socket: Socket,
  tracker: ConnectionTracker,
  restoredLocal?: RestoredLocalAddress,
  transport?: DownstreamTransportInfo,
): void {
  const codec = config.codecType;
  const tls = transport !== undefined;
  const alpn = transport?.alpn;
  if (codec === 'HTTP1' || (codec === 'AUTO' && tls && alpn !== 'h2')) {
    startHttp1(config, socket, tracker, restoredLocal, transport);
    return;
  }
  if (codec === 'HTTP2' || alpn === 'h2') {
    startHttp2(config, socket, tracker, restoredLocal, transport);
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
    const handle = protocol === 'h2' ? newHttp2(config, socket, tracker, restoredLocal, transport) : newHttp1(config, socket, tracker, restoredLocal, transport);
    tracker.replace(pending, handle);
    // The sniffer left the socket paused: HTTP/1 reads from here (node:http2 reads on its own).
    if (protocol === 'http1') socket.resume();
  });
}

type Transport = DownstreamTransportInfo | undefined;

function startHttp1(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined, transport: Transport): void {
  tracker.add(newHttp1(config, socket, tracker, restoredLocal, transport));
  // Bytes a listener filter unshifted reach the codec as a 'data' event once the socket flows.
  if (socket.isPaused()) socket.resume();
}

function startHttp2(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined, transport: Transport): void {
  tracker.add(newHttp2(config, socket, tracker, restoredLocal, transport));
  if (socket.isPaused()) socket.resume();
}

function newHttp1(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined, transport: Transport): DownstreamConnectionHandle {
  const conn = new ServerConnectionManager(config, socket, (c) => tracker.closed(c), 'http1', restoredLocal, transport);
  conn.draining = tracker.draining;
  return conn;
}

function newHttp2(config: ConnectionManagerConfig, socket: Socket, tracker: ConnectionTracker, restoredLocal: RestoredLocalAddress | undefined, transport: Transport): DownstreamConnectionHandle {
  const conn = new ServerConnectionManager(config, socket, (c) => tracker.closed(c), 'http2', restoredLocal, transport);
  if (tracker.draining) conn.drain();
  return conn;
}
