/**
 * The router filter (Envoy's Router::Filter, source/common/router/router.cc): the terminal HTTP
 * filter. It takes the core's route decision for the stream, answers locally (404 NR, direct
 * response, redirect, NC, maintenance mode, UH: router_local_reply.ts) or forwards to a host of
 * the cluster through its connection pool, with the route timeout, per-try timeout and retries,
 * and relays the response.
 *
 * One RouterFilter per stream; it is also the DownstreamAbortHandler. Each attempt is an
 * UpstreamRequest (router_upstream_request.ts); the request body kept for the attempts is a
 * RequestBuffer (router_request_buffer.ts); what is retried is the RetryState's call
 * (router_retry.ts), whether and when, scheduleRetry's (router_retry_backoff.ts); the timeouts
 * come from computeTimeouts (router_timeout.ts). Timers get the filter as argument: no closures.
 */
import { streamMaxDurationMs } from '../../core/grpc.js';
import { DEFAULT_STREAM_IDLE_TIMEOUT_MS } from '../../config/defaults.js';
import { UpgradeTunnel, type TunnelOwner } from './router_upgrade.js';
import type { ForwardDecision } from '../../core/route_types.js';
import type {
  DownstreamAbortHandler,
  FilterFactoryCb,
  DownstreamWatermarkCallbacks,
  FilterDataStatus,
  FilterHeadersStatus,
  RequestHeaderMap,
  StreamDecoderFilter,
  StreamDecoderFilterCallbacks,
} from '../http/filter.js';
import type { ClusterInfo, HeaderList, LoadBalancerContext, ThreadLocalCluster, UpstreamHostDescription } from '../upstream/types.js';
import { fromUpstreamHeaderList, toUpstreamHeaderList } from '../codec/headers.js';
import { Details, type EnvoyResetReason } from '../http/local_reply.js';
import { sendClusterNotFound, sendMaintenanceMode, sendNoHealthyUpstream, sendRetryBufferExceeded } from './router_local_reply.js';
import { sendRouteReply, sendTimeoutReply, sendUpstreamResetReply, upstreamResetStatus } from './router_local_reply.js';
import { clusterRouterStats, type ClusterRouterStats } from './router_stats.js';
import { UpstreamRequest, type UpstreamRequestOwner } from './router_upstream_request.js';
import { RetryState } from './router_retry.js';
import { scheduleRetry, type RetryTarget } from './router_retry_backoff.js';
import { RequestBuffer } from './router_request_buffer.js';
import { computeTimeouts } from './router_timeout.js';
import { timerPool, type PooledTimer } from '../http/timer_pool.js';
import { BUFFER_LIMIT_BYTES, lbContextFor, RouterConfig } from './router_config.js';
import type { FilterFactoryContext } from './filter_registration.js';
import type { Any } from '../../config/types.js';

const EMPTY_BODY = Buffer.alloc(0);

function onGlobalTimer(f: RouterFilter): void {
  f.onResponseTimeout();
}

/**
 * The router for one stream. Always returns StopIteration (it is terminal); answers through
 * `sendLocalReply` or `encodeHeaders`/`encodeData` on its callbacks. Its upstream and timer
 * callbacks arrive asynchronously; after it finished (response complete, local reply, abort)
 * late callbacks are ignored.
 */
export class RouterFilter implements StreamDecoderFilter, UpstreamRequestOwner, DownstreamAbortHandler, DownstreamWatermarkCallbacks, TunnelOwner, RetryTarget {
  private cb!: StreamDecoderFilterCallbacks;
  private decision: ForwardDecision | undefined;
  private cluster: ThreadLocalCluster | undefined;
  private cstats: ClusterRouterStats | undefined;
  private upstream: UpstreamRequest | undefined;
  /** The upgrade or CONNECT tunnel of this request (router_upgrade.ts). */
  private tunnel: UpgradeTunnel | undefined;
  private headerList: HeaderList | undefined;
  /** The body and trailers kept for the attempts, and the reads paused for them (router_request_buffer.ts). */
  private request!: RequestBuffer;
  private downstreamEnd = false;
  private requestCompleteAt = 0;
  /** Written by computeTimeouts (TimeoutTarget). */
  globalTimeoutMs = 0;
  perTryTimeoutMs = 0;
  timeoutStatus = 504;
  private globalTimer: PooledTimer | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retry: RetryState | undefined;
  private lbContext: LoadBalancerContext | undefined;
  private retried = false;
  private responseStarted = false;
  private finished = false;
  /** The downstream client is not keeping up: upstream reads are paused. */
  private downstreamBlocked = false;

  constructor(private readonly config: RouterConfig) {}

  setDecoderFilterCallbacks(callbacks: StreamDecoderFilterCallbacks): void {
    this.cb = callbacks;
    this.request = new RequestBuffer(callbacks);
  }

  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): FilterHeadersStatus {
    const cb = this.cb;
    const stats = this.config.stats;
    const info = cb.streamInfo;
    stats.rq_total.inc();
    const decision = cb.route();
    if (decision.kind !== 'forward') {
      this.finished = true;
      sendRouteReply(decision, this.config, cb);
      return 'StopIteration';
    }
    this.decision = decision;
    info.upstreamCluster = decision.cluster;
    // max_stream_duration (route, grpc-timeout, or the HCM's), as Envoy arms it once routed.
    const msd = streamMaxDurationMs(decision.route.streamTimeouts, headers.headers, this.config.hcmMaxStreamDurationMs);
    if (msd !== undefined) cb.setMaxStreamDuration?.(msd);
    const ctx = this.config.ctx;
    const cluster = decision.cluster === '' ? undefined : ctx.clusterManager.getThreadLocalCluster(decision.cluster);
    if (cluster === undefined) {
      this.finished = true;
      sendClusterNotFound(decision, stats, cb);
      return 'StopIteration';
    }
    this.cluster = cluster;
    const cstats = clusterRouterStats(cluster.info);
    this.cstats = cstats;
    const maintenance = this.config.maintenancePercent(decision.cluster);
    if (maintenance > 0 && cb.random.random() % 100 < maintenance) {
      this.finished = true;
      sendMaintenanceMode(cstats, this.config.suppressEnvoyHeaders, cb);
      return 'StopIteration';
    }
    const lbContext = lbContextFor(decision, headers, info);
    this.lbContext = lbContext;
    const host = cluster.chooseHost(lbContext, info, headers.headers);
    if (host === null) {
      this.finished = true;
      sendNoHealthyUpstream(cstats, cb);
      return 'StopIteration';
    }
    info.upstreamHost = host;
    computeTimeouts(headers.headers, decision.route, this.config.suppressEnvoyHeaders, this);
    this.retry = RetryState.create(decision.route.retryPolicy, headers.headers);
    if (decision.virtualHost.includeRequestAttemptCount) headers.headers['x-envoy-attempt-count'] = '1';
    info.attemptCount = 1;
    cb.onDownstreamAbort(this);
    cb.addDownstreamWatermarkCallbacks?.(this);
    // Rewrites and header mutations exactly as the core finalizes them.
    this.config.ctx.routeProvider.finalizeRequest(decision, headers, info);
    // Tracing: the upstream sees the request's span as its parent (traceparent / B3 headers).
    cb.activeSpan?.injectContext(headers.headers);
    if (cb.upgradeType !== undefined) {
      // An upgrade the connection manager let through: its own connection, then a tunnel.
      this.tunnel = startTunnel(this, cb, host, headers, cluster.info, this.config.ctx.hcm.stream_idle_timeout ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS);
      return 'StopIteration';
    }
    this.headerList = toUpstreamHeaderList(headers.headers);
    if (endStream) this.onRequestComplete();
    this.startAttempt(host);
    return 'StopIteration';
  }

  private startAttempt(host: UpstreamHostDescription): void {
    const req = new UpstreamRequest(this, host);
    this.request.newAttempt();
    this.upstream = req;
    this.cb.streamInfo.upstreamHost = host;
    if (this.downstreamEnd) req.setupPerTryTimeout(this.perTryTimeoutMs);
    // The request headers (after the route's rewrites): auto_sni clusters pick a pool by them.
    req.start(this.cluster!.httpConnPool(host, this.cb.streamInfo.protocol, this.cb.requestHeaders));
  }

  decodeData(chunk: Buffer, endStream: boolean): FilterDataStatus {
    if (this.finished) return 'StopIteration';
    const up = this.upstream;
    // Keep the body while a retry may replay it, or while the pool has not given a stream yet.
    if (this.retry !== undefined || up === undefined || up.encoder === undefined) {
      if (this.request.keep(chunk) > BUFFER_LIMIT_BYTES && this.overBufferLimit(up)) return 'StopIteration';
    }
    if (up !== undefined && up.encoder !== undefined && !up.done) {
      up.encoder.encodeData(chunk, endStream);
      if (endStream) up.encodeComplete = true;
    }
    if (endStream) this.onRequestComplete();
    return 'StopIteration';
  }

  /**
   * Request trailers: they end the request; sent upstream after the body (kept for a retry).
   * TODO(downstream): the filter manager does not dispatch trailers to decoder filters yet;
   * this is the router's end of that path.
   */
  decodeTrailers(trailers: HeaderList): 'Continue' | 'StopIteration' {
    if (this.finished || this.downstreamEnd) return 'StopIteration';
    this.request.keepTrailers(trailers);
    const up = this.upstream;
    if (up !== undefined && up.encoder !== undefined && !up.done) {
      up.encoder.encodeTrailers?.(trailers);
      up.encodeComplete = true;
    }
    this.onRequestComplete();
    return 'StopIteration';
  }

  /**
   * The buffered request body passed the buffer limit (Envoy: retry_shadow_buffer_limit, the
   * 1 MiB connection buffer limit by default). Retries are given up (retry_or_shadow_abandoned);
   * during a retry backoff that means 507; while the pool has not given a stream yet, reading
   * from the client pauses until it does. Returns true when the stream ended here.
   */
  private overBufferLimit(up: UpstreamRequest | undefined): boolean {
    if (this.retry !== undefined) {
      this.retry = undefined;
      this.cstats!.retry_or_shadow_abandoned.inc();
      if (up === undefined) {
        this.finish();
        sendRetryBufferExceeded(this.cb);
        return true;
      }
      if (up.encoder !== undefined) {
        // Everything buffered was already sent: keep nothing more.
        this.request.dropBody();
        return false;
      }
    }
    if (up !== undefined && up.encoder === undefined) this.request.pauseUntilStream();
    return false;
  }

  private onRequestComplete(): void {
    this.downstreamEnd = true;
    this.requestCompleteAt = this.cb.time.monotonic();
    if (this.globalTimeoutMs > 0) this.globalTimer = timerPool.arm(this.globalTimeoutMs, onGlobalTimer, this);
    if (this.upstream) this.upstream.setupPerTryTimeout(this.perTryTimeoutMs);
  }

  // --- UpstreamRequestOwner ----------------------------------------------------------------------

  onUpstreamReady(req: UpstreamRequest, host: UpstreamHostDescription): void {
    if (req !== this.upstream) return;
    this.cb.streamInfo.upstreamHost = host;
    const enc = req.encoder!;
    const tls = enc.upstreamTls;
    if (tls !== undefined) this.cb.streamInfo.upstreamTls = tls;
    this.request.sendTo(req, enc, this.cb.requestHeaders, this.headerList!, this.downstreamEnd, this.retry !== undefined);
  }

  onUpstreamHeaders(req: UpstreamRequest, status: number, list: HeaderList, endStream: boolean): void {
    if (req !== this.upstream || this.finished) return;
    const cstats = this.cstats!;
    const retry = this.retry;
    if (retry !== undefined && retry.wouldRetryResponse(status, list)) {
      if (this.tryScheduleRetry()) {
        cstats.retryCodes.charge(status);
        req.resetStream();
        return;
      }
    }
    this.retry = undefined;
    this.request.dropBody();
    const cb = this.cb;
    const info = cb.streamInfo;
    const now = cb.time.monotonic();
    info.firstUpstreamRxByteReceived = now;
    const headers = fromUpstreamHeaderList(list);
    if (this.downstreamEnd && !this.config.suppressEnvoyHeaders) {
      headers['x-envoy-upstream-service-time'] = String(Math.round(now - this.requestCompleteAt));
    }
    if (this.decision!.virtualHost.includeAttemptCountInResponse) headers['x-envoy-attempt-count'] = String(info.attemptCount);
    cstats.codes.charge(status);
    if (this.retried) cstats.upstream_rq_retry_success.inc();
    info.responseCodeDetails = Details.ViaUpstream;
    const response = { status, headers };
    this.config.ctx.routeProvider.finalizeResponse(this.decision!, response, info);
    this.responseStarted = true;
    if (endStream) this.onUpstreamComplete();
    cb.encodeHeaders(response, endStream);
  }

  onUpstreamData(req: UpstreamRequest, chunk: Buffer, endStream: boolean): void {
    if (req !== this.upstream || this.finished) return;
    if (endStream) this.onUpstreamComplete();
    this.cb.encodeData(chunk, endStream);
  }

  /**
   * Response trailers end the response. TODO(downstream): StreamDecoderFilterCallbacks has no
   * encodeTrailers yet; until it does, the response ends without them (an empty last chunk).
   */
  onUpstreamTrailers(req: UpstreamRequest, trailers: HeaderList): void {
    if (req !== this.upstream || this.finished) return;
    this.onUpstreamComplete();
    const cb = this.cb as StreamDecoderFilterCallbacks & { encodeTrailers?(trailers: HeaderList): void };
    if (cb.encodeTrailers !== undefined) cb.encodeTrailers(trailers);
    else cb.encodeData(EMPTY_BODY, true);
  }

  private onUpstreamComplete(): void {
    this.finish();
    if (this.downstreamEnd) this.cstats!.upstream_rq_time.record(this.cb.time.monotonic() - this.requestCompleteAt);
  }

  onUpstreamReset(req: UpstreamRequest, reason: EnvoyResetReason, tfr: string): void {
    if (req !== this.upstream || this.finished) return;
    const info = this.cb.streamInfo;
    if (tfr) info.upstreamTransportFailureReason = tfr;
    if (!this.responseStarted && this.retry !== undefined && this.retry.wouldRetryReset(reason, false)) {
      if (this.tryScheduleRetry()) return;
    }
    this.upstream = undefined;
    const late = this.responseStarted;
    if (!late) this.cstats!.codes.charge(upstreamResetStatus(reason));
    else this.config.stats.rq_reset_after_downstream_response_started.inc();
    this.finish();
    sendUpstreamResetReply(this.cb, reason, tfr, this.retried, late, reason === 'overflow' && !this.config.suppressEnvoyHeaders);
  }

  /**
   * Request-body backpressure (Envoy's upstream write-buffer watermarks): while the upstream
   * connection's write buffer is full, the downstream is not read, so a fast client uploading to
   * a slow upstream is not buffered in memory.
   */
  onUpstreamWriteBlocked(req: UpstreamRequest, blocked: boolean): void {
    if (req === this.upstream) this.request.setWriteBlocked(blocked);
  }

  onPerTryTimeout(req: UpstreamRequest): void {
    if (req !== this.upstream || this.finished) return;
    this.cstats!.upstream_rq_per_try_timeout.inc();
    req.resetStream();
    if (!this.responseStarted && this.retry !== undefined && this.retry.wouldRetryReset('local_reset', true)) {
      if (this.tryScheduleRetry()) return;
    }
    this.upstream = undefined;
    this.cstats!.codes.charge(this.timeoutStatus);
    this.onTimeoutAbort(Details.UpstreamPerTryTimeout);
  }

  /** The route (global) timeout fired (Envoy's onResponseTimeout). */
  onResponseTimeout(): void {
    this.globalTimer = undefined;
    if (this.finished) return;
    const cstats = this.cstats!;
    cstats.upstream_rq_timeout.inc();
    const up = this.upstream;
    this.upstream = undefined;
    if (up !== undefined) {
      if (up.awaitingHeaders) cstats.codes.charge(this.timeoutStatus);
      up.resetStream();
    } else if (!this.responseStarted) {
      cstats.codes.charge(this.timeoutStatus);
    }
    this.onTimeoutAbort(Details.ResponseTimeout);
  }

  private onTimeoutAbort(details: string): void {
    this.finish();
    sendTimeoutReply(this.cb, this.timeoutStatus, details);
  }

  /** The router answers itself now: late callbacks are ignored, its timers stop. */
  private finish(): void {
    this.finished = true;
    this.clearTimers();
  }

  /** Schedules a retry with backoff (router_retry_backoff.ts); false when retries are exhausted (URX) or overflow (UO). */
  private tryScheduleRetry(): boolean {
    const timer = scheduleRetry(this.retry!, this.cluster!, this.cstats!, this.cb.streamInfo, this.cb.random, this);
    if (timer === undefined) return false;
    this.upstream = undefined;
    this.retryTimer = timer;
    return true;
  }

  /** Backoff elapsed: choose a host again and start the next attempt. */
  doRetry(): void {
    this.retryTimer = undefined;
    if (this.finished) return;
    const cluster = this.cluster!;
    cluster.releaseRetry?.();
    this.retried = true;
    const info = this.cb.streamInfo;
    info.attemptCount++;
    if (this.decision!.virtualHost.includeRequestAttemptCount) {
      const list = this.headerList!;
      for (const pair of list) if (pair[0] === 'x-envoy-attempt-count') pair[1] = String(info.attemptCount);
    }
    const previousHosts = info.upstreamHost ? [info.upstreamHost] : undefined;
    const host = cluster.chooseHost({ hashKey: this.lbContext?.hashKey, previousHosts }, info, this.cb.requestHeaders.headers);
    if (host === null) {
      this.finish();
      sendNoHealthyUpstream(this.cstats!, this.cb);
      return;
    }
    this.startAttempt(host);
  }

  private clearTimers(): void {
    if (this.globalTimer) {
      timerPool.release(this.globalTimer);
      this.globalTimer = undefined;
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  // --- DownstreamWatermarkCallbacks (backpressure from a slow client) -----------------------------

  onAboveWriteBufferHighWatermark(): void {
    if (this.downstreamBlocked) return;
    this.downstreamBlocked = true;
    this.upstream?.encoder?.readDisable?.(true);
  }

  onBelowWriteBufferLowWatermark(): void {
    if (!this.downstreamBlocked) return;
    this.downstreamBlocked = false;
    this.upstream?.encoder?.readDisable?.(false);
  }

  // --- TunnelOwner (router_upgrade.ts) -------------------------------------------------------

  onTunnelFailure(r: EnvoyResetReason, tfr: string): void {
    this.cstats!.codes.charge(upstreamResetStatus(r));
    this.finish();
    sendUpstreamResetReply(this.cb, r, tfr, false, false, false);
  }

  /** The downstream went away (DC) or the stream timed out: abort the upstream attempt. */
  onDownstreamAbort(): void {
    this.finish();
    this.tunnel?.abort();
    const up = this.upstream;
    this.upstream = undefined;
    if (up) up.resetStream();
  }

  onDestroy(): void {
    if (!this.finished || this.upstream !== undefined) this.onDownstreamAbort();
    this.clearTimers();
  }
}

/** Starts the tunnel of an upgrade request the connection manager let through. */
function startTunnel(owner: TunnelOwner, cb: StreamDecoderFilterCallbacks, host: UpstreamHostDescription, headers: RequestHeaderMap, cluster: ClusterInfo, idleTimeoutMs: number): UpgradeTunnel {
  const t = new UpgradeTunnel(cb, owner, cb.upgradeType!, idleTimeoutMs);
  t.start({ host, connectTimeoutMs: cluster.connectTimeoutMs, transportSocket: cluster.transportSocket }, headers);
  return t;
}

/** The registry's factory: one RouterConfig per HCM, one RouterFilter per stream. */
export function createRouterFilterFactory(typedConfig: Any | undefined, ctx: FilterFactoryContext): FilterFactoryCb {
  const config = new RouterConfig(ctx, typedConfig);
  return () => ({ decoder: new RouterFilter(config) });
}
