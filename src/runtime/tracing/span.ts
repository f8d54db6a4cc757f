/**
 * One lean span per request (Envoy's Tracing::Span with `spawn_upstream_span` false): ids, name,
 * kind, times in epoch microseconds and tags as a flat key/value array. No OpenTelemetry SDK
 * object is built on the request path; the driver encodes finished spans in batches.
 */

/** Span kinds tsproxy emits: SERVER for ingress (INBOUND / unspecified), CLIENT for egress. */
export type SpanKind = 'SERVER' | 'CLIENT';

/** What a driver does with its spans (opentelemetry_driver.ts, zipkin_driver.ts). */
export interface SpanDriver {
  /** Writes the span's context into the upstream request headers (traceparent / B3). */
  inject(span: Span, headers: Record<string, string | string[] | undefined>): void;
  /** A finished sampled span: buffered for export. Never throws, never blocks. */
  report(span: Span): void;
}

/** A request's span. Mutable until `finish`; owned by the stream that started it. */
export class Span {
  /** Tag keys and values, interleaved: [k0, v0, k1, v1, ...]. */
  readonly tags: string[] = [];
  endUs = 0;
  /** Zipkin: the server span reuses the client's span id (shared_span_context). */
  shared = false;
  /** The route decorator's operation, when it should go back in the response (ingress). */
  decoratedOperation: string | undefined = undefined;

  constructor(
    readonly driver: SpanDriver,
    public name: string,
    readonly kind: SpanKind,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentId: string | undefined,
    public sampled: boolean,
    readonly tracestate: string,
    readonly startUs: number,
  ) {}

  /** Sets a tag; a key set twice keeps the last value (OpenTelemetry attribute semantics). */
  setTag(key: string, value: string): void {
    const t = this.tags;
    for (let i = 0; i < t.length; i += 2) {
      if (t[i] === key) {
        t[i + 1] = value;
        return;
      }
    }
    t.push(key, value);
  }

  /** The value of a tag, or undefined. */
  tag(key: string): string | undefined {
    const t = this.tags;
    for (let i = 0; i < t.length; i += 2) if (t[i] === key) return t[i + 1];
    return undefined;
  }

  setOperation(name: string): void {
    this.name = name;
  }

  /** Envoy's injectContext: the upstream request carries this span as its parent. */
  injectContext(headers: Record<string, string | string[] | undefined>): void {
    this.driver.inject(this, headers);
  }

  /** Ends the span at `endUs`; a sampled span goes to the driver's export buffer. */
  finish(endUs: number): void {
    this.endUs = endUs;
    if (this.sampled) this.driver.report(this);
  }
}
