import type { Any } from '../../../src/config/types.js';
import type { RouteDecision } from '../../../src/core/route_types.js';
import type {
  LocalReplyOptions,
  RequestHeaderMap,
  ResponseHeaderMap,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilterCallbacks,
} from '../../../src/runtime/http/filter.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { newStreamInfo } from '../../../src/runtime/stream_info.js';
import type { FilterFactoryContext } from '../../../src/runtime/filters/filter_registration.js';
import type { HttpConnectionManager } from '../../../src/config/types.js';

export interface LocalReply {
  status: number;
  body: string;
  details: string;
  options: LocalReplyOptions | undefined;
}

/** A fake of the connection manager's filter callbacks: records what the filter did. */
export class FakeCallbacks implements StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks {
  readonly streamInfo = newStreamInfo(0, 0);
  readonly localReplies: LocalReply[] = [];
  continued = 0;
  encodeContinued = 0;
  randomValues: number[] = [];
  routeDecision: RouteDecision = { kind: 'no_route', virtualHost: undefined };
  perFilter: Record<string, Any> = {};
  readonly connectionId = 1;
  readonly trustedDownstream = true;
  readonly time = { now: () => 0, monotonic: () => 0 };
  readonly random = {
    random: (): number => (this.randomValues.length ? this.randomValues.shift()! : 0),
    uuid: () => '00000000-0000-4000-8000-000000000000',
  };
  constructor(
    readonly requestHeaders: RequestHeaderMap,
    readonly store: StatsStore = new StatsStore(),
  ) {}
  get stats() {
    return this.store.scope('http.ingress.');
  }
  route(): RouteDecision {
    return this.routeDecision;
  }
  clearRouteCache(): void {}
  perFilterConfig(name: string): Any | undefined {
    return this.perFilter[name];
  }
  resetStream(): void {}
  continueDecoding(): void {
    this.continued++;
  }
  continueEncoding(): void {
    this.encodeContinued++;
  }
  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void {
    if (options?.flag) this.streamInfo.responseFlags.push(options.flag);
    this.streamInfo.responseCodeDetails = details;
    this.localReplies.push({ status, body, details, options });
  }
  encoded: ResponseHeaderMap[] = [];
  encodeHeaders(headers: ResponseHeaderMap): void {
    this.encoded.push(headers);
  }
  encodeData(): void {}
  encodedTrailers: unknown[] = [];
  encodeTrailers(trailers: unknown): void {
    this.encodedTrailers.push(trailers);
  }
  onDownstreamAbort(): void {}
  readDisable(): void {}
}

export function request(path = '/', headers: Record<string, string> = {}, method = 'GET', authority = 'example.com'): RequestHeaderMap {
  return { method, path, authority, scheme: 'http', headers: { ...headers } };
}

export function factoryContext(store: StatsStore, hcm: Partial<HttpConnectionManager> = {}, runtime: Record<string, unknown> = {}): FilterFactoryContext {
  return {
    statPrefix: 'ingress',
    stats: store.scope('http.ingress.'),
    store,
    clusterManager: { getThreadLocalCluster: () => undefined, shutdown: async () => {} },
    runtime,
    random: { random: () => 0, uuid: () => 'x' },
    time: { now: () => 0, monotonic: () => 0 },
    hcm: { stat_prefix: 'ingress', ...hcm },
  } as unknown as FilterFactoryContext;
}

/** Manual timers: `fire()` runs due callbacks. */
export class ManualTimers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    for (const [id, t] of [...this.pending]) {
      this.pending.delete(id);
      t.fn();
    }
  }
}
