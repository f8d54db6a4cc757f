/**
 * The HCM's tracing (Envoy's ConnectionManagerImpl::ActiveStream::traceRequest and
 * HttpTracerUtility::finalizeDownstreamSpan), one per HttpConnectionManager:
 *
 *   start (request headers decoded, route known)
 *     x-request-id gets the sampling decision (core/trace_decision.ts), http.<prefix>.tracing.*
 *     counts the reason, the driver starts the span (child of a propagated context, or root),
 *     node_id tagged, route `decorator` / x-envoy-decorator-operation name it
 *   router: span.injectContext(upstream request headers)
 *   response headers: x-envoy-decorator-operation (ingress) / its override (egress)
 *   finish (stream complete, before access logs): Envoy's tags, custom_tags, exported if sampled
 *
 * `spawn_upstream_span` is false (Envoy's default): one span per request, its kind SERVER for
 * an INBOUND (or unspecified) listener and CLIENT for an OUTBOUND one.
 */
import type { Metadata } from '../../config/types.js';
import type { HcmTracing, RouteTracing } from '../../config/tracing_types.js';
import type { RouteEntry } from '../../core/route_types.js';
import {
  compileRouteTraceSampling, compileTraceSampling, mutateTracingRequestId, shouldTraceRequest,
  type TraceReason, type TraceSampling,
} from '../../core/trace_decision.js';
import type { RequestHeaderMap } from '../codec/types.js';
import type { Counter, StatsScope } from '../stats/store.js';
import type { StreamInfo } from '../stream_info.js';
import { responseFlagsShort } from '../access_log/response_flags.js';
import { compileCustomTags, type CompiledCustomTag } from './custom_tags.js';
import type { TraceDriver } from './driver.js';
import type { Span, SpanKind } from './span.js';

/** Envoy's default `max_path_tag_length`. */
export const DEFAULT_MAX_PATH_TAG_LENGTH = 256;
const DECORATOR_HEADER = 'x-envoy-decorator-operation';

/** What an HCM's tracer needs besides its config. */
export interface HttpTracerDeps {
  /** The provider; undefined when neither the HCM nor the bootstrap names one (decisions only). */
  readonly driver: TraceDriver | undefined;
  /** `http.<stat_prefix>.` */
  readonly stats: StatsScope;
  /** Bootstrap node.id (`node_id` tag). */
  readonly nodeId: string;
  /** Bootstrap node.locality.zone (`zone` tag, when set). */
  readonly zone: string;
  /** The listener's traffic_direction: OUTBOUND makes egress (CLIENT) spans. */
  readonly egress: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface RouteTracingCompiled {
  readonly sampling: TraceSampling;
  readonly tags: readonly CompiledCustomTag[];
}

type ReasonCounters = Readonly<Record<TraceReason, Counter>>;

export class HttpTracer {
  private readonly sampling: TraceSampling;
  private readonly tags: readonly CompiledCustomTag[];
  private readonly maxPathTagLength: number;
  private readonly counters: ReasonCounters;
  private readonly kind: SpanKind;
  private readonly routeCache = new WeakMap<RouteTracing, RouteTracingCompiled>();

  constructor(
    private readonly config: HcmTracing,
    private readonly deps: HttpTracerDeps,
  ) {
    this.sampling = compileTraceSampling(config);
    // request_headers_for_tags (deprecated): each header becomes a tag of its own name.
    const legacy = (config.request_headers_for_tags ?? []).map((name) => ({ tag: name, request_header: { name } }));
    this.tags = compileCustomTags([...legacy, ...(config.custom_tags ?? [])], deps.env);
    this.maxPathTagLength = config.max_path_tag_length ?? DEFAULT_MAX_PATH_TAG_LENGTH;
    const s = deps.stats;
    this.counters = {
      sampling: s.counter('tracing.random_sampling'),
      service_forced: s.counter('tracing.service_forced'),
      client_forced: s.counter('tracing.client_enabled'),
      not_traceable: s.counter('tracing.not_traceable'),
      health_check: s.counter('tracing.health_check'),
    };
    this.kind = deps.egress ? 'CLIENT' : 'SERVER';
  }

  private routeTracing(rt: RouteTracing): RouteTracingCompiled {
    let c = this.routeCache.get(rt);
    if (c === undefined) {
      c = { sampling: compileRouteTraceSampling(rt), tags: compileCustomTags(rt.custom_tags, this.deps.env, this.tags) };
      this.routeCache.set(rt, c);
    }
    return c;
  }

  /**
   * Decides and starts the request's span. Mutates x-request-id (the decision) and, per the
   * decorator rules, x-envoy-decorator-operation. Returns undefined when there is no provider
   * or the propagated context is invalid.
   */
  startSpan(req: RequestHeaderMap, info: StreamInfo, route: RouteEntry | undefined, clientRandom: number): Span | undefined {
    const headers = req.headers;
    const rt = route?.config.tracing;
    const sampling = rt !== undefined ? this.routeTracing(rt).sampling : this.sampling;
    const rid = headers['x-request-id'];
    if (typeof rid === 'string') {
      const next = mutateTracingRequestId(rid, headers['x-client-trace-id'] !== undefined, headers['x-envoy-force-trace'] !== undefined, sampling, clientRandom);
      if (next !== undefined && next !== rid) {
        headers['x-request-id'] = next;
        info.requestId = next;
      }
    }
    const decision = shouldTraceRequest(typeof headers['x-request-id'] === 'string' ? headers['x-request-id'] : undefined, info.healthCheck === true);
    this.counters[decision.reason].inc();
    const driver = this.deps.driver;
    if (driver === undefined) return undefined;
    const egress = this.deps.egress;
    const name = egress ? `egress ${req.authority ?? ''}` : 'ingress';
    const startUs = info.startTime * 1000;
    const span = driver.startSpan(name, this.kind, headers, decision, startUs);
    if (span === undefined) return undefined;
    // Tags of an unsampled span are never exported: they are not computed (Envoy sets them on
    // a span nobody reads; the observable result is the same).
    if (span.sampled) {
      span.setTag('node_id', this.deps.nodeId);
      if (this.deps.zone !== '') span.setTag('zone', this.deps.zone);
    }
    const decorator = route?.config.decorator;
    let decorated: string | undefined;
    let propagate = true;
    if (decorator !== undefined) {
      span.setOperation(decorator.operation);
      decorated = decorator.operation;
      propagate = decorator.propagate !== false;
    }
    if (egress) {
      // The receiving service names its server span after the decorator.
      if (decorated !== undefined && propagate) headers[DECORATOR_HEADER] = decorated;
    } else {
      const override = headers[DECORATOR_HEADER];
      if (override !== undefined) {
        const op = Array.isArray(override) ? override[0] : override;
        if (op !== undefined && op !== '') {
          span.setOperation(op);
          decorated = undefined;
        }
        delete headers[DECORATOR_HEADER];
      }
      if (decorated !== undefined && propagate) span.decoratedOperation = decorated;
    }
    return span;
  }

  /** Response headers about to be written: the decorator header (ingress) or its override (egress). */
  onResponseHeaders(span: Span, headers: Record<string, string | string[] | number | undefined>): void {
    if (!this.deps.egress) {
      if (span.decoratedOperation !== undefined) headers[DECORATOR_HEADER] = span.decoratedOperation;
      return;
    }
    const override = headers[DECORATOR_HEADER];
    if (override === undefined) return;
    const op = Array.isArray(override) ? override[0] : String(override);
    if (op !== undefined && op !== '') span.setOperation(op);
    delete headers[DECORATOR_HEADER];
  }

  /** finalizeDownstreamSpan: Envoy's tags, then the span ends (exported when sampled). */
  finishSpan(span: Span, req: RequestHeaderMap, info: StreamInfo, route: RouteEntry | undefined, endMonotonic: number): void {
    if (!span.sampled) return;
    const h = req.headers;
    const rid = h['x-request-id'];
    if (typeof rid === 'string') span.setTag('guid:x-request-id', rid);
    span.setTag('http.url', this.url(req, info));
    span.setTag('http.method', req.method);
    span.setTag('downstream_cluster', text(h['x-envoy-downstream-service-cluster']) ?? '-');
    span.setTag('user_agent', text(h['user-agent']) ?? '-');
    span.setTag('http.protocol', info.protocol);
    if (info.downstreamRemoteAddress !== undefined) span.setTag('peer.address', info.downstreamRemoteAddress);
    const clientTraceId = text(h['x-client-trace-id']);
    if (clientTraceId !== undefined) span.setTag('guid:x-client-trace-id', clientTraceId);
    const ct = text(h['content-type']);
    if (ct !== undefined && ct.startsWith('application/grpc')) {
      span.setTag('grpc.path', req.path);
      if (req.authority !== undefined) span.setTag('grpc.authority', req.authority);
      span.setTag('grpc.content_type', ct);
      const timeout = text(h['grpc-timeout']);
      if (timeout !== undefined) span.setTag('grpc.timeout', timeout);
    }
    const rt = route?.config.tracing;
    const tags = rt !== undefined ? this.routeTracing(rt).tags : this.tags;
    if (tags.length > 0) {
      const ctx = { headers: h, routeMetadata: route?.metadata as Metadata | undefined };
      for (let i = 0; i < tags.length; i++) tags[i]!.apply(span, ctx);
    }
    span.setTag('request_size', String(info.bytesReceived));
    span.setTag('response_size', String(info.bytesSent));
    // setCommonTags
    span.setTag('component', 'proxy');
    const host = info.upstreamHost;
    if (host !== undefined && info.upstreamCluster !== undefined) {
      span.setTag('upstream_cluster', info.upstreamCluster);
      span.setTag('upstream_cluster.name', info.upstreamCluster);
      span.setTag('upstream_address', host.addressString);
    }
    const code = info.responseCode;
    span.setTag('http.status_code', String(code));
    span.setTag('response_flags', responseFlagsShort(info.responseFlags));
    const rh = info.responseHeaders;
    const grpcStatus = rh !== undefined ? rh['grpc-status'] : undefined;
    if (grpcStatus !== undefined) {
      span.setTag('grpc.status_code', String(grpcStatus));
      const msg = rh!['grpc-message'];
      if (msg !== undefined) span.setTag('grpc.message', String(msg));
      if (String(grpcStatus) !== '0') span.setTag('error', 'true');
    }
    if (code === 0 || (code >= 500 && code < 600)) span.setTag('error', 'true');
    span.finish(span.startUs + (endMonotonic - info.startMonotonic) * 1000);
  }

  /** `<x-forwarded-proto>://<host><original path, cut to max_path_tag_length>`. */
  private url(req: RequestHeaderMap, info: StreamInfo): string {
    let path = info.originalPath ?? req.path;
    if (path.length > this.maxPathTagLength) path = path.slice(0, this.maxPathTagLength);
    const proto = text(req.headers['x-forwarded-proto']) ?? req.scheme;
    return `${proto}://${req.authority ?? ''}${path}`;
  }
}

function text(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
