/**
 * The timeouts of one downstream stream (Envoy's ActiveStream idle, request and max-duration
 * timers), each answered as Envoy answers it once it fires before the stream completed:
 * - `stream_idle_timeout` (default 5 min): no activity either way; 408 while the request is
 *   incomplete (and the connection closes), else 504 (Envoy's Utility::maybeRequestTimeoutCode);
 *   `stream timeout`, SI, `downstream_rq_idle_timeout`. A tunnel times itself instead.
 * - `request_timeout` (default off): the whole request did not arrive in time; 408 `request
 *   timeout`, `downstream_rq_timeout`, the connection closes.
 * - `max_stream_duration` (the route's or the HCM's, armed by the router once routed): the time
 *   since the stream started; 408 while the request is incomplete, else 504, `downstream duration
 *   timeout` (gRPC: DEADLINE_EXCEEDED), DT, `downstream_rq_max_duration_reached`.
 * Each aborts the upstream request first; once the response started, the stream's local reply is
 * a reset. The idle timer is pooled (timer_pool.ts): nearly every stream arms it, nearly none
 * fires. Timers get this object as their argument: no closures.
 */
import { GrpcStatus } from '../../core/grpc.js';
import { addFlag, type ResponseFlag, type StreamInfo } from '../stream_info.js';
import type { Counter } from '../stats/store.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type { LocalReplyOptions, TimeSource } from './filter.js';
import { Details } from './local_reply.js';
import { timerPool, type PooledTimer } from './timer_pool.js';

/** What the timeouts need of their stream (ActiveStream). */
export interface TimedStream {
  readonly config: ConnectionManagerConfig;
  readonly streamInfo: StreamInfo;
  readonly time: TimeSource;
  readonly isComplete: boolean;
  readonly isRequestComplete: boolean;
  /** The upstream request (the router) is told the stream ends: it resets its attempt. */
  abortUpstream(): void;
  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void;
}

function onStreamIdleTimer(t: StreamTimeouts): void {
  t.onIdleTimeout();
}
function onRequestTimer(t: StreamTimeouts): void {
  t.onRequestTimeout();
}
function onDurationTimer(t: StreamTimeouts): void {
  t.onMaxDuration();
}

/** The stream's three timers; `stopAll()` when the stream completes. */
export class StreamTimeouts {
  private idleTimer: PooledTimer | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private durationTimer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: TimedStream) {}

  /** The request head was decoded: stream_idle_timeout, and request_timeout unless `endStream`. */
  start(endStream: boolean): void {
    const config = this.stream.config;
    if (config.streamIdleTimeoutMs > 0) this.idleTimer = timerPool.arm(config.streamIdleTimeoutMs, onStreamIdleTimer, this);
    if (config.requestTimeoutMs > 0 && !endStream) this.requestTimer = setTimeout(onRequestTimer, config.requestTimeoutMs, this);
  }

  /** Activity on the stream (a body chunk either way): the idle countdown restarts. */
  onActivity(): void {
    if (this.idleTimer) this.idleTimer.refresh();
  }

  /** The whole request arrived: request_timeout no longer applies. */
  onRequestComplete(): void {
    if (this.requestTimer) {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
    }
  }

  /** The stream became a tunnel, which times itself (stream_idle_timeout on its sockets). */
  stopIdle(): void {
    if (this.idleTimer) {
      timerPool.release(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  /**
   * The stream may last `ms` from its start (max_stream_duration, Envoy's
   * refreshDurationTimeout: the time already used counts). Replaces an earlier limit.
   */
  setMaxStreamDuration(ms: number): void {
    if (this.durationTimer) clearTimeout(this.durationTimer);
    const s = this.stream;
    const left = Math.max(0, ms - (s.time.monotonic() - s.streamInfo.startMonotonic));
    this.durationTimer = setTimeout(onDurationTimer, left, this);
  }

  /** The stream completed: no timer fires any more. */
  stopAll(): void {
    this.stopIdle();
    if (this.requestTimer) clearTimeout(this.requestTimer);
    if (this.durationTimer) clearTimeout(this.durationTimer);
  }

  /** stream_idle_timeout fired (see the file comment). */
  onIdleTimeout(): void {
    this.idleTimer = undefined;
    const s = this.stream;
    if (!this.expire(s.config.stats.downstream_rq_idle_timeout, 'SI')) return;
    const complete = s.isRequestComplete;
    s.sendLocalReply(complete ? 504 : 408, 'stream timeout', Details.StreamIdleTimeout, { closeConnection: !complete });
  }

  /** request_timeout fired before the request was complete: 408 `request timeout`. */
  onRequestTimeout(): void {
    this.requestTimer = undefined;
    const s = this.stream;
    if (!this.expire(s.config.stats.downstream_rq_timeout, undefined)) return;
    s.sendLocalReply(408, 'request timeout', Details.RequestOverallTimeout, { closeConnection: true });
  }

  /** max_stream_duration reached (Envoy's onStreamMaxDurationReached; see the file comment). */
  onMaxDuration(): void {
    this.durationTimer = undefined;
    const s = this.stream;
    if (!this.expire(s.config.stats.downstream_rq_max_duration_reached, 'DT')) return;
    s.sendLocalReply(s.isRequestComplete ? 504 : 408, 'downstream duration timeout', Details.MaxDurationTimeout, { grpcStatus: GrpcStatus.DeadlineExceeded });
  }

  /** A timeout fired: unless the stream completed already, counted, flagged, the upstream aborted; false if it had. */
  private expire(counter: Counter, flag: ResponseFlag | undefined): boolean {
    const s = this.stream;
    if (s.isComplete) return false;
    counter.inc();
    if (flag !== undefined) addFlag(s.streamInfo, flag);
    s.abortUpstream();
    return true;
  }
}
