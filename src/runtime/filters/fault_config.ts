/**
 * `envoy.extensions.filters.http.fault.v3.HTTPFault`, compiled once per filter config (and once
 * per per-route config object). Accepts the message as the config layer decodes it (snake_case,
 * Durations in ms) and raw (lowerCamelCase, `"1.5s"`), since a per-route Any may reach the filter
 * either way. Invalid configs throw an Error whose message is fit for a startup diagnostic.
 */
import type { Any, FractionalPercent, HeaderMatcher } from '../../config/types.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { compileHeaderMatcher, type CompiledHeaderMatcher } from '../../core/header_matcher.js';
import type { CompileContext } from '../../core/compile_context.js';

/**
 * `FaultDelay.percentage` / `FaultAbort.percentage` absent: Envoy reads the proto default
 * FractionalPercent (numerator 0), so the fault is never injected. Configs always set it.
 */
const ABSENT_PERCENTAGE: FractionalPercent = { numerator: 0, denominator: 'HUNDRED' };

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

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

/** Reads a snake_case field or its lowerCamelCase spelling (raw, undecoded typed_config). */
export function field(obj: Record<string, unknown> | undefined, snake: string): unknown {
  if (!obj) return undefined;
  if (obj[snake] !== undefined) return obj[snake];
  return obj[snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

/** Duration as decoded (ms number) or raw (`"1.5s"`, `{seconds, nanos}`). */
function durationMs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v.trim());
    if (!m) throw new Error(`invalid Duration ${JSON.stringify(v)}`);
    return Number(m[1]) * 1000;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Number(o['seconds'] ?? 0) * 1000 + Number(o['nanos'] ?? 0) / 1e6;
  }
  throw new Error(`invalid Duration ${JSON.stringify(v)}`);
}

function fraction(v: unknown): Fraction {
  const p = (v ?? ABSENT_PERCENTAGE) as FractionalPercent;
  const den = (p.denominator ?? 'HUNDRED') as keyof typeof DENOMINATORS;
  const denominator = DENOMINATORS[den];
  if (denominator === undefined) throw new Error(`invalid FractionalPercent denominator ${String(p.denominator)}`);
  return { numerator: Math.min(Number(p.numerator ?? 0), denominator), denominator };
}

/** Converts raw camelCase HeaderMatcher keys to snake_case (matcher fields carry no user keys). */
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = snakeKeys(val);
  return out;
}

/** Compiles an HTTPFault message. Throws an Error with a diagnostic-ready message when invalid. */
export function compileFaultConfig(typed: Any | Record<string, unknown> | undefined, runtime: RuntimeValues = {}): CompiledFaultConfig {
  const cfg = (typed ?? {}) as Record<string, unknown>;
  const delayCfg = field(cfg, 'delay') as Record<string, unknown> | undefined;
  const abortCfg = field(cfg, 'abort') as Record<string, unknown> | undefined;
  if (field(cfg, 'response_rate_limit') !== undefined) {
    throw new Error('HTTPFault.response_rate_limit is not implemented by tsproxy');
  }
  let delay: CompiledFaultConfig['delay'];
  if (delayCfg) {
    const fromHeader = field(delayCfg, 'header_delay') !== undefined;
    const fixedMs = durationMs(field(delayCfg, 'fixed_delay'));
    if (!fromHeader && fixedMs === undefined) throw new Error('HTTPFault.delay needs fixed_delay or header_delay');
    delay = { fixedMs, fromHeader, percentage: fraction(field(delayCfg, 'percentage')) };
  }
  let abort: CompiledFaultConfig['abort'];
  if (abortCfg) {
    const fromHeader = field(abortCfg, 'header_abort') !== undefined;
    const status = field(abortCfg, 'http_status') as number | undefined;
    const grpcStatus = field(abortCfg, 'grpc_status') as number | undefined;
    if (!fromHeader && status === undefined && grpcStatus === undefined) {
      throw new Error('HTTPFault.abort needs http_status, grpc_status or header_abort');
    }
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status >= 600)) {
      throw new Error(`HTTPFault.abort.http_status must be in [200, 600), got ${String(status)}`);
    }
    abort = { status, grpcStatus, fromHeader, percentage: fraction(field(abortCfg, 'percentage')) };
  }
  const ctx: CompileContext = { runtime, diagnostics: [], file: '' };
  const headers = ((field(cfg, 'headers') ?? []) as unknown[]).map((h, i) =>
    compileHeaderMatcher(snakeKeys(h) as HeaderMatcher, ctx, `$.headers[${i}]`),
  );
  const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`HTTPFault.headers: ${errors.map((d) => d.message).join('; ')}`);
  const nodes = field(cfg, 'downstream_nodes') as string[] | undefined;
  const maxActive = field(cfg, 'max_active_faults');
  const rk = (name: string, dflt: string): string => {
    const v = field(cfg, name);
    return typeof v === 'string' && v !== '' ? v : dflt;
  };
  return {
    delay,
    abort,
    upstreamCluster: (field(cfg, 'upstream_cluster') as string | undefined) || undefined,
    downstreamNodes: nodes && nodes.length ? new Set(nodes) : undefined,
    headers,
    maxActiveFaults: maxActive === undefined || maxActive === null ? undefined : Number(maxActive),
    disableDownstreamClusterStats: field(cfg, 'disable_downstream_cluster_stats') === true,
    runtimeKeys: {
      delayPercent: rk('delay_percent_runtime', 'fault.http.delay.fixed_delay_percent'),
      abortPercent: rk('abort_percent_runtime', 'fault.http.abort.abort_percent'),
      delayDuration: rk('delay_duration_runtime', 'fault.http.delay.fixed_duration_ms'),
      abortStatus: rk('abort_http_status_runtime', 'fault.http.abort.http_status'),
      abortGrpcStatus: rk('abort_grpc_status_runtime', 'fault.http.abort.grpc_status'),
      maxActiveFaults: rk('max_active_faults_runtime', 'fault.http.max_active_faults'),
    },
  };
}
