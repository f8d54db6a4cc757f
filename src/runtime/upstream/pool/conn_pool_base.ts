/**
 * The connection pool of one upstream host, whatever the protocol (Envoy's ConnPoolImplBase with
 * its HTTP/1 and HTTP/2 ActiveClients): it counts free stream slots per connection (an HTTP/1
 * connection has one; an HTTP/2 connection the peer's SETTINGS_MAX_CONCURRENT_STREAMS bounded by
 * our http2_protocol_options.max_concurrent_streams, minus its open streams; either bounded by
 * the requests max_requests_per_connection still allows). `newStream`:
 * 1. a connection with a free slot exists: attach the stream to it and call `onPoolReady`
 *    synchronously (the most recently used first, so idle connections stay warm);
 * 2. else if `max_pending_requests` allows, queue a pending stream and open a connection if
 *    the connections being opened (and, HTTP/1, being released) will not have slots for every
 *    pending stream and `max_connections` allows (`upstream_cx_overflow` when not; one connection
 *    is still opened when this host has none at all, as Envoy does);
 * 3. else `onPoolFailure('overflow')` and `upstream_rq_pending_overflow`.
 * Attaching also checks `max_requests` (overflow -> the same failure and counter, as Envoy); on
 * HTTP/2 it is the binding limit, since many requests share few connections.
 * A connect failure or timeout fails every pending stream of the host (Envoy purges them so the
 * router can decide, e.g. retry another host).
 *
 * HTTP/1 reuse: a connection whose response completed is not handed out again before the event
 * loop delivered one more poll phase ('settling', next_poll.ts): an upstream FIN (or stray bytes)
 * that arrived with the response closes it first, as in Envoy, which reads a socket until EAGAIN
 * and so sees such a FIN before reusing the connection. Streams that arrive meanwhile wait as
 * pending streams (no new connection is opened for them).
 *
 * HTTP/2: a GOAWAY drains its connection (no new streams; open ones finish; it closes when none
 * is left); streams the upstream refused are replayed on another connection (pool_stream.ts).
 * A connection that reached max_requests_per_connection drains the same way
 * (`upstream_cx_max_requests`).
 *
 * Mixed pools (auto_config): each connection's protocol is the one its TLS ALPN picked
 * (`ActiveClient.protocol`); slot counting, settling and replay follow the connection's protocol.
 * Pools made per request host (auto_sni) report `onIdle` once empty, and their cluster drops them.
 *
 * Re-entrancy: callbacks (`onPoolReady`, `onPoolFailure`) may run synchronously inside
 * `newStream`; a callback may call `newStream` again. Do not call `cancel()` from a callback.
 */
import type { StreamResetReason } from '../../codec/types.js';
import type { Host } from '../host.js';
import type { Cancellable, HttpConnPool, PoolCallbacks, PoolFailureReason, ResponseDecoder } from '../types.js';
import { afterNextPoll } from '../next_poll.js';
import { ActiveClient } from './active_client.js';
import { PoolStream } from './pool_stream.js';
import { PendingStreams } from './pending_streams.js';
import { ReadyClients } from './ready_clients.js';
import type { PoolContext, PoolProtocol } from './pool_types.js';
import type { UpstreamTransportOptions } from '../../network/upstream_tls.js';

export type { PoolContext, PoolProtocol } from './pool_types.js';

export class ConnPoolBase implements HttpConnPool {
  /** Connections with a free stream slot (ready_clients.ts). */
  private readonly ready = new ReadyClients();
  /** Streams waiting for a slot (pending_streams.ts). */
  private readonly pending: PendingStreams;
  private readonly clients = new Set<ActiveClient>();
  /** Stream slots the connections being opened are expected to bring. */
  private connectingCapacity = 0;
  /** HTTP/1 connections released and waiting for the next poll phase. */
  private settling = 0;
  private draining = false;

  /** Called once the pool has no connection and no pending stream (pools made per request host). */
  onIdle: (() => void) | undefined;
  /** What every connection of this pool adds to the cluster's transport socket (SNI, SAN, ALPN). */
  readonly connectOptions: UpstreamTransportOptions;

  /**
   * `transport`: the pool's transport socket options (auto_sni / auto_san_validation: a pool per
   * request host, see cluster.ts); the protocol's ALPN fallback is added to them.
   */
  constructor(
    readonly host: Host,
    private readonly ctx: PoolContext,
    readonly protocol: PoolProtocol,
    transport?: UpstreamTransportOptions,
  ) {
    this.connectOptions = { ...transport, alpnFallback: protocol.alpn };
    this.newConnectionCapacity = protocol.expectedCapacity;
    this.pending = new PendingStreams(ctx);
  }

  /** Streams a connection being opened is counted for (mixed pool: by the last ALPN outcome). */
  private newConnectionCapacity: number;

  /** Open connections of any state (tests and admin read it). */
  get connectionCount(): number {
    return this.clients.size;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Connections with a free stream slot. */
  get idleCount(): number {
    return this.ready.length;
  }

  newStream(decoder: ResponseDecoder, callbacks: PoolCallbacks): Cancellable | null {
    const client = this.ready.mostRecent();
    if (client !== undefined) {
      this.attach(client, decoder, callbacks);
      return null;
    }
    const { stats, resources } = this.ctx;
    if (!resources.pendingRequests.canCreate()) {
      stats.upstream_rq_pending_overflow.inc();
      callbacks.onPoolFailure('overflow', '', this.host);
      return null;
    }
    const p = this.pending.add(decoder, callbacks, null);
    this.tryCreateConnections();
    return p;
  }

  /** Opens connections while pending streams outnumber the slots on their way and breakers allow. */
  private tryCreateConnections(): void {
    // A draining pool still serves what it is asked for (a retry may target a host that just
    // left DNS); it only stops keeping idle connections.
    while (this.pending.length > this.connectingCapacity + this.settling) {
      const { stats, resources } = this.ctx;
      const canCreate = resources.connections.canCreate();
      if (!canCreate) stats.upstream_cx_overflow.inc();
      // With no connection at all to this host, open one anyway: otherwise its pending streams
      // could never be served while other hosts hold the cluster's connection budget (Envoy).
      if (!canCreate && this.clients.size > 0) return;
      this.openConnection();
      if (!canCreate) return;
    }
  }

  private openConnection(): void {
    const { stats, resources, clientOptions } = this.ctx;
    stats.upstream_cx_total.inc();
    this.protocol.countConnection(stats);
    stats.upstream_cx_active.inc();
    resources.connections.inc();
    this.host.cxTotal++;
    this.host.cxActive++;
    const c = new ActiveClient(this, this.host.address, this.host.port, clientOptions);
    c.createdAt = this.ctx.now();
    c.expectedCapacity = Math.max(1, Math.min(this.newConnectionCapacity, c.remainingRequests));
    this.connectingCapacity += c.expectedCapacity;
    this.clients.add(c);
  }

  /** Gives a slot of `client` to the stream; false (and the stream failed with overflow) at max_requests. */
  private attach(client: ActiveClient, decoder: ResponseDecoder, callbacks: PoolCallbacks): boolean {
    const { stats, resources } = this.ctx;
    if (!resources.requests.canCreate()) {
      // max_requests: Envoy counts this as upstream_rq_pending_overflow too.
      stats.upstream_rq_pending_overflow.inc();
      callbacks.onPoolFailure('overflow', '', this.host);
      return false;
    }
    const ps = new PoolStream(client, undefined!, decoder, client.protocol.replayRefused);
    this.startStream(client, ps);
    callbacks.onPoolReady(ps, this.host);
    return true;
  }

  /** Opens a codec stream for `ps` on `client` and counts it. */
  private startStream(client: ActiveClient, ps: PoolStream, replay = false): void {
    const { stats, resources } = this.ctx;
    stats.upstream_rq_total.inc();
    stats.upstream_rq_active.inc();
    resources.requests.inc();
    this.host.activeRequests++;
    this.host.rqTotal++;
    client.streams++;
    client.remainingRequests--;
    const encoder = client.codec!.newStream(ps);
    if (replay) ps.rebind(client, encoder);
    else {
      ps.encoder = encoder;
      encoder.stream.addCallbacks(ps);
    }
    if (client.capacity() === 0) {
      this.ready.remove(client);
      if (client.state === 'ready') client.state = 'busy';
    }
  }

  /**
   * `client` may have free slots: serve pending streams in order (one that hits max_requests
   * fails with overflow and the next one gets its chance), then keep it ready, or close it when
   * it can take no more streams and has none open.
   */
  private onClientAvailable(client: ActiveClient): void {
    if (client.closing) return;
    while (this.pending.length > 0 && client.capacity() > 0) {
      const p = this.pending.shift()!;
      if (p.replay !== null) {
        this.startStream(client, p.replay, true);
        continue;
      }
      this.attach(client, p.decoder, p.callbacks!);
      if (client.state === 'closed') return;
    }
    if (client.state === 'closed' || client.state === 'connecting') return;
    const capacity = client.capacity();
    if (capacity > 0) {
      if (this.draining && client.streams === 0) {
        // Host removed: nothing waits for this connection, so it goes rather than idles.
        this.closeClient(client);
        return;
      }
      client.state = 'ready';
      this.ready.add(client);
      return;
    }
    this.ready.remove(client);
    if (client.streams === 0) {
      if (client.remainingRequests <= 0) this.ctx.stats.upstream_cx_max_requests.inc();
      this.closeClient(client);
    } else if (client.state === 'ready') {
      client.state = client.remainingRequests <= 0 ? 'draining' : 'busy';
    }
    if (this.pending.length > 0) this.tryCreateConnections();
  }

  private closeClient(client: ActiveClient): void {
    this.ready.remove(client);
    client.close();
  }

  /** Re-queues a refused stream (pool_stream.ts) to be replayed on another connection. */
  replay(ps: PoolStream): void {
    const { resources } = this.ctx;
    const client = this.ready.mostRecent();
    if (client !== undefined && resources.requests.canCreate()) {
      this.startStream(client, ps, true);
      return;
    }
    if (!resources.pendingRequests.canCreate()) {
      this.ctx.stats.upstream_rq_pending_overflow.inc();
      ps.failReplay('');
      return;
    }
    this.pending.add(ps.decoder, null, ps);
    this.tryCreateConnections();
  }

  // ---- events from ActiveClient ---------------------------------------------------------------

  /**
   * Mixed pool: the ALPN chose `client.protocol`. It is counted by that protocol; the streams it
   * is expected to bring follow it, and so do those of the connections opened next (an upstream
   * that negotiated HTTP/1.1 gets a connection per pending stream).
   */
  onClientProtocolSelected(client: ActiveClient): void {
    client.protocol.countConnection(this.ctx.stats);
    this.newConnectionCapacity = client.protocol.expectedCapacity;
    const expected = Math.max(1, Math.min(client.protocol.expectedCapacity, client.remainingRequests));
    const before = client.expectedCapacity;
    this.connectingCapacity += expected - before;
    client.expectedCapacity = expected;
    if (expected < before && this.pending.length > 0) this.tryCreateConnections();
  }

  onClientConnected(client: ActiveClient): void {
    this.connectingCapacity -= client.expectedCapacity;
    client.expectedCapacity = 0;
    client.connectedAt = this.ctx.now();
    this.ctx.stats.upstream_cx_connect_ms.record(client.connectedAt - client.createdAt);
    this.onClientAvailable(client);
  }

  onConnectFailure(client: ActiveClient, reason: PoolFailureReason, transport: string): void {
    const { stats } = this.ctx;
    this.connectingCapacity -= client.expectedCapacity;
    client.expectedCapacity = 0;
    stats.upstream_cx_connect_fail.inc();
    this.host.cxConnectFail++;
    if (reason === 'timeout') stats.upstream_cx_connect_timeout.inc();
    this.forget(client);
    // Fail every pending stream (a retry that calls newStream from a callback is queued anew).
    this.pending.purge(reason, transport, this.host, true);
    this.tryCreateConnections();
  }

  /** A stream of `client` ended: `completed` (response complete) or reset (`reason`). */
  onStreamDone(client: ActiveClient, completed: boolean, _reason?: StreamResetReason): void {
    const { stats, resources } = this.ctx;
    stats.upstream_rq_active.dec();
    resources.requests.dec();
    this.host.activeRequests--;
    if (client.state === 'closed' || client.state === 'connecting') return;
    // The connection goes down with the stream: its onClose follows.
    if (!completed && client.closedWithActive !== undefined) return;
    if (completed && client.protocol.settleAfterResponse && client.capacity() > 0) {
      // HTTP/1: reuse after the next poll phase (see the module comment).
      this.ready.remove(client);
      client.state = 'settling';
      this.settling++;
      afterNextPoll(client);
      return;
    }
    this.onClientAvailable(client);
  }

  /** A released HTTP/1 connection waited one poll phase: serve or park it, unless it closed. */
  onClientSettled(client: ActiveClient): void {
    if (client.state !== 'settling') return;
    this.settling--;
    client.state = 'ready';
    this.onClientAvailable(client);
  }

  /** The peer's SETTINGS changed the connection's stream limit. */
  onClientCapacityChanged(client: ActiveClient): void {
    if (client.state === 'ready' || client.state === 'busy') this.onClientAvailable(client);
  }

  /** GOAWAY: no new streams on `client`; it closes when its open streams are done. */
  onClientDraining(client: ActiveClient): void {
    if (client.state === 'closed') return;
    this.ready.remove(client);
    if (client.state === 'settling') this.settling--;
    client.state = 'draining';
    if (client.streams === 0) client.close();
    if (this.pending.length > 0) this.tryCreateConnections();
  }

  onClientClosed(client: ActiveClient, local: boolean, cause: string): void {
    if (!this.clients.has(client)) return;
    const { stats } = this.ctx;
    stats.upstream_cx_destroy.inc();
    if (local) stats.upstream_cx_destroy_local.inc();
    else stats.upstream_cx_destroy_remote.inc();
    if (cause === 'protocol_error') stats.upstream_cx_protocol_error.inc();
    const active = client.closedWithActive;
    if (active !== undefined) {
      stats.upstream_cx_destroy_with_active_rq.inc();
      if (active === 'local') stats.upstream_cx_destroy_local_with_active_rq.inc();
      else stats.upstream_cx_destroy_remote_with_active_rq.inc();
    }
    this.forget(client);
    this.tryCreateConnections();
  }

  /** Monotonic ms (the cluster's clock), for connection idle times. */
  now(): number {
    return this.ctx.now();
  }

  /**
   * An idle connection sat unused for common_http_protocol_options.idle_timeout: closed
   * locally and counted as Envoy's `upstream_cx_idle_timeout`.
   */
  onClientIdleTimeout(client: ActiveClient): void {
    if (!this.clients.has(client)) return;
    this.ctx.stats.upstream_cx_idle_timeout.inc();
    this.closeClient(client);
  }

  /** A connection we closed before it connected (drain, shutdown). */
  onConnectingClosed(client: ActiveClient): void {
    if (!this.clients.has(client)) return;
    this.connectingCapacity -= client.expectedCapacity;
    client.expectedCapacity = 0;
    this.ctx.stats.upstream_cx_destroy.inc();
    this.ctx.stats.upstream_cx_destroy_local.inc();
    this.forget(client);
  }

  private forget(client: ActiveClient): void {
    if (!this.clients.delete(client)) return;
    if (client.state === 'settling') this.settling--;
    client.state = 'closed';
    this.ctx.stats.upstream_cx_length_ms.record(this.ctx.now() - client.createdAt);
    this.ready.remove(client);
    this.ctx.stats.upstream_cx_active.dec();
    this.ctx.resources.connections.dec();
    this.host.cxActive--;
    if (this.onIdle !== undefined) queueMicrotask(this.checkIdle);
  }

  /** Reports an idle pool (onIdle) after the current event, once nothing is left in it. */
  private readonly checkIdle = (): void => {
    if (this.clients.size === 0 && this.pending.length === 0 && this.onIdle !== undefined) {
      const cb = this.onIdle;
      this.onIdle = undefined;
      this.draining = true;
      cb();
    }
  };

  /**
   * Stops using this pool (host removed or shutdown): idle and connecting connections close
   * now, busy ones after their streams. Pending streams fail with 'local_connection_failure'
   * only when `failPending` is set (shutdown); otherwise they stay until a connection frees up.
   */
  drain(failPending = false): void {
    this.draining = true;
    for (const c of this.ready.snapshot()) if (c.streams === 0) this.closeClient(c);
    for (const c of [...this.clients]) if (c.state === 'connecting') c.close();
    if (failPending) this.pending.purge('local_connection_failure', 'pool shutting down', this.host, false);
  }

  /** Closes everything, including busy connections (their streams are reset). */
  destroy(): void {
    this.drain(true);
    for (const c of [...this.clients]) c.close();
  }
}
