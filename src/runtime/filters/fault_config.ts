/**
 * `envoy.extensions.filters.http.fault.v3.HTTPFault`, compiled once per filter config (and once
 * per per-route config object). It takes the message as the config layer decodes it (the
 * loader decodes the HttpFilter's typed_config and every typed_per_filter_config entry by
 * `@type`: snake_case names, Durations in ms, enums by name), whichever spelling the user wrote.
 * Invalid configs throw an Error whose message is fit for a startup diagnostic.
 */
import type { FractionalPercent } from '../../config/types.js';
import type { HTTPFault } from '../../config/extension_types.js';
import { fractionalPercentDenominator } from '../../config/defaults.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { compileHeaderMatcher, type CompiledHeaderMatcher } from '../../core/header_matcher.js';
import type { CompileContext } from '../../core/compile_context.js';

/**
 * `FaultDelay.percentage` / `FaultAbort.percentage` absent: Envoy reads the proto default
 * FractionalPercent (numerator 0), so the fault is never injected. Configs always set it.
 */
const ABSENT_PERCENTAGE: FractionalPercent = { numerator: 0, denominator: 'HUNDRED' };

/** A fraction as numerator/denominator (Envoy's FractionalPercent, denominator resolved). */
export interface Fraction {
  numerator: number;
  denominator: number;
}

/** HTTPFault, compiled. */
export interface CompiledFaultConfig {
  readonly delay: { fixedMs: number | undefined; fromHeader: boolean; percentage: Fraction } | undefined;
  readonly abort: { status: number | undefined; grpcStatus: number | undefined; fromHeader: boolean; percentage: Fraction } | undefined;
  readonly upstreamCluster: string | undefined;
  readonly downstreamNodes: ReadonlySet<string> | undefined;
  readonly headers: readonly CompiledHeaderMatcher[];
  readonly maxActiveFaults: number | undefined;
  readonly disableDownstreamClusterStats: boolean;
  readonly runtimeKeys: {
    delayPercent: string;
    abortPercent: string;
    delayDuration: string;
    abortStatus: string;
    abortGrpcStatus: string;
    maxActiveFaults: string;
  };
}

function fraction(p: FractionalPercent = ABSENT_PERCENTAGE): Fraction {
  const denominator = fractionalPercentDenominator(p.denominator);
  return { numerator: Math.min(Number(p.numerator ?? 0), denominator), denominator };
}

/** Compiles a decoded HTTPFault message. Throws an Error with a diagnostic-ready message when invalid. */
export function compileFaultConfig(typed: HTTPFault | undefined, runtime: RuntimeValues = {}): CompiledFaultConfig {
  const cfg = typed ?? {};
  if (cfg.response_rate_limit !== undefined) {
    throw new Error('HTTPFault.response_rate_limit is not implemented by tsproxy');
  }
  let delay: CompiledFaultConfig['delay'];
  if (cfg.delay) {
    const fromHeader = cfg.delay.header_delay !== undefined;
    const fixedMs = cfg.delay.fixed_delay;
    if (!fromHeader && fixedMs === undefined) throw new Error('HTTPFault.delay needs fixed_delay or header_delay');
    delay = { fixedMs, fromHeader, percentage: fraction(cfg.delay.percentage) };
  }
  let abort: CompiledFaultConfig['abort'];
  if (cfg.abort) {
    const fromHeader = cfg.abort.header_abort !== undefined;
    const status = cfg.abort.http_status;
    const grpcStatus = cfg.abort.grpc_status;
    if (!fromHeader && status === undefined && grpcStatus === undefined) {
      throw new Error('HTTPFault.abort needs http_status, grpc_status or header_abort');
    }
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status >= 600)) {
      throw new Error(`HTTPFault.abort.http_status must be in [200, 600), got ${String(status)}`);
    }
    abort = { status, grpcStatus, fromHeader, percentage: fraction(cfg.abort.percentage) };
  }
  const ctx: CompileContext = { runtime, diagnostics: [], file: '' };
  const headers = (cfg.headers ?? []).map((h, i) => compileHeaderMatcher(h, ctx, `$.headers[${i}]`));
  const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`HTTPFault.headers: ${errors.map((d) => d.message).join('; ')}`);
  const nodes = cfg.downstream_nodes;
  const rk = (v: string | undefined, dflt: string): string => (v !== undefined && v !== '' ? v : dflt);
  return {
    delay,
    abort,
    upstreamCluster: cfg.upstream_cluster || undefined,
    downstreamNodes: nodes && nodes.length ? new Set(nodes) : undefined,
    headers,
    maxActiveFaults: cfg.max_active_faults,
    disableDownstreamClusterStats: cfg.disable_downstream_cluster_stats === true,
    runtimeKeys: {
      delayPercent: rk(cfg.delay_percent_runtime, 'fault.http.delay.fixed_delay_percent'),
      abortPercent: rk(cfg.abort_percent_runtime, 'fault.http.abort.abort_percent'),
      delayDuration: rk(cfg.delay_duration_runtime, 'fault.http.delay.fixed_duration_ms'),
      abortStatus: rk(cfg.abort_http_status_runtime, 'fault.http.abort.http_status'),
      abortGrpcStatus: rk(cfg.abort_grpc_status_runtime, 'fault.http.abort.grpc_status'),
      maxActiveFaults: rk(cfg.max_active_faults_runtime, 'fault.http.max_active_faults'),
    },
  };
}
