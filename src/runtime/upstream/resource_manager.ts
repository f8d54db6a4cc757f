/**
 * Circuit breakers of one cluster at the DEFAULT routing priority (Envoy's ResourceManagerImpl):
 * counters of open connections, pending requests, active requests and active retries, each with
 * a maximum (`circuit_breakers.thresholds[priority=DEFAULT]`, defaults 1024/1024/1024/3) and the
 * `circuit_breakers.default.*_open` gauge that reads 1 while the resource is at its limit.
 *
 * Not thread-shared: one per cluster per worker. Never calls back.
 */
import type { CircuitBreakers } from '../../config/types.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_MAX_RETRIES,
} from '../../config/defaults.js';
import type { Gauge, StatsScope } from '../stats/store.js';

/** One limited resource (Envoy's ResourceLimit). */
export class Resource {
  count = 0;
  constructor(
    readonly max: number,
    private readonly open: Gauge,
    private readonly remaining?: Gauge,
  ) {
    this.update();
  }

  canCreate(): boolean {
    return this.count < this.max;
  }

  inc(): void {
    this.count++;
    this.update();
  }

  dec(): void {
    this.count--;
    this.update();
  }

  private update(): void {
    this.open.set(this.count >= this.max ? 1 : 0);
    this.remaining?.set(Math.max(0, this.max - this.count));
  }
}

/** The four cluster-wide circuit breakers. */
export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: Resource;

  constructor(config: CircuitBreakers | undefined, scope: StatsScope) {
    const t = config?.thresholds?.find((x) => (x.priority ?? 'DEFAULT') === 'DEFAULT');
    const cb = scope.scope('circuit_breakers.default.');
    const track = t?.track_remaining === true;
    const rem = (name: string): Gauge | undefined => (track ? cb.gauge(name) : undefined);
    this.connections = new Resource(t?.max_connections ?? DEFAULT_MAX_CONNECTIONS, cb.gauge('cx_open'), rem('remaining_cx'));
    this.pendingRequests = new Resource(
      t?.max_pending_requests ?? DEFAULT_MAX_PENDING_REQUESTS,
      cb.gauge('rq_pending_open'),
      rem('remaining_pending'),
    );
    this.requests = new Resource(t?.max_requests ?? DEFAULT_MAX_REQUESTS, cb.gauge('rq_open'), rem('remaining_rq'));
    this.retries = new Resource(t?.max_retries ?? DEFAULT_MAX_RETRIES, cb.gauge('rq_retry_open'), rem('remaining_retries'));
  }
}
