/**
 * The contract between the HTTP filter registry (registry.ts) and each runnable filter: what a
 * filter's runtime factory may use (one context per HTTP connection manager) and what a filter
 * registers. Types only.
 */
import type { Any, HttpConnectionManager } from '../../config/types.js';
import type { RuntimeValues } from '../../core/route_types.js';
import type { FilterFactoryCb, RandomSource, TimeSource } from '../http/filter.js';
import type { ClusterManager } from '../upstream/types.js';
import type { RouteProvider } from '../http/route_provider.js';
import type { StatsScope, StatsStore } from '../stats/store.js';

/** What a runtime factory may use. One per HTTP connection manager. */
export interface FilterFactoryContext {
  /** `HttpConnectionManager.stat_prefix`. */
  readonly statPrefix: string;
  /** `http.<stat_prefix>.` scope. */
  readonly stats: StatsScope;
  readonly store: StatsStore;
  readonly clusterManager: ClusterManager;
  /** Static runtime (layered_runtime static layers). */
  readonly runtime: RuntimeValues;
  readonly random: RandomSource;
  readonly time: TimeSource;
  readonly hcm: HttpConnectionManager;
  /** The HCM's routing (core route() + finalization). */
  readonly routeProvider: RouteProvider;
  /** The server: failing health checks (admin /healthcheck/fail), `node.cluster`. */
  readonly server?: { healthCheckFailed(): boolean; readonly serviceCluster: string };
}

/** One runnable HTTP filter. */
export interface HttpFilterRegistration {
  /** `type.googleapis.com/envoy.extensions.filters.http.<x>.v3.<X>`. */
  readonly typeUrl: string;
  /** Names Envoy resolves when `typed_config` is absent (legacy). */
  readonly names: readonly string[];
  /** True for filters that must be last (router). */
  readonly terminal: boolean;
  /**
   * Builds the per-stream factory from the filter's decoded `typed_config` (undefined when the
   * config had none). May throw an Error whose message is shown as a startup diagnostic.
   */
  createFilterFactory(typedConfig: Any | undefined, context: FilterFactoryContext): FilterFactoryCb;
}
