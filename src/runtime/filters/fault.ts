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
 *  4. Abort (after the delay, if any): `http_status` (or `grpc_status`: a trailers-only gRPC
 *     reply), or with `header_abort` the `x-envoy-fault-abort-request` header (200..599) or
 *     `x-envoy-fault-abort-grpc-request`, with probability `percentage`
 *     (`x-envoy-fault-abort-request-percentage`). Local reply with body `fault filter abort`,
 *     details `fault_filter_abort`, flag FI, `fault.aborts_injected`.
 *  `fault.active_faults` counts streams with an injected fault until they end.
 *
 * Runtime overrides (static runtime): `fault.http.delay.fixed_delay_percent`,
 * `fault.http.abort.abort_percent`, `fault.http.delay.fixed_duration_ms`,
 * `fault.http.abort.http_status`, `fault.http.abort.grpc_status`, `fault.http.max_active_faults`
 * (or the `*_runtime` keys).
 * Randomness comes from the stream callbacks (`random.random()`), so tests are deterministic.
 */
import type { Any } from '../../config/types.js';
import type { HTTPFault } from '../../config/extension_types.js';
import { FAULT_TYPE, unwrapPerFilterConfig } from '../../config/filters.js';
import { typeNameOf } from '../../config/schema/registry.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { matchAllHeaders } from '../../core/header_matcher.js';
import { compileFaultConfig, type CompiledFaultConfig, type Fraction } from './fault_config.js';
import type {
  FilterDataStatus,
  FilterFactoryCb,
  FilterHeadersStatus,
  RequestHeaderMap,
  StreamDecoderFilter,
  StreamDecoderFilterCallbacks,
} from '../http/filter.js';
import type { Counter, Gauge, StatsScope } from '../stats/store.js';
import type { FilterFactoryContext, HttpFilterRegistration } from './filter_registration.js';

export const FAULT_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
/** Canonical filter name, used for per-route config when the HttpFilter's own name is unknown. */
export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

export { compileFaultConfig, type CompiledFaultConfig } from './fault_config.js';

const H_ABORT = 'x-envoy-fault-abort-request';
const H_ABORT_PCT = 'x-envoy-fault-abort-request-percentage';
const H_ABORT_GRPC = 'x-envoy-fault-abort-grpc-request';
const H_DELAY = 'x-envoy-fault-delay-request';
const H_DELAY_PCT = 'x-envoy-fault-delay-request-percentage';
const H_DOWNSTREAM_NODE = 'x-envoy-downstream-service-node';
const H_DOWNSTREAM_CLUSTER = 'x-envoy-downstream-service-cluster';

/** Response code details of an injected abort. */
export const FAULT_ABORT_DETAILS = 'fault_filter_abort';

/** What an abort answers with: an HTTP status, or a gRPC status (HTTP 200, trailers-only). */
interface AbortStatus {
  http: number;
  grpc?: number;
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
    const abort = this.abortStatus(config, headers);
    if (abort !== undefined) {
      this.abortWithStatus(headers, abort);
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
    const abort = this.abortStatus(this.config!, headers);
    if (abort !== undefined) this.abortWithStatus(headers, abort);
    else this.callbacks.continueDecoding();
  }

  private abortWithStatus(headers: RequestHeaderMap, abort: AbortStatus): void {
    this.incActiveFaults();
    this.shared.stats.abortsInjected.inc();
    this.downstreamClusterCounter(headers, 'aborts_injected')?.inc();
    if (abort.grpc === undefined) {
      this.callbacks.sendLocalReply(abort.http, 'fault filter abort', FAULT_ABORT_DETAILS, { flag: 'FI' });
      return;
    }
    // A gRPC abort is a trailers-only gRPC response: HTTP 200 with grpc-status/grpc-message
    // headers (Envoy's sendLocalReply with a grpc_status on a gRPC request).
    this.callbacks.sendLocalReply(200, '', FAULT_ABORT_DETAILS, {
      flag: 'FI',
      headers: [
        ['content-type', 'application/grpc'],
        ['grpc-status', String(abort.grpc)],
        ['grpc-message', 'fault filter abort'],
      ],
    });
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

  private abortStatus(config: CompiledFaultConfig, headers: RequestHeaderMap): AbortStatus | undefined {
    const a = config.abort;
    if (!a) return undefined;
    if (!this.enabled(a.percentage, a.fromHeader, H_ABORT_PCT, config.runtimeKeys.abortPercent, headers)) return undefined;
    const runtime = this.shared.runtime;
    if (a.fromHeader) {
      // x-envoy-fault-abort-request wins over x-envoy-fault-abort-grpc-request.
      const http = parseUint(headerValue(headers, H_ABORT));
      if (http !== undefined) return http >= 200 && http < 600 ? { http } : undefined;
      const grpc = parseUint(headerValue(headers, H_ABORT_GRPC));
      return grpc !== undefined ? { http: 200, grpc } : undefined;
    }
    if (a.grpcStatus !== undefined) {
      return { http: 200, grpc: runtimeNumber(runtime, config.runtimeKeys.abortGrpcStatus) ?? a.grpcStatus };
    }
    const http = runtimeNumber(runtime, config.runtimeKeys.abortStatus) ?? a.status;
    return http !== undefined && http >= 200 && http < 600 ? { http } : undefined;
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

/** A per-route entry (decoded by the loader): an HTTPFault, or a `config.route.v3.FilterConfig` wrapping one. */
function compilePerRoute(entry: Any, runtime: RuntimeValues): CompiledFaultConfig | null {
  const { config, disabled } = unwrapPerFilterConfig(entry);
  if (disabled || !config) return null;
  try {
    return compileFaultConfig(config as HTTPFault, runtime);
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
  // The loader decodes an HTTPFault typed_config; anything else (a TypedStruct wrapping one) is
  // not decoded, and running it as an empty fault config would silently drop the user's faults.
  const type = typedConfig?.['@type'];
  if (type !== undefined && typeNameOf(type) !== FAULT_TYPE) {
    throw new Error(`typed_config ${type} is not decoded by tsproxy; write the ${FAULT_TYPE} config directly`);
  }
  const base = compileFaultConfig(typedConfig as HTTPFault | undefined, context.runtime);
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
