/**
 * Stats the router charges (Envoy's RouterStats under `http.<stat_prefix>.` and the response code
 * stats CodeStatsImpl charges under `cluster.<name>.`). Resolved once per cluster and cached on
 * the ClusterInfo object, so the hot path only calls `inc()`/`record()`.
 */
import type { Counter, Histogram, StatsScope } from '../stats/store.js';
import type { ClusterInfo } from '../upstream/types.js';

/** `http.<stat_prefix>.` router stats. */
export interface RouterStats {
  readonly rq_total: Counter;
  readonly no_route: Counter;
  readonly no_cluster: Counter;
  readonly rq_redirect: Counter;
  readonly rq_direct_response: Counter;
  readonly rq_reset_after_downstream_response_started: Counter;
}

/** Resolves the router's HCM-level counters once per HCM. */
export function resolveRouterStats(scope: StatsScope): RouterStats {
  return {
    rq_total: scope.counter('rq_total'),
    no_route: scope.counter('no_route'),
    no_cluster: scope.counter('no_cluster'),
    rq_redirect: scope.counter('rq_redirect'),
    rq_direct_response: scope.counter('rq_direct_response'),
    rq_reset_after_downstream_response_started: scope.counter('rq_reset_after_downstream_response_started'),
  };
}

/** Response-code stats of one prefix (`cluster.<name>.` or `cluster.<name>.retry.`). */
export class CodeStats {
  private readonly byCode: (Counter | undefined)[] = [];
  private readonly byClass: Counter[] = [];
  readonly completed: Counter;
  constructor(private readonly scope: StatsScope) {
    for (let i = 0; i <= 5; i++) this.byClass.push(scope.counter(`upstream_rq_${i === 0 ? 1 : i}xx`));
    this.completed = scope.counter('upstream_rq_completed');
  }
  /** CodeStatsImpl::chargeBasicResponseStat: upstream_rq_completed, _<N>xx, _<code>. */
  charge(code: number): void {
    if (code < 100 || code > 599) return;
    this.completed.inc();
    this.byClass[(code / 100) | 0]!.inc();
    let c = this.byCode[code];
    if (c === undefined) {
      c = this.scope.counter(`upstream_rq_${code}`);
      this.byCode[code] = c;
    }
    c.inc();
  }
}

/** Per-cluster router stats. */
export interface ClusterRouterStats {
  readonly codes: CodeStats;
  readonly retryCodes: CodeStats;
  readonly upstream_rq_time: Histogram;
  readonly upstream_rq_timeout: Counter;
  readonly upstream_rq_per_try_timeout: Counter;
  readonly upstream_rq_maintenance_mode: Counter;
  readonly upstream_rq_retry: Counter;
  readonly upstream_rq_retry_success: Counter;
  readonly upstream_rq_retry_overflow: Counter;
  readonly upstream_rq_retry_limit_exceeded: Counter;
  readonly upstream_rq_retry_backoff_exponential: Counter;
  readonly retry_or_shadow_abandoned: Counter;
}

const cache = new WeakMap<ClusterInfo, ClusterRouterStats>();

/** The router's stats of a cluster, created on first use and cached on its ClusterInfo. */
export function clusterRouterStats(info: ClusterInfo): ClusterRouterStats {
  let s = cache.get(info);
  if (s === undefined) {
    const sc = info.stats;
    s = {
      codes: new CodeStats(sc),
      retryCodes: new CodeStats(sc.scope('retry.')),
      upstream_rq_time: sc.histogram('upstream_rq_time'),
      upstream_rq_timeout: sc.counter('upstream_rq_timeout'),
      upstream_rq_per_try_timeout: sc.counter('upstream_rq_per_try_timeout'),
      upstream_rq_maintenance_mode: sc.counter('upstream_rq_maintenance_mode'),
      upstream_rq_retry: sc.counter('upstream_rq_retry'),
      upstream_rq_retry_success: sc.counter('upstream_rq_retry_success'),
      upstream_rq_retry_overflow: sc.counter('upstream_rq_retry_overflow'),
      upstream_rq_retry_limit_exceeded: sc.counter('upstream_rq_retry_limit_exceeded'),
      upstream_rq_retry_backoff_exponential: sc.counter('upstream_rq_retry_backoff_exponential'),
      retry_or_shadow_abandoned: sc.counter('retry_or_shadow_abandoned'),
    };
    cache.set(info, s);
  }
  return s;
}
