/**
 * Router filter config shared by all streams of one connection manager (Envoy's
 * Router::FilterConfig) and small per-request helpers the router uses (the factory is in router.ts).
 */
import { runtimeGeneration } from '../runtime_loader.js';
import { readFileSync } from 'node:fs';
import type { Any } from '../../config/types.js';
import type { ForwardDecision } from '../../core/route_types.js';
import { hashKeyFor } from '../../core/hash_policy.js';
import type { RequestHeaderMap } from '../http/filter.js';
import type { StreamInfo } from '../stream_info.js';
import type { LoadBalancerContext } from '../upstream/types.js';
import type { FilterFactoryContext } from './filter_registration.js';
import { resolveRouterStats, type RouterStats } from './router_stats.js';

/** Envoy's default per_connection_buffer_limit_bytes (1 MiB), the router's body buffer limit. */
export const BUFFER_LIMIT_BYTES = 1_048_576;

/** `envoy.extensions.filters.http.router.v3.Router`. */
export const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

/** Router config shared by all streams of one HCM (Envoy's FilterConfig). */
export class RouterConfig {
  readonly stats: RouterStats;
  /** `Router.suppress_envoy_headers` (default false). */
  readonly suppressEnvoyHeaders: boolean;
  /** The HCM's `common_http_protocol_options.max_stream_duration` in ms (0: none). */
  readonly hcmMaxStreamDurationMs: number;
  constructor(
    readonly ctx: FilterFactoryContext,
    typedConfig: Any | undefined,
  ) {
    this.stats = resolveRouterStats(ctx.stats);
    this.suppressEnvoyHeaders = typedConfig?.['suppress_envoy_headers'] === true;
    this.hcmMaxStreamDurationMs = ctx.hcm.common_http_protocol_options?.max_stream_duration ?? 0;
  }
  private readonly files = new Map<string, string>();
  /**
   * `direct_response.body.filename`: the core is pure, so the file is read here, once (Envoy
   * reads it at config load). An unreadable file gives an empty body.
   */
  bodyFromFile(filename: string | undefined): string {
    if (filename === undefined) return '';
    let body = this.files.get(filename);
    if (body === undefined) {
      try {
        body = readFileSync(filename, 'utf8');
      } catch {
        body = '';
      }
      this.files.set(filename, body);
    }
    return body;
  }

  private readonly maintenancePct = new Map<string, number>();
  private maintenanceGen = 0;
  /**
   * Runtime `upstream.maintenance_mode.<cluster>` (percent, default 0), resolved once per cluster
   * and runtime generation (admin /runtime_modify moves it); 0 means no random draw at all.
   */
  maintenancePercent(cluster: string): number {
    const gen = runtimeGeneration(this.ctx.runtime);
    if (gen !== this.maintenanceGen) {
      this.maintenancePct.clear();
      this.maintenanceGen = gen;
    }
    let pct = this.maintenancePct.get(cluster);
    if (pct === undefined) {
      const v = this.ctx.runtime[`upstream.maintenance_mode.${cluster}`];
      pct = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) || 0 : 0;
      this.maintenancePct.set(cluster, pct);
    }
    return pct;
  }
}



/** The LoadBalancerContext for RING_HASH / MAGLEV: the hash the core computes from `hash_policy`. */
export function lbContextFor(decision: ForwardDecision, headers: RequestHeaderMap, info: StreamInfo): LoadBalancerContext | undefined {
  const hashPolicies = decision.route.hashPolicies;
  if (hashPolicies.length === 0) return undefined;
  const hashKey = hashKeyFor(hashPolicies, {
    authority: headers.authority,
    path: headers.path,
    method: headers.method,
    scheme: headers.scheme,
    headers: headers.headers,
    remoteAddress: info.downstreamRemoteAddress,
    remotePort: info.downstreamRemotePort,
  });
  return hashKey === undefined ? undefined : { hashKey };
}
