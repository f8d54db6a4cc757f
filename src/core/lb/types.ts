/**
 * The load balancer's view of a cluster: an immutable snapshot of hosts by priority, and the
 * LoadBalancer interface every algorithm implements (Envoy's Upstream::PrioritySet, HostSet and
 * LoadBalancer). Pure: randomness comes in through a `Random` function the caller injects.
 */

/** Host health as the load balancer sees it (Envoy's Host::Health). */
export type HostHealth = 'healthy' | 'degraded' | 'unhealthy';

/** What an algorithm reads from a host. The runtime's Host implements it. */
export interface LbHost {
  /** `LbEndpoint.load_balancing_weight` (default 1, at least 1). */
  readonly weight: number;
  readonly health: HostHealth;
  /**
   * Requests active on this host right now (Envoy's `rq_active` host stat). Read at pick time by
   * LEAST_REQUEST; it may change between picks, which is why it is not part of the snapshot.
   */
  readonly activeRequests: number;
  /** Key hashed onto the ring / Maglev table: the address string `ip:port` (Envoy's default). */
  readonly hashKey: string;
}

/** The hosts of one priority level, split by health (Envoy's HostSet). Immutable. */
export interface HostSet<H extends LbHost> {
  readonly priority: number;
  readonly hosts: readonly H[];
  readonly healthyHosts: readonly H[];
  readonly degradedHosts: readonly H[];
}

/**
 * Returns a uniformly distributed non-negative integer below 2^32 (Envoy's RandomGenerator,
 * narrowed to 32 bits). Tests pass a seeded generator; the runtime wraps Math.random.
 */
export type Random = () => number;

/** Which hosts of a priority a pick draws from (Envoy's HostsSource::SourceType). */
export type HostsSourceType = 'all_hosts' | 'healthy_hosts' | 'degraded_hosts';

/** Something that counts (a stats Counter fits); the core never imports the stats store. */
export interface CounterSink {
  inc(): void;
}

/** Common settings of every algorithm (Envoy's CommonLbConfig and cluster LB configs). */
export interface LoadBalancerOptions {
  /** `common_lb_config.healthy_panic_threshold`, percent; default 50. 0 disables panic mode. */
  healthyPanicThresholdPercent?: number;
  /** `ClusterLoadAssignment.policy.overprovisioning_factor`; default 140 (1.4x). */
  overprovisioningFactor?: number;
  /** `least_request_lb_config.choice_count`; default 2. */
  choiceCount?: number;
  /** `least_request_lb_config.active_request_bias`; default 1.0. */
  activeRequestBias?: number;
  /** `ring_hash_lb_config.minimum_ring_size`; default 1024. */
  minimumRingSize?: number;
  /** `ring_hash_lb_config.maximum_ring_size`; default 8M. */
  maximumRingSize?: number;
  /** `maglev_lb_config.table_size`; default 65537 (must be prime). */
  maglevTableSize?: number;
  /** Incremented on every pick made in panic mode (`cluster.<name>.lb_healthy_panic`). */
  healthyPanic?: CounterSink;
}

/**
 * Picks a host for a request (Envoy's LoadBalancer::chooseHost). `hashKey` comes from the
 * route's hash_policy (src/core/hash_policy.ts) and is used by RING_HASH and MAGLEV only; other
 * algorithms ignore it. Returns null when the chosen priority has no host to offer (503 UH).
 *
 * Not re-entrant in the sense of sharing across workers: an instance keeps round-robin and EDF
 * state, so each worker owns its own. It never calls back.
 */
export interface LoadBalancer<H extends LbHost> {
  chooseHost(hashKey: bigint | undefined): H | null;
}

/** Envoy's `Cluster.LbPolicy` names the algorithms implemented here. */
export type LbAlgorithm = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV';
