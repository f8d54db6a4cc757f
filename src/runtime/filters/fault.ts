/**
 * The fault injection filter (`envoy.extensions.filters.http.fault.v3.HTTPFault`).
 *
 * Per request (Envoy's FaultFilter::decodeHeaders):
 *  1. The most specific `typed_per_filter_config` for this filter's name replaces the filter's
 *     own config for the stream (Envoy: per-route fault config wins entirely).
 *  2. No fault unless: the route's cluster equals `upstream_cluster` (when set); the
 *     `x-envoy-downstream-service-node` header is in `downstream_nodes` (when set); all
 *     `headers` matchers match; and fewer than `max_active_faults` faults are active (else
 *     `fault.faults_overflow`).
 *  3. Delay: `fixed_delay`, or with `header_delay` the `x-envoy-fault-delay-request` header (ms),
 *     applied with probability `percentage` (`x-envoy-fault-delay-request-percentage` may lower
 *     it). The chain stops; a timer calls `continueDecoding()`. Flag DI, `fault.delays_injected`.
 *  4. Abort (after the delay, if any): `http_status`, or with `header_abort` the
 *     `x-envoy-fault-abort-request` header (200..599), with probability `percentage`
 *     (`x-envoy-fault-abort-request-percentage`). Local reply with body `fault filter abort`,
 *     details `fault_filter_abort`, flag FI, `fault.aborts_injected`.
 *  `fault.active_faults` counts streams with an injected fault until they end.
 *
 * Runtime overrides (static runtime): `fault.http.delay.fixed_delay_percent`,
 * `fault.http.abort.abort_percent`, `fault.http.delay.fixed_duration_ms`,
 * `fault.http.abort.http_status`, `fault.http.max_active_faults` (or the `*_runtime` keys).
 * Randomness comes from the stream callbacks (`random.random()`), so tests are deterministic.
 */
import type { Any, FractionalPercent, HeaderMatcher } from '../../config/types.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { compileHeaderMatcher, matchAllHeaders, type CompiledHeaderMatcher } from '../../core/header_matcher.js';
import type { CompileContext } from '../../core/compile_context.js';
import type {
  FilterDataStatus,
  FilterFactoryCb,
  FilterHeadersStatus,
  RequestHeaderMap,
  StreamDecoderFilter,
  StreamDecoderFilterCallbacks,
} from '../http/filter.js';
import type { Counter, Gauge, StatsScope } from '../stats/store.js';
import type { FilterFactoryContext, HttpFilterRegistration } from './registry.js';

export const FAULT_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
/** Canonical filter name, used for per-route config when the HttpFilter's own name is unknown. */
export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

const H_ABORT = 'x-envoy-fault-abort-request';
const H_ABORT_PCT = 'x-envoy-fault-abort-request-percentage';
const H_DELAY = 'x-envoy-fault-delay-request';
const H_DELAY_PCT = 'x-envoy-fault-delay-request-percentage';
const H_DOWNSTREAM_NODE = 'x-envoy-downstream-service-node';
const H_DOWNSTREAM_CLUSTER = 'x-envoy-downstream-service-cluster';

/**
 * `FaultDelay.percentage` / `FaultAbort.percentage` absent: Envoy reads the proto default
 * FractionalPercent (numerator 0), so the fault is never injected. Configs always set it.
 */
const ABSENT_PERCENTAGE: FractionalPercent = { numerator: 0, denominator: 'HUNDRED' };

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

/** A fraction as numerator/denominator (Envoy's FractionalPercent, denominator resolved). */
interface Fraction {
  numerator: number;
  denominator: number;
}

/** HTTPFault, compiled. */
export interface CompiledFaultConfig {
  readonly delay: { fixedMs: number | undefined; fromHeader: boolean; percentage: Fraction } | undefined;
  readonly abort: { status: number | undefined; fromHeader: boolean; percentage: Fraction } | undefined;
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
    maxActiveFaults: string;
  };
}

/** Timer functions, injectable for tests. */
export interface FaultTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: FaultTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Reads a snake_case field or its lowerCamelCase spelling (raw, undecoded typed_config). */
function field(obj: Record<string, unknown> | undefined, snake: string): unknown {
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
    if (field(abortCfg, 'grpc_status') !== undefined) throw new Error('HTTPFault.abort.grpc_status is not implemented by tsproxy');
    const fromHeader = field(abortCfg, 'header_abort') !== undefined;
    const status = field(abortCfg, 'http_status') as number | undefined;
    if (!fromHeader && status === undefined) throw new Error('HTTPFault.abort needs http_status or header_abort');
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status >= 600)) {
      throw new Error(`HTTPFault.abort.http_status must be in [200, 600), got ${String(status)}`);
    }
    abort = { status, fromHeader, percentage: fraction(field(abortCfg, 'percentage')) };
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
      maxActiveFaults: rk('max_active_faults_runtime', 'fault.http.max_active_faults'),
    },
  };
}

/** Stats of the filter under `http.<stat_prefix>.fault.` (shared by all streams of one HCM). */
class FaultStats {
  readonly abortsInjected: Counter;
  readonly delaysInjected: Counter;
  readonly faultsOverflow: Counter;
  readonly activeFaults: Gauge;
  constructor(readonly scope: StatsScope) {
    this.abortsInjected = scope.counter('aborts_injected');
    this.delaysInjected = scope.counter('delays_injected');
    this.faultsOverflow = scope.counter('faults_overflow');
    this.activeFaults = scope.gauge('active_faults');
  }
}

function headerValue(h: RequestHeaderMap, name: string): string | undefined {
  const v = h.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** absl::SimpleAtoi into uint32. */
function parseUint(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\+?\d+\s*$/.test(v)) return undefined;
  const n = Number(v.trim());
  return n <= 0xffff_ffff ? n : undefined;
}

function runtimeNumber(runtime: RuntimeValues, key: string): number | undefined {
  const v = runtime[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Per-stream fault filter. */
export class FaultFilter implements StreamDecoderFilter {
  private callbacks!: StreamDecoderFilterCallbacks;
  private config: CompiledFaultConfig | undefined;
  private timer: unknown;
  private faultActive = false;
  private destroyed = false;

  constructor(
    private readonly shared: FaultShared,
  ) {}

  setDecoderFilterCallbacks(callbacks: StreamDecoderFilterCallbacks): void {
    this.callbacks = callbacks;
  }

  decodeHeaders(headers: RequestHeaderMap, _endStream: boolean): FilterHeadersStatus {
    const config = this.shared.configFor(this.callbacks);
    if (!config) return 'Continue';
    this.config = config;
    const shared = this.shared;
    const runtime = shared.runtime;
    if (config.maxActiveFaults !== undefined || runtime[config.runtimeKeys.maxActiveFaults] !== undefined) {
      const max = runtimeNumber(runtime, config.runtimeKeys.maxActiveFaults) ?? config.maxActiveFaults!;
      if (shared.stats.activeFaults.value >= max) {
        shared.stats.faultsOverflow.inc();
        return 'Continue';
      }
    }
    if (config.upstreamCluster !== undefined) {
      const r = this.callbacks.route();
      if (r.kind !== 'forward' || r.cluster !== config.upstreamCluster) return 'Continue';
    }
    if (config.downstreamNodes !== undefined) {
      const node = headerValue(headers, H_DOWNSTREAM_NODE);
      if (node === undefined || !config.downstreamNodes.has(node)) return 'Continue';
    }
    if (config.headers.length > 0 && !matchAllHeaders(config.headers, headers)) return 'Continue';

    const delayMs = this.delayDuration(config, headers);
    if (delayMs !== undefined && delayMs > 0) {
      this.incActiveFaults();
      shared.stats.delaysInjected.inc();
      this.downstreamClusterCounter(headers, 'delays_injected')?.inc();
      this.callbacks.streamInfo.responseFlags.push('DI');
      this.timer = shared.timers.setTimeout(() => this.postDelayInjection(headers), delayMs);
      return 'StopIteration';
    }
    const status = this.abortStatus(config, headers);
    if (status !== undefined) {
      this.abortWithStatus(headers, status);
      return 'StopIteration';
    }
    return 'Continue';
  }

  decodeData(_chunk: Buffer, _endStream: boolean): FilterDataStatus {
    return 'Continue';
  }

  onDestroy(): void {
    this.destroyed = true;
    if (this.timer !== undefined) {
      this.shared.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.faultActive) {
      this.shared.stats.activeFaults.dec();
      this.faultActive = false;
    }
  }

  private postDelayInjection(headers: RequestHeaderMap): void {
    this.timer = undefined;
    if (this.destroyed) return;
    const status = this.abortStatus(this.config!, headers);
    if (status !== undefined) this.abortWithStatus(headers, status);
    else this.callbacks.continueDecoding();
  }

  private abortWithStatus(headers: RequestHeaderMap, status: number): void {
    this.incActiveFaults();
    this.shared.stats.abortsInjected.inc();
    this.downstreamClusterCounter(headers, 'aborts_injected')?.inc();
    this.callbacks.sendLocalReply(status, 'fault filter abort', 'fault_filter_abort', { flag: 'FI' });
  }

  /** Only one active fault per stream, even with a delay and an abort. */
  private incActiveFaults(): void {
    if (this.faultActive) return;
    this.faultActive = true;
    this.shared.stats.activeFaults.inc();
  }

  private enabled(pct: Fraction, fromHeader: boolean, pctHeader: string, runtimeKey: string, headers: RequestHeaderMap): boolean {
    let numerator = pct.numerator;
    const rt = runtimeNumber(this.shared.runtime, runtimeKey);
    if (rt !== undefined) numerator = rt;
    if (fromHeader) {
      // The header may lower, never raise, the configured percentage (Envoy's HeaderPercentageProvider).
      const h = parseUint(headerValue(headers, pctHeader));
      if (h !== undefined) numerator = Math.min(h, numerator);
    }
    if (numerator <= 0) return false;
    if (numerator >= pct.denominator) return true;
    return this.callbacks.random.random() % pct.denominator < numerator;
  }

  private delayDuration(config: CompiledFaultConfig, headers: RequestHeaderMap): number | undefined {
    const d = config.delay;
    if (!d) return undefined;
    if (!this.enabled(d.percentage, d.fromHeader, H_DELAY_PCT, config.runtimeKeys.delayPercent, headers)) return undefined;
    if (d.fromHeader) return parseUint(headerValue(headers, H_DELAY));
    return runtimeNumber(this.shared.runtime, config.runtimeKeys.delayDuration) ?? d.fixedMs;
  }

  private abortStatus(config: CompiledFaultConfig, headers: RequestHeaderMap): number | undefined {
    const a = config.abort;
    if (!a) return undefined;
    if (!this.enabled(a.percentage, a.fromHeader, H_ABORT_PCT, config.runtimeKeys.abortPercent, headers)) return undefined;
    let status: number | undefined;
    if (a.fromHeader) status = parseUint(headerValue(headers, H_ABORT));
    else status = runtimeNumber(this.shared.runtime, config.runtimeKeys.abortStatus) ?? a.status;
    return status !== undefined && status >= 200 && status < 600 ? status : undefined;
  }

  private downstreamClusterCounter(headers: RequestHeaderMap, stat: string): Counter | undefined {
    if (this.config?.disableDownstreamClusterStats) return undefined;
    const c = headerValue(headers, H_DOWNSTREAM_CLUSTER);
    return c ? this.shared.stats.scope.counter(`${c}.${stat}`) : undefined;
  }
}

/** What all streams of one filter config share. */
class FaultShared {
  private readonly perRoute = new WeakMap<object, CompiledFaultConfig | null>();
  constructor(
    readonly base: CompiledFaultConfig,
    readonly filterNames: readonly string[],
    readonly stats: FaultStats,
    readonly runtime: RuntimeValues,
    readonly timers: FaultTimers,
  ) {}

  /** The stream's effective config: a per-route HTTPFault replaces the filter's own. */
  configFor(callbacks: StreamDecoderFilterCallbacks): CompiledFaultConfig | undefined {
    for (const name of this.filterNames) {
      const any = callbacks.perFilterConfig(name);
      if (any === undefined) continue;
      let c = this.perRoute.get(any);
      if (c === undefined) {
        c = compilePerRoute(any, this.runtime);
        this.perRoute.set(any, c);
      }
      return c ?? undefined;
    }
    return this.base;
  }
}

/** A per-route entry: an HTTPFault, or a `config.route.v3.FilterConfig` wrapping one. */
function compilePerRoute(any: Any, runtime: RuntimeValues): CompiledFaultConfig | null {
  const type = any['@type'];
  if (type.endsWith('envoy.config.route.v3.FilterConfig')) {
    if (field(any, 'disabled') === true) return null;
    const inner = field(any, 'config') as Any | undefined;
    return inner ? compilePerRoute(inner, runtime) : null;
  }
  try {
    return compileFaultConfig(any, runtime);
  } catch {
    // Envoy validates per-route configs at load; an invalid one here disables the fault.
    return null;
  }
}

/** Options for tests: injectable timers. */
export interface FaultFilterOptions {
  timers?: FaultTimers;
}

/** Runtime factory: compiles the config once, returns the per-stream factory. */
export function createFaultFilterFactory(
  typedConfig: Any | undefined,
  context: FilterFactoryContext,
  options: FaultFilterOptions = {},
): FilterFactoryCb {
  const base = compileFaultConfig(typedConfig, context.runtime);
  // Per-route config is keyed by the HttpFilter's name: find ours in the HCM by identity.
  const own = context.hcm.http_filters?.find((f) => f.typed_config === typedConfig)?.name;
  const names = [...new Set([own, FAULT_FILTER_NAME, 'envoy.fault'].filter((n): n is string => !!n))];
  const shared = new FaultShared(base, names, new FaultStats(context.stats.scope('fault.')), context.runtime, options.timers ?? REAL_TIMERS);
  return () => ({ decoder: new FaultFilter(shared) });
}

/** Registry entry (src/runtime/filters/registry.ts). */
export const FAULT_FILTER: HttpFilterRegistration = {
  typeUrl: FAULT_TYPE_URL,
  names: [FAULT_FILTER_NAME, 'envoy.fault'],
  terminal: false,
  createFilterFactory: (typedConfig, context) => createFaultFilterFactory(typedConfig, context),
};
