/**
 * RouteProvider over the core: `route()`, `finalizeRequest()` and `finalizeResponseHeaders()`
 * from src/core/route.ts applied to one compiled route table. This is the only routing serve
 * does (DESIGN.md: one routing implementation for serve, match, explain and test). No trace is
 * passed, so the core does no trace work.
 */
import {
  applyHeaderMutations,
  applyRequestHeaders,
  finalizeRequest,
  finalizeResponseHeaders,
  route,
  type FormatterContext,
} from '../../core/route.js';
import type { ForwardDecision, RouteDecision, RouteRequest, RouteTable } from '../../core/route_types.js';
import type { StreamInfo } from '../stream_info.js';
import type { RequestHeaderMap, ResponseHeaderMap } from './filter.js';
import type { RouteProvider } from './route_provider.js';

function formatterContext(info: StreamInfo, h: RequestHeaderMap | undefined, responseHeaders?: ResponseHeaderMap['headers']): FormatterContext {
  return {
    requestHeaders: h?.headers ?? info.requestHeaders,
    responseHeaders,
    authority: h?.authority ?? info.authority,
    path: h?.path ?? info.path,
    method: h?.method ?? info.method,
    scheme: h?.scheme,
    remoteAddress: info.downstreamRemoteAddress,
    remotePort: info.downstreamRemotePort,
    localAddress: info.downstreamLocalAddress,
    localPort: info.downstreamLocalPort,
    protocol: info.protocol,
    startTime: info.startTime,
    routeName: info.routeName,
    upstreamCluster: info.upstreamCluster,
    upstreamHost: info.upstreamHost?.addressString,
    requestId: info.requestId,
    responseCode: info.responseCode || undefined,
  };
}

/** The RouteProvider of one HCM: its compiled route table and the core's functions. Stateless per call. */
export class CoreRouteProvider implements RouteProvider {
  constructor(
    readonly table: RouteTable,
    /** Router `suppress_envoy_headers`: no x-envoy-original-path. */
    private readonly insertOriginalPath = true,
  ) {}

  route(request: RouteRequest, randomValue: number): RouteDecision {
    return route(this.table, request, randomValue);
  }

  finalizeRequest(decision: ForwardDecision, h: RequestHeaderMap, info: StreamInfo): void {
    const request: RouteRequest = {
      authority: h.authority,
      path: h.path,
      method: h.method,
      scheme: h.scheme,
      headers: h.headers,
      remoteAddress: info.downstreamRemoteAddress,
      remotePort: info.downstreamRemotePort,
    };
    const final = finalizeRequest(decision, request, { insertOriginalPath: this.insertOriginalPath });
    if (!final.requestHeaderMutations.empty || final.originalPath !== undefined) {
      applyRequestHeaders(final, h.headers as Record<string, string | string[] | number | undefined>, formatterContext(info, h));
    }
    if (final.originalAuthority !== undefined && final.appendXForwardedHost) {
      const prev = h.headers['x-forwarded-host'];
      const p = Array.isArray(prev) ? prev.join(',') : prev;
      h.headers['x-forwarded-host'] = p ? `${p},${final.originalAuthority}` : final.originalAuthority;
    }
    let authority = final.authority;
    if (final.autoHostRewrite && info.upstreamHost?.hostname) authority = info.upstreamHost.hostname;
    h.path = final.path;
    h.authority = authority;
  }

  finalizeResponse(decision: RouteDecision, response: ResponseHeaderMap, info: StreamInfo): void {
    const m = finalizeResponseHeaders(decision);
    if (m.empty) return;
    applyHeaderMutations(m, response.headers, formatterContext(info, undefined, response.headers));
  }
}
