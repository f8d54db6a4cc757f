/**
 * A tracing provider as the connection manager uses it (Envoy's Tracing::Driver): starts the
 * request's span from the propagated context or as a root with the HCM's decision, injects the
 * context upstream, exports finished spans.
 */
import type { TraceDecision } from '../../core/trace_decision.js';
import type { Span, SpanDriver, SpanKind } from './span.js';

export interface TraceDriver extends SpanDriver {
  /** `envoy.tracers.opentelemetry` or `envoy.tracers.zipkin`: names the stats and the docs. */
  readonly name: string;
  /**
   * The request's span: a child of the context in `headers` that follows its sampled flag, or a
   * root span sampled by `decision`. Undefined when the propagated context does not parse
   * (Envoy's null span: nothing is traced or injected).
   */
  startSpan(
    operation: string,
    kind: SpanKind,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    decision: TraceDecision,
    startUs: number,
  ): Span | undefined;
  /** Flushes pending spans; resolves once outstanding reports completed or timed out. */
  shutdown(): Promise<void>;
}
