/**
 * The route of one downstream stream (Envoy's ActiveStream cached_route_, refreshCachedRoute and
 * clearRouteCache): the connection manager's RouteProvider decision (route_provider.ts: the
 * core's route(), as match/explain) for the request head, looked up on first use and kept until
 * a filter clears it after changing what routing reads. A lookup that matched records its
 * virtual host's and route's names in the StreamInfo (`%ROUTE_NAME%`).
 */
import type { Any } from '../../config/types.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import type { StreamInfo } from '../stream_info.js';
import type { RandomSource, RequestHeaderMap } from './filter.js';
import type { RouteProvider } from './route_provider.js';

/** One stream's cached route decision. The request head and StreamInfo are the stream's. */
export class RouteCache {
  private cached: RouteDecision | undefined;

  constructor(
    private readonly provider: RouteProvider,
    private readonly random: RandomSource,
  ) {}

  /** The decision for `request` (made the core's RouteRequest by the stream), looked up once until clear(). */
  route(request: RequestHeaderMap, info: StreamInfo): RouteDecision {
    let r = this.cached;
    if (r === undefined) {
      r = this.provider.route(request as RequestHeaderMap & RouteRequest, this.random.random());
      this.cached = r;
      if (r.kind !== 'no_route') {
        info.virtualHostName = r.virtualHost.name;
        info.routeName = r.route?.name;
      }
    }
    return r;
  }

  /** The decision looked up so far, if any (no lookup). */
  get decision(): RouteDecision | undefined {
    return this.cached;
  }

  /** Drops the decision: the next route() looks up again. */
  clear(): void {
    this.cached = undefined;
  }

  /**
   * The most specific `typed_per_filter_config` for `filterName` on the route `request` takes
   * (looked up if not yet): a forward decision's own (weighted cluster entry > route > virtual
   * host > route configuration), a redirect's or direct response's route's, none without a route.
   */
  perFilterConfig(filterName: string, request: RequestHeaderMap, info: StreamInfo): Any | undefined {
    const r = this.route(request, info);
    if (r.kind === 'forward') return r.perFilterConfig[filterName];
    if (r.kind === 'no_route') return undefined;
    return r.route?.perFilterConfig[filterName];
  }
}
