/**
 * The health check filter (`envoy.extensions.filters.http.health_check.v3.HealthCheck`, Envoy's
 * HealthCheckFilter). A request whose headers match every `headers` matcher is a health check:
 * it is marked in StreamInfo (access logs' `not_health_check_filter` skip it) and:
 *  - `pass_through_mode: false`: answered here once the request ended — 200
 *    `health_check_ok`, or 503 `health_check_failed` (flag LH) while the server fails health
 *    checks (admin `/healthcheck/fail`), or 503 when a cluster of
 *    `cluster_min_healthy_percentages` is missing (`health_check_failed_no_cluster_found`), empty
 *    (`..._cluster_empty`, unless its minimum is 0) or has fewer healthy + degraded hosts than
 *    the percentage (`..._cluster_unhealthy`); otherwise `health_check_ok_cluster_healthy`;
 *  - `pass_through_mode: true`: forwarded upstream, except while the server fails health checks
 *    (then answered 503 here).
 * Responses to health checks carry `x-envoy-upstream-healthchecked-cluster: <node.cluster>`;
 * other responses carry `x-envoy-immediate-health-check-fail: true` while failing.
 * `cache_time` is not implemented (the loader warns).
 */
import type { Any, HeaderMatcher } from '../../config/types.js';
import { compileHeaderMatcher, matchAllHeaders, type CompiledHeaderMatcher } from '../../core/header_matcher.js';
import type { CompileContext } from '../../core/compile_context.js';
import type {
  FilterDataStatus,
  FilterFactoryCb,
  FilterHeadersStatus,
  RequestHeaderMap,
  ResponseHeaderMap,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilterCallbacks,
  StreamFilter,
} from '../http/filter.js';
import type { ClusterManager } from '../upstream/types.js';
import type { FilterFactoryContext, HttpFilterRegistration } from './filter_registration.js';

export const HEALTH_CHECK_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck';

/** Response code details (Envoy's RcDetailsValues of the health check filter). */
export const HealthCheckDetails = {
  Ok: 'health_check_ok',
  Failed: 'health_check_failed',
  NoCluster: 'health_check_failed_no_cluster_found',
  ClusterEmpty: 'health_check_failed_cluster_empty',
  ClusterHealthy: 'health_check_ok_cluster_healthy',
  ClusterUnhealthy: 'health_check_failed_cluster_unhealthy',
} as const;

interface HealthCheckProto {
  pass_through_mode?: boolean;
  cluster_min_healthy_percentages?: Record<string, number>;
  headers?: HeaderMatcher[];
}

interface Shared {
  readonly passThrough: boolean;
  readonly matchers: readonly CompiledHeaderMatcher[];
  readonly minHealthy: ReadonlyArray<[string, number]>;
  readonly clusterManager: ClusterManager;
  readonly failed: () => boolean;
  readonly serviceCluster: string;
}

class HealthCheckFilter implements StreamFilter {
  private decoder!: StreamDecoderFilterCallbacks;
  private healthCheck = false;
  private handling = false;

  constructor(private readonly shared: Shared) {}

  setDecoderFilterCallbacks(cb: StreamDecoderFilterCallbacks): void {
    this.decoder = cb;
  }

  setEncoderFilterCallbacks(_cb: StreamEncoderFilterCallbacks): void {}

  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): FilterHeadersStatus {
    const s = this.shared;
    if (matchAllHeaders(s.matchers, headers)) {
      this.healthCheck = true;
      this.decoder.streamInfo.healthCheck = true;
      if (!s.passThrough || s.failed()) this.handling = true;
    }
    if (endStream && this.handling) this.onComplete();
    return this.handling ? 'StopIteration' : 'Continue';
  }

  decodeData(_chunk: Buffer, endStream: boolean): FilterDataStatus {
    if (endStream && this.handling) this.onComplete();
    return this.handling ? 'StopIteration' : 'Continue';
  }

  encodeHeaders(headers: ResponseHeaderMap): FilterHeadersStatus {
    if (this.healthCheck) headers.headers['x-envoy-upstream-healthchecked-cluster'] = this.shared.serviceCluster;
    else if (this.shared.failed()) headers.headers['x-envoy-immediate-health-check-fail'] = 'true';
    return 'Continue';
  }

  encodeData(): FilterDataStatus {
    return 'Continue';
  }

  onDestroy(): void {}

  private onComplete(): void {
    const s = this.shared;
    let status = 200;
    let details: string = HealthCheckDetails.Ok;
    if (s.failed()) {
      status = 503;
      details = HealthCheckDetails.Failed;
    } else {
      for (const [name, min] of s.minHealthy) {
        details = HealthCheckDetails.ClusterHealthy;
        const cluster = s.clusterManager.getThreadLocalCluster(name);
        if (!cluster) {
          status = 503;
          details = HealthCheckDetails.NoCluster;
          break;
        }
        const st = cluster.info.stats;
        const total = st.gauge('membership_total').value;
        if (total === 0) {
          if (Math.trunc(min) === 0) continue;
          status = 503;
          details = HealthCheckDetails.ClusterEmpty;
          break;
        }
        const available = st.gauge('membership_healthy').value + st.gauge('membership_degraded').value;
        if (100 * available < total * Math.trunc(min)) {
          status = 503;
          details = HealthCheckDetails.ClusterUnhealthy;
          break;
        }
      }
    }
    this.decoder.sendLocalReply(status, '', details, status === 200 ? undefined : { flag: 'LH' });
  }
}

/** Runtime factory: compiles the matchers once. */
export function createHealthCheckFilterFactory(typedConfig: Any | undefined, context: FilterFactoryContext): FilterFactoryCb {
  const cfg = (typedConfig ?? {}) as HealthCheckProto;
  if (cfg.pass_through_mode === undefined) throw new Error('health_check: pass_through_mode is required');
  const ctx: CompileContext = { runtime: context.runtime, diagnostics: [], file: '' };
  const matchers = (cfg.headers ?? []).map((h, i) => compileHeaderMatcher(h, ctx, `headers[${i}]`));
  const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`health_check: ${errors.map((d) => d.message).join('; ')}`);
  const shared: Shared = {
    passThrough: cfg.pass_through_mode,
    matchers,
    minHealthy: Object.entries(cfg.cluster_min_healthy_percentages ?? {}),
    clusterManager: context.clusterManager,
    failed: () => context.server?.healthCheckFailed() ?? false,
    serviceCluster: context.server?.serviceCluster ?? '',
  };
  return () => {
    const f = new HealthCheckFilter(shared);
    return { decoder: f, encoder: f };
  };
}

/** Registry entry (src/runtime/filters/registry.ts). */
export const HEALTH_CHECK_FILTER: HttpFilterRegistration = {
  typeUrl: HEALTH_CHECK_TYPE_URL,
  names: ['envoy.filters.http.health_check', 'envoy.health_check'],
  terminal: false,
  createFilterFactory: createHealthCheckFilterFactory,
};
