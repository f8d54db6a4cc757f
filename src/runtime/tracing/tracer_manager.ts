/**
 * Builds the tracers of a config snapshot (Envoy's TracerManager): one driver per distinct
 * provider config, shared by every HCM that names it, and one HttpTracer per HCM with a
 * `tracing` block. The provider is the HCM's `tracing.provider`, else Bootstrap.tracing.http;
 * with neither, the HCM still makes and counts its decisions (x-request-id) but records no span.
 *
 * serve runs `envoy.tracers.opentelemetry` over `http_service` and `envoy.tracers.zipkin` with
 * HTTP_JSON; anything else it cannot run refuses the start with the reason (rule
 * `serve/tracing`), and what it runs differently is a warning.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { HttpConnectionManager, LoadedConfig } from '../../config/types.js';
import {
  OPENTELEMETRY_CONFIG_TYPE, ZIPKIN_CONFIG_TYPE, type OpenTelemetryConfig, type TracingProvider, type ZipkinConfig,
} from '../../config/tracing_types.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { positionOf } from '../../config/position.js';
import { findHttpConnectionManager } from '../../core/listener_match.js';
import type { StatsScope, StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import type { TraceDriver } from './driver.js';
import { HttpTracer } from './http_tracer.js';
import { DEFAULT_OTEL_SERVICE_NAME, OpenTelemetryDriver } from './opentelemetry_driver.js';
import { ZipkinDriver } from './zipkin_driver.js';

export const TRACING_RULE = 'serve/tracing';
const OTEL_NAMES = new Set(['envoy.tracers.opentelemetry', OPENTELEMETRY_CONFIG_TYPE]);
const ZIPKIN_NAMES = new Set(['envoy.tracers.zipkin', 'envoy.zipkin', ZIPKIN_CONFIG_TYPE]);

export interface TracerManagerOptions {
  readonly config: LoadedConfig;
  readonly store: StatsStore;
  readonly clusterManager: () => ClusterManager | undefined;
  readonly runtime: RuntimeValues;
  /** The proxy's address (Zipkin localEndpoint). */
  readonly localAddress: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function runtimeInt(runtime: RuntimeValues, key: string, def: number): number {
  const v = runtime[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : def;
}

export class TracerManager {
  private readonly drivers = new Map<string, TraceDriver>();
  private readonly clusterNames: ReadonlySet<string>;

  constructor(private readonly o: TracerManagerOptions) {
    this.clusterNames = new Set(o.config.clusters.map((c) => c.name));
  }

  /** The HCM's tracer, or undefined without a `tracing` block; errors refuse the start. */
  forHcm(hcm: HttpConnectionManager, stats: StatsScope): { tracer: HttpTracer | undefined; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const tracing = hcm.tracing;
    if (tracing === undefined) return { tracer: undefined, diagnostics };
    const who = `HTTP connection manager "${hcm.stat_prefix}"`;
    const file = this.o.config.file;
    if (tracing.spawn_upstream_span === true) {
      diagnostics.push(diag(file, tracing, 'warning', `${who}: tracing.spawn_upstream_span is not implemented: one span per request (the downstream span) is recorded`, 'tracing.spawn_upstream_span'));
    }
    if (tracing.verbose === true) {
      diagnostics.push(diag(file, tracing, 'warning', `${who}: tracing.verbose is not implemented: spans carry no timing events`, 'tracing.verbose'));
    }
    const provider = tracing.provider ?? this.o.config.bootstrap?.tracing?.http;
    let driver: TraceDriver | undefined;
    if (provider !== undefined) {
      const built = this.driverFor(provider, who);
      diagnostics.push(...built.diagnostics);
      if (built.diagnostics.some((d) => d.severity === 'error')) return { tracer: undefined, diagnostics };
      driver = built.driver;
    }
    const node = this.o.config.bootstrap?.node;
    const zone = (node?.['locality'] as { zone?: string } | undefined)?.zone ?? '';
    const tracer = new HttpTracer(tracing, {
      driver,
      stats,
      nodeId: node?.id ?? '',
      zone,
      egress: this.directionOf(hcm) === 'OUTBOUND',
      env: this.o.env ?? process.env,
    });
    return { tracer, diagnostics };
  }

  /** The listener's traffic_direction for the HCM (found by identity in the snapshot). */
  private directionOf(hcm: HttpConnectionManager): string | undefined {
    for (const l of this.o.config.listeners) {
      for (const chain of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
        if (findHttpConnectionManager(chain)?.hcm === hcm) return l.traffic_direction;
      }
    }
    return undefined;
  }

  private driverFor(p: TracingProvider, who: string): { driver?: TraceDriver; diagnostics: Diagnostic[] } {
    const file = this.o.config.file;
    const type = p.typed_config?.['@type'];
    const key = JSON.stringify(p.typed_config ?? p.name);
    const cached = this.drivers.get(key);
    if (cached !== undefined) return { driver: cached, diagnostics: [] };
    const cfg = (p.typed_config ?? {}) as Record<string, unknown>;
    const error = (message: string, path = 'provider'): { diagnostics: Diagnostic[] } => ({ diagnostics: [diag(file, p, 'error', `${who}: ${message}`, path)] });
    const isOtel = type !== undefined ? type === OPENTELEMETRY_CONFIG_TYPE : OTEL_NAMES.has(p.name);
    const isZipkin = type !== undefined ? type === ZIPKIN_CONFIG_TYPE : ZIPKIN_NAMES.has(p.name);
    const warnings: Diagnostic[] = [];
    let driver: TraceDriver;
    if (isOtel) {
      const c = cfg as OpenTelemetryConfig;
      if (c.grpc_service !== undefined) return error('the OpenTelemetry tracer\'s grpc_service export is not implemented by serve; configure http_service (OTLP/HTTP) instead', 'provider.typed_config.grpc_service');
      if (c.http_service === undefined) return error('the OpenTelemetry tracer needs http_service (OTLP/HTTP): serve has no other exporter', 'provider.typed_config');
      if (c.sampler !== undefined) return error('OpenTelemetry samplers (OpenTelemetryConfig.sampler) are not implemented by serve: spans would be sampled differently', 'provider.typed_config.sampler');
      const cluster = c.http_service.http_uri.cluster;
      if (!this.clusterNames.has(cluster)) return error(`the OpenTelemetry collector cluster "${cluster}" is not defined`, 'provider.typed_config.http_service.http_uri.cluster');
      if (c.resource_detectors !== undefined && c.resource_detectors.length > 0) {
        warnings.push(diag(file, p, 'warning', `${who}: OpenTelemetry resource_detectors are not implemented: the resource carries service.name only`, 'provider.typed_config.resource_detectors'));
      }
      const rt = this.o.runtime;
      driver = new OpenTelemetryDriver({
        httpService: c.http_service,
        serviceName: c.service_name || DEFAULT_OTEL_SERVICE_NAME,
        store: this.o.store,
        clusterManager: this.o.clusterManager,
        minFlushSpans: Math.max(1, runtimeInt(rt, 'tracing.opentelemetry.min_flush_spans', 5)),
        flushIntervalMs: Math.max(1, runtimeInt(rt, 'tracing.opentelemetry.flush_interval_ms', 5000)),
      });
    } else if (isZipkin) {
      const c = cfg as ZipkinConfig;
      const version = c.collector_endpoint_version;
      if (version === 'HTTP_PROTO' || version === 'GRPC') return error(`Zipkin collector_endpoint_version ${version} is not implemented by serve (HTTP_JSON is)`, 'provider.typed_config.collector_endpoint_version');
      if (!c.collector_cluster) return error('the Zipkin tracer needs collector_cluster', 'provider.typed_config');
      if (!this.clusterNames.has(c.collector_cluster)) return error(`the Zipkin collector cluster "${c.collector_cluster}" is not defined`, 'provider.typed_config.collector_cluster');
      if (!c.collector_endpoint) return error('the Zipkin tracer needs collector_endpoint', 'provider.typed_config');
      if (c.trace_context_option === 'USE_B3_WITH_W3C_PROPAGATION') {
        warnings.push(diag(file, p, 'warning', `${who}: Zipkin trace_context_option USE_B3_WITH_W3C_PROPAGATION is not implemented: B3 headers only`, 'provider.typed_config.trace_context_option'));
      }
      const rt = this.o.runtime;
      driver = new ZipkinDriver({
        cluster: c.collector_cluster,
        endpoint: c.collector_endpoint,
        hostname: c.collector_hostname || c.collector_cluster,
        traceId128: c.trace_id_128bit === true,
        sharedSpanContext: c.shared_span_context !== false,
        local: { serviceName: this.o.config.bootstrap?.node?.cluster ?? '', ipv4: this.o.localAddress },
        store: this.o.store,
        clusterManager: this.o.clusterManager,
        minFlushSpans: Math.max(1, runtimeInt(rt, 'tracing.zipkin.min_flush_spans', 5)),
        flushIntervalMs: Math.max(1, runtimeInt(rt, 'tracing.zipkin.flush_interval_ms', 5000)),
        requestTimeoutMs: Math.max(1, runtimeInt(rt, 'tracing.zipkin.request_timeout', 5000)),
      });
    } else {
      return error(`tracing provider "${p.name}"${type ? ` (${type})` : ''} cannot run in tsproxy (envoy.tracers.opentelemetry and envoy.tracers.zipkin can); refusing to start`);
    }
    this.drivers.set(key, driver);
    return { driver, diagnostics: warnings };
  }

  /** Flushes every driver's pending spans (bounded by the report timeouts). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.shutdown()));
  }
}

function diag(file: string, node: object, severity: 'error' | 'warning', message: string, path: string): Diagnostic {
  const pos = positionOf(node);
  return { file: pos?.file ?? file, line: pos?.line ?? 1, col: pos?.col ?? 1, severity, rule: TRACING_RULE, message, path };
}
