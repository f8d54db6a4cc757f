/**
 * `envoy.tracers.zipkin` (Envoy's Zipkin Driver and Tracer): B3 propagation (multi-header out,
 * multi or single header in), 64-bit trace ids unless `trace_id_128bit`, a server span that
 * shares the client's span id unless `shared_span_context: false`, v2 JSON export to
 * `collector_cluster` + `collector_endpoint`. Stats `tracing.zipkin.*`: spans_sent,
 * timer_flushed, reports_sent (202 Accepted), reports_dropped (other status), reports_failed,
 * reports_skipped_no_cluster.
 */
import type { TraceDecision } from '../../core/trace_decision.js';
import type { StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import { BatchExporter } from './exporter.js';
import { randomHexId } from './ids.js';
import { extractB3, extractB3Sampled } from './propagation.js';
import { Span, type SpanKind } from './span.js';
import { encodeZipkinJson, type ZipkinEndpoint } from './zipkin_encoder.js';
import type { TraceDriver } from './driver.js';

export interface ZipkinDriverOptions {
  readonly cluster: string;
  readonly endpoint: string;
  readonly hostname: string;
  readonly traceId128: boolean;
  readonly sharedSpanContext: boolean;
  readonly local: ZipkinEndpoint;
  readonly store: StatsStore;
  readonly clusterManager: () => ClusterManager | undefined;
  readonly minFlushSpans: number;
  readonly flushIntervalMs: number;
  /** Runtime `tracing.zipkin.request_timeout` (default 5000 ms). */
  readonly requestTimeoutMs: number;
}

export class ZipkinDriver implements TraceDriver {
  readonly name = 'envoy.tracers.zipkin';
  private readonly exporter: BatchExporter<Span>;
  private readonly traceIdBytes: 8 | 16;
  private readonly shared: boolean;

  constructor(o: ZipkinDriverOptions) {
    const scope = o.store.scope('tracing.zipkin.');
    this.traceIdBytes = o.traceId128 ? 16 : 8;
    this.shared = o.sharedSpanContext;
    const local = o.local;
    this.exporter = new BatchExporter<Span>(
      {
        cluster: o.cluster,
        path: o.endpoint,
        host: o.hostname,
        contentType: 'application/json',
        headers: [],
        timeoutMs: o.requestTimeoutMs,
        encode: (batch) => encodeZipkinJson(batch, local),
        accepted: (status) => status === 202,
      },
      {
        spansSent: scope.counter('spans_sent'),
        timerFlushed: scope.counter('timer_flushed'),
        reportAccepted: scope.counter('reports_sent'),
        reportRejected: scope.counter('reports_dropped'),
        reportFailed: scope.counter('reports_failed'),
        noCluster: scope.counter('reports_skipped_no_cluster'),
      },
      { clusterManager: o.clusterManager, minFlushSpans: o.minFlushSpans, flushIntervalMs: o.flushIntervalMs },
    );
  }

  startSpan(operation: string, kind: SpanKind, headers: Readonly<Record<string, string | string[] | undefined>>, decision: TraceDecision, startUs: number): Span | undefined {
    const sampled = extractB3Sampled(headers, decision.traced);
    const ex = extractB3(headers, sampled);
    if (ex.kind === 'invalid') return undefined;
    if (ex.kind === 'none') return new Span(this, operation, kind, randomHexId(this.traceIdBytes), randomHexId(8), undefined, sampled, '', startUs);
    const c = ex.context;
    if (kind === 'SERVER' && this.shared) {
      // Zipkin's shared span: the server side of the client's span keeps its id and parent.
      const s = new Span(this, operation, kind, c.traceId, c.spanId, c.parentId, sampled, '', startUs);
      s.shared = true;
      return s;
    }
    return new Span(this, operation, kind, c.traceId, randomHexId(8), c.spanId, sampled, '', startUs);
  }

  inject(span: Span, headers: Record<string, string | string[] | undefined>): void {
    headers['x-b3-traceid'] = span.traceId;
    headers['x-b3-spanid'] = span.spanId;
    if (span.parentId !== undefined) headers['x-b3-parentspanid'] = span.parentId;
    else delete headers['x-b3-parentspanid'];
    headers['x-b3-sampled'] = span.sampled ? '1' : '0';
    // The single header would contradict the multi headers written here.
    if (headers['b3'] !== undefined) delete headers['b3'];
  }

  report(span: Span): void {
    this.exporter.add(span);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}
