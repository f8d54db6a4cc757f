/**
 * Whether a retriable failure is retried now, and when (Envoy's RetryStateImpl::shouldRetry):
 * a retry must be left (`num_retries`, else `upstream_rq_retry_limit_exceeded` and URX) and the
 * cluster's max_retries circuit breaker must allow one more (else `upstream_rq_retry_overflow`
 * and UO); then it is counted (`upstream_rq_retry`, `upstream_rq_retry_backoff_exponential`)
 * and runs after the jittered exponential backoff of its RetryState (router_retry.ts).
 */
import type { RandomSource } from '../http/filter.js';
import { addFlag, type StreamInfo } from '../stream_info.js';
import type { ThreadLocalCluster } from '../upstream/types.js';
import type { RetryState } from './router_retry.js';
import type { ClusterRouterStats } from './router_stats.js';

/** What a retry calls once its backoff elapsed (the router: it picks a host again). */
export interface RetryTarget {
  doRetry(): void;
}

function onRetryTimer(target: RetryTarget): void {
  target.doRetry();
}

/**
 * Takes a retry and arms its backoff timer, which calls `target.doRetry()` (the cluster's retry
 * budget is then held until the target releases it). Returns the timer, or undefined when no
 * retry goes (the reason is counted and flagged on `info`). Draws from `random` only for a retry.
 */
export function scheduleRetry(
  retry: RetryState,
  cluster: ThreadLocalCluster,
  cstats: ClusterRouterStats,
  info: StreamInfo,
  random: RandomSource,
  target: RetryTarget,
): NodeJS.Timeout | undefined {
  if (!retry.takeRetry()) {
    cstats.upstream_rq_retry_limit_exceeded.inc();
    addFlag(info, 'URX');
    return undefined;
  }
  if (cluster.tryRetry && !cluster.tryRetry()) {
    cstats.upstream_rq_retry_overflow.inc();
    addFlag(info, 'UO');
    return undefined;
  }
  cstats.upstream_rq_retry.inc();
  cstats.upstream_rq_retry_backoff_exponential.inc();
  return setTimeout(onRetryTimer, retry.nextBackoffMs(random.random()), target);
}
