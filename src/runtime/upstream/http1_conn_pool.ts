/**
 * HTTP/1.1 connection pool for one upstream host (Envoy's Http1::ConnPoolImpl over
 * ConnPoolImplBase). `newStream`:
 * 1. an idle (ready) connection is free: attach the stream to it and call `onPoolReady`
 *    synchronously (most recently used first, so idle connections stay warm);
 * 2. else if `max_pending_requests` allows, queue a pending stream and open a connection if
 *    `max_connections` allows (`upstream_cx_overflow` when not; one connection is still opened
 *    when this host has none at all, as Envoy does);
 * 3. else `onPoolFailure('overflow')` and `upstream_rq_pending_overflow`.
 * Attaching also checks `max_requests` (overflow -> the same failure and counter, as Envoy).
 * A connect failure or timeout fails every pending stream of the host (Envoy purges them so the
 * router can decide, e.g. retry another host).
 *
 * Reuse: a connection whose response completed is not handed out again before the event loop
 * delivered one more poll phase ('settling', next_poll.ts): an upstream FIN (or stray bytes)
 * that arrived with the response closes it first, as in Envoy, which reads a socket until EAGAIN
 * and so sees such a FIN before reusing the connection. Streams that arrive meanwhile wait as
 * pending streams (no new connection is opened for them). A FIN seen while idle closes the
 * connection at once (active_client.ts). A request written to a connection that then closes
 * before any response byte is reset (`upstream_cx_destroy_remote_with_active_rq`); the router
 * retries it only under its retry policy (`retry_on: reset`...), never silently here.
 *
 * Re-entrancy: callbacks (`onPoolReady`, `onPoolFailure`) may run synchronously inside
 * `newStream`; a callback may call `newStream` again. Do not call `cancel()` from a callback.
 */
import type { ActiveClient, ClientOptions } from './active_client.js';
import { ActiveClient as ActiveClientImpl } from './active_client.js';
import type { ClusterStats } from './cluster_stats.js';
import type { Host } from './host.js';
import type { ResourceManager } from './resource_manager.js';
import type {
  Cancellable,
  HttpConnPool,
  PoolCallbacks,
  PoolFailureReason,
  ResponseDecoder,
  StreamResetReason,
} from './types.js';
import { UpstreamStream } from './upstream_stream.js';
import { afterNextPoll } from './next_poll.js';

/** What a pool needs from its cluster; resolved once per cluster. */
export interface PoolContext {
  readonly stats: ClusterStats;
  readonly resources: ResourceManager;
  readonly clientOptions: ClientOptions;
  /** Monotonic ms, for connection timing histograms. */
  readonly now: () => number;
}

/** A queued request waiting for a connection (Envoy's PendingStream). */
class PendingStream implements Cancellable {
  cancelled = false;
  constructor(
    readonly pool: Http1ConnPool,
    readonly decoder: ResponseDecoder,
    readonly callbacks: PoolCallbacks,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.pool.removePending(this, true);
  }
}

export class Http1ConnPool implements HttpConnPool {
  /** Idle connections; the last one is the most recently used. */
  private readonly ready: ActiveClient[] = [];
  private readonly pending: PendingStream[] = [];
  private readonly clients = new Set<ActiveClient>();
  private connecting = 0;
  /** Released connections waiting for the next poll phase before they are reused. */
  private settling = 0;
  private draining = false;

  constructor(
    readonly host: Host,
    private readonly ctx: PoolContext,
  ) {}

  /** Open connections of any state (tests and admin read it). */
  get connectionCount(): number {
    return this.clients.size;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get idleCount(): number {
    return this.ready.length;
  }

  newStream(decoder: ResponseDecoder, callbacks: PoolCallbacks): Cancellable | null {
    const client = this.ready.pop();
    if (client) {
      this.attach(client, decoder, callbacks);
      return null;
    }
    const { stats, resources } = this.ctx;
    if (!resources.pendingRequests.canCreate()) {
      stats.upstream_rq_pending_overflow.inc();
      callbacks.onPoolFailure('overflow', '', this.host);
      return null;
    }
    const p = new PendingStream(this, decoder, callbacks);
    this.pending.push(p);
    stats.upstream_rq_pending_total.inc();
    stats.upstream_rq_pending_active.inc();
    resources.pendingRequests.inc();
    this.tryCreateConnections();
    return p;
  }

  /** Opens connections while pending streams outnumber connecting and settling ones and breakers allow. */
  private tryCreateConnections(): void {
    // A draining pool still serves what it is asked for (a retry may target a host that just
    // left DNS); it only stops keeping idle connections.
    while (this.pending.length > this.connecting + this.settling) {
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
    stats.upstream_cx_active.inc();
    resources.connections.inc();
    this.host.cxTotal++;
    this.host.cxActive++;
    this.connecting++;
    const c = new ActiveClientImpl(this, this.host.address, this.host.port, clientOptions);
    c.createdAt = this.ctx.now();
    this.clients.add(c);
  }

  /** Gives `client` to the stream; false (and the stream failed with overflow) at max_requests. */
  private attach(client: ActiveClient, decoder: ResponseDecoder, callbacks: PoolCallbacks, parkOnOverflow = true): boolean {
    const { stats, resources } = this.ctx;
    if (!resources.requests.canCreate()) {
      // max_requests: Envoy counts this as upstream_rq_pending_overflow too.
      if (parkOnOverflow) {
        client.state = 'ready';
        this.ready.push(client);
      }
      stats.upstream_rq_pending_overflow.inc();
      callbacks.onPoolFailure('overflow', '', this.host);
      return false;
    }
    stats.upstream_rq_total.inc();
    stats.upstream_rq_active.inc();
    resources.requests.inc();
    this.host.activeRequests++;
    this.host.rqTotal++;
    client.state = 'busy';
    const stream = new UpstreamStream(client, decoder);
    client.stream = stream;
    callbacks.onPoolReady(stream, this.host);
    return true;
  }

  /** Serves the oldest pending stream with `client`, or parks it as ready. */
  private onClientIdle(client: ActiveClient): void {
    // Like Envoy's onUpstreamReady: serve pending streams in order; one that hits max_requests
    // fails with overflow and the next one gets its chance.
    for (let p = this.pending.shift(); p; p = this.pending.shift()) {
      this.releasePending(p);
      if (this.attach(client, p.decoder, p.callbacks, false)) return;
      if (client.state === 'closed') return;
    }
    if (this.draining) {
      // Host removed: nothing waits for this connection, so it goes rather than idles.
      client.close();
      return;
    }
    client.state = 'ready';
    this.ready.push(client);
  }

  removePending(p: PendingStream, cancelled: boolean): void {
    const i = this.pending.indexOf(p);
    if (i < 0) return;
    this.pending.splice(i, 1);
    this.releasePending(p);
    if (cancelled) this.ctx.stats.upstream_rq_cancelled.inc();
  }

  private releasePending(_p: PendingStream): void {
    this.ctx.stats.upstream_rq_pending_active.dec();
    this.ctx.resources.pendingRequests.dec();
  }

  // ---- events from ActiveClient ---------------------------------------------------------------

  onClientConnected(client: ActiveClient): void {
    this.connecting--;
    client.connectedAt = this.ctx.now();
    this.ctx.stats.upstream_cx_connect_ms.record(client.connectedAt - client.createdAt);
    this.onClientIdle(client);
  }

  onConnectFailure(client: ActiveClient, reason: PoolFailureReason, transport: string): void {
    const { stats } = this.ctx;
    this.connecting--;
    stats.upstream_cx_connect_fail.inc();
    this.host.cxConnectFail++;
    if (reason === 'timeout') stats.upstream_cx_connect_timeout.inc();
    this.forget(client);
    // Fail every pending stream; take the list first so a retry that calls newStream from a
    // callback is not failed by this same loop.
    const failed = this.pending.splice(0, this.pending.length);
    for (const p of failed) {
      this.releasePending(p);
      stats.upstream_rq_pending_failure_eject.inc();
      p.callbacks.onPoolFailure(reason, transport, this.host);
    }
    this.tryCreateConnections();
  }

  /**
   * A stream of `client` ended: `failed` (reset; the connection goes), else released, to be
   * reused after the next poll phase (`settle`) or at once (nothing was read or written).
   */
  onStreamDone(client: ActiveClient, failed: boolean, local = false, reason?: StreamResetReason, settle = true): void {
    const { stats, resources } = this.ctx;
    stats.upstream_rq_active.dec();
    resources.requests.dec();
    this.host.activeRequests--;
    if (failed) {
      if (reason === 'protocol_error') stats.upstream_cx_protocol_error.inc();
      if (local) stats.upstream_cx_destroy_local_with_active_rq.inc();
      else stats.upstream_cx_destroy_remote_with_active_rq.inc();
      stats.upstream_cx_destroy_with_active_rq.inc();
      client.close();
      return;
    }
    if (client.reusable) {
      if (!settle) {
        this.onClientIdle(client);
        return;
      }
      client.state = 'settling';
      client.settling = true;
      this.settling++;
      afterNextPoll(client);
      return;
    }
    if (client.atMaxRequests) stats.upstream_cx_max_requests.inc();
    client.close();
  }

  /** A released connection waited one poll phase and is still open: serve or park it. */
  onClientSettled(client: ActiveClient): void {
    if (client.state !== 'settling') return;
    client.settling = false;
    this.settling--;
    this.onClientIdle(client);
  }

  onClientClosed(client: ActiveClient, local: boolean): void {
    if (!this.clients.has(client)) return;
    const { stats } = this.ctx;
    stats.upstream_cx_destroy.inc();
    if (local) stats.upstream_cx_destroy_local.inc();
    else stats.upstream_cx_destroy_remote.inc();
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
    client.close();
  }

  /** A connection we closed before it connected (drain, shutdown). */
  onConnectingClosed(client: ActiveClient): void {
    if (!this.clients.has(client)) return;
    this.connecting--;
    this.ctx.stats.upstream_cx_destroy.inc();
    this.ctx.stats.upstream_cx_destroy_local.inc();
    this.forget(client);
  }

  private forget(client: ActiveClient): void {
    if (!this.clients.delete(client)) return;
    if (client.settling) {
      client.settling = false;
      this.settling--;
    }
    this.ctx.stats.upstream_cx_length_ms.record(this.ctx.now() - client.createdAt);
    const i = this.ready.indexOf(client);
    if (i >= 0) this.ready.splice(i, 1);
    this.ctx.stats.upstream_cx_active.dec();
    this.ctx.resources.connections.dec();
    this.host.cxActive--;
  }

  /**
   * Stops using this pool (host removed or shutdown): idle and connecting connections close
   * now, busy ones after their response. Pending streams fail with 'local_connection_failure'
   * only when `failPending` is set (shutdown); otherwise they stay until a connection frees up.
   */
  drain(failPending = false): void {
    this.draining = true;
    for (const c of [...this.ready]) c.close();
    for (const c of [...this.clients]) if (c.state === 'connecting') c.close();
    if (failPending) {
      const failed = this.pending.splice(0, this.pending.length);
      for (const p of failed) {
        this.releasePending(p);
        p.callbacks.onPoolFailure('local_connection_failure', 'pool shutting down', this.host);
      }
    }
  }

  /** Closes everything, including busy connections (their streams are reset). */
  destroy(): void {
    this.drain(true);
    for (const c of [...this.clients]) c.close();
  }
}
