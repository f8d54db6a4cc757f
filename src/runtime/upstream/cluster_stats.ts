/**
 * The per-cluster stats the upstream side moves, resolved once per cluster so the hot path only
 * calls `inc()`/`dec()` (Envoy's ClusterTrafficStats names under `cluster.<name>.`). The router
 * records its own `upstream_rq_<code>`, `_completed`, `_time`, `_timeout`, `_retry*` counters
 * through `ClusterInfo.stats`.
 */
import type { Counter, Gauge, Histogram, StatsScope } from '../stats/store.js';

export class ClusterStats {
  readonly upstream_cx_total: Counter;
  readonly upstream_cx_http1_total: Counter;
  readonly upstream_cx_http2_total: Counter;
  readonly upstream_cx_active: Gauge;
  readonly upstream_cx_connect_fail: Counter;
  readonly upstream_cx_connect_timeout: Counter;
  readonly upstream_cx_overflow: Counter;
  readonly upstream_cx_destroy: Counter;
  readonly upstream_cx_destroy_remote: Counter;
  readonly upstream_cx_idle_timeout: Counter;
  readonly upstream_cx_destroy_local: Counter;
  readonly upstream_cx_destroy_with_active_rq: Counter;
  readonly upstream_cx_destroy_remote_with_active_rq: Counter;
  readonly upstream_cx_destroy_local_with_active_rq: Counter;
  readonly upstream_cx_max_requests: Counter;
  readonly upstream_cx_protocol_error: Counter;
  readonly upstream_cx_none_healthy: Counter;
  readonly upstream_rq_total: Counter;
  readonly upstream_rq_active: Gauge;
  readonly upstream_rq_pending_total: Counter;
  readonly upstream_rq_pending_active: Gauge;
  readonly upstream_rq_pending_overflow: Counter;
  readonly upstream_rq_pending_failure_eject: Counter;
  readonly upstream_rq_cancelled: Counter;
  readonly membership_healthy: Gauge;
  readonly membership_degraded: Gauge;
  readonly membership_total: Gauge;
  readonly membership_change: Counter;
  readonly lb_healthy_panic: Counter;
  readonly update_attempt: Counter;
  readonly update_success: Counter;
  readonly update_failure: Counter;
  /** Connect time of successful connections, ms (Envoy's `upstream_cx_connect_ms`). */
  readonly upstream_cx_connect_ms: Histogram;
  /** Lifetime of closed connections, ms (Envoy's `upstream_cx_length_ms`). */
  readonly upstream_cx_length_ms: Histogram;

  constructor(readonly scope: StatsScope) {
    const c = (n: string): Counter => scope.counter(n);
    const g = (n: string): Gauge => scope.gauge(n);
    this.upstream_cx_total = c('upstream_cx_total');
    this.upstream_cx_http1_total = c('upstream_cx_http1_total');
    this.upstream_cx_http2_total = c('upstream_cx_http2_total');
    this.upstream_cx_active = g('upstream_cx_active');
    this.upstream_cx_connect_fail = c('upstream_cx_connect_fail');
    this.upstream_cx_connect_timeout = c('upstream_cx_connect_timeout');
    this.upstream_cx_overflow = c('upstream_cx_overflow');
    this.upstream_cx_destroy = c('upstream_cx_destroy');
    this.upstream_cx_destroy_remote = c('upstream_cx_destroy_remote');
    this.upstream_cx_idle_timeout = c('upstream_cx_idle_timeout');
    this.upstream_cx_destroy_local = c('upstream_cx_destroy_local');
    this.upstream_cx_destroy_with_active_rq = c('upstream_cx_destroy_with_active_rq');
    this.upstream_cx_destroy_remote_with_active_rq = c('upstream_cx_destroy_remote_with_active_rq');
    this.upstream_cx_destroy_local_with_active_rq = c('upstream_cx_destroy_local_with_active_rq');
    this.upstream_cx_max_requests = c('upstream_cx_max_requests');
    this.upstream_cx_protocol_error = c('upstream_cx_protocol_error');
    this.upstream_cx_none_healthy = c('upstream_cx_none_healthy');
    this.upstream_rq_total = c('upstream_rq_total');
    this.upstream_rq_active = g('upstream_rq_active');
    this.upstream_rq_pending_total = c('upstream_rq_pending_total');
    this.upstream_rq_pending_active = g('upstream_rq_pending_active');
    this.upstream_rq_pending_overflow = c('upstream_rq_pending_overflow');
    this.upstream_rq_pending_failure_eject = c('upstream_rq_pending_failure_eject');
    this.upstream_rq_cancelled = c('upstream_rq_cancelled');
    this.membership_healthy = g('membership_healthy');
    this.membership_degraded = g('membership_degraded');
    this.membership_total = g('membership_total');
    this.membership_change = c('membership_change');
    this.lb_healthy_panic = c('lb_healthy_panic');
    this.update_attempt = c('update_attempt');
    this.update_success = c('update_success');
    this.update_failure = c('update_failure');
    this.upstream_cx_connect_ms = scope.histogram('upstream_cx_connect_ms');
    this.upstream_cx_length_ms = scope.histogram('upstream_cx_length_ms');
  }
}
