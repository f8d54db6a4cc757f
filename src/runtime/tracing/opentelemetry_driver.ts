/**
 * `envoy.tracers.opentelemetry` (Envoy's OpenTelemetry Driver and Tracer): W3C trace context,
 * 128-bit trace ids, OTLP/HTTP protobuf export to `http_service` (POST, content-type
 * application/x-protobuf, the configured headers added). Stats `tracing.opentelemetry.*`:
 * spans_sent, timer_flushed, http_reports_sent, http_reports_success, http_reports_failed.
 */
import type { TraceDecision } from '../../core/trace_decision.js';
import type { StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import type { HttpService } from '../../config/tracing_types.js';
import { BatchExporter } from './exporter.js';
import { randomHexId } from './ids.js';
import { encodeOtlpTraces } from './otlp_encoder.js';
import { extractW3c } from './propagation.js';
import { Span, type SpanKind } from './span.js';
import type { TraceDriver } from './driver.js';

/** Envoy's default resource `service.name` when `service_name` is empty. */
export const DEFAULT_OTEL_SERVICE_NAME = 'unknown_service:envoy';

export interface OpenTelemetryDriverOptions {
  readonly httpService: HttpService;
  readonly serviceName: string;
  readonly store: StatsStore;
  readonly clusterManager: () => ClusterManager | undefined;
  readonly minFlushSpans: number;
  readonly flushIntervalMs: number;
}

/** Splits an http_uri into its authority and path (Envoy's Http::Utility::prepareHeaders). */
export function splitHttpUri(uri: string): { host: string; path: string } {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^#]*)/.exec(uri);
  if (m === null) return { host: '', path: uri.startsWith('/') ? uri : '/' + uri };
  return { host: m[1]!, path: m[2] === '' ? '/' : m[2]! };
}

export class OpenTelemetryDriver implements TraceDriver {
  readonly name = 'envoy.tracers.opentelemetry';
  private readonly exporter: BatchExporter<Span>;

  constructor(o: OpenTelemetryDriverOptions) {
    const scope = o.store.scope('tracing.opentelemetry.');
    const uri = splitHttpUri(o.httpService.http_uri.uri);
    const headers: Array<[string, string]> = [['user-agent', 'OTel-OTLP-Exporter-Envoy/tsproxy']];
    for (const h of o.httpService.request_headers_to_add ?? []) headers.push([h.header.key.toLowerCase(), h.header.value ?? '']);
    const serviceName = o.serviceName;
    this.exporter = new BatchExporter<Span>(
      {
        cluster: o.httpService.http_uri.cluster,
        path: uri.path,
        host: uri.host || o.httpService.http_uri.cluster,
        contentType: 'application/x-protobuf',
        headers,
        timeoutMs: o.httpService.http_uri.timeout,
        encode: (batch) => encodeOtlpTraces(batch, serviceName),
        accepted: (status) => status === 200,
      },
      {
        spansSent: scope.counter('spans_sent'),
        timerFlushed: scope.counter('timer_flushed'),
        reportSent: scope.counter('http_reports_sent'),
        reportAccepted: scope.counter('http_reports_success'),
        reportRejected: scope.counter('http_reports_failed'),
        reportFailed: scope.counter('http_reports_failed'),
        noCluster: scope.counter('http_reports_failed'),
      },
      { clusterManager: o.clusterManager, minFlushSpans: o.minFlushSpans, flushIntervalMs: o.flushIntervalMs },
    );
  }

  startSpan(operation: string, kind: SpanKind, headers: Readonly<Record<string, string | string[] | undefined>>, decision: TraceDecision, startUs: number): Span | undefined {
    const ex = extractW3c(headers);
    if (ex.kind === 'invalid') return undefined;
    if (ex.kind === 'none') return new Span(this, operation, kind, randomHexId(16), randomHexId(8), undefined, decision.traced, '', startUs);
    const c = ex.context;
    // A child of the propagated span; the parent's sampled flag wins over the HCM's decision.
    return new Span(this, operation, kind, c.traceId, randomHexId(8), c.spanId, c.sampled, c.tracestate, startUs);
  }

  inject(span: Span, headers: Record<string, string | string[] | undefined>): void {
    headers['traceparent'] = `00-${span.traceId}-${span.spanId}-${span.sampled ? '01' : '00'}`;
    if (span.tracestate !== '') headers['tracestate'] = span.tracestate;
  }

  report(span: Span): void {
    this.exporter.add(span);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}
