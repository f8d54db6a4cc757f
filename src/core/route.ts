/**
 * The route table: `compileRouteConfig()` builds it once from a RouteConfiguration, `route()`
 * answers one request (Envoy's Router::ConfigImpl::route -> RouteMatcher::findVirtualHost ->
 * VirtualHostImpl::getRouteFromEntries). `serve`, `match`, `explain` and `test` all call this
 * same function. Pure and deterministic: the random value and runtime come in as arguments.
 *
 * Hot path: with no trace, route() allocates only the decision object (plus a sliced path
 * when the request has a query, and the weighted-pick record for weighted routes).
 */
import type { Any, RouteConfiguration } from '../config/types.js';
import type { Diagnostic } from '../config/diagnostic.js';
import type {
  ClusterResolution,
  RouteDecision,
  RouteRequest,
  RouteTable,
  RouteTrace,
  RuntimeValues,
  VirtualHostEntry,
} from './route_types.js';
import { posOf, type CompileContext } from './compile_context.js';
import { CompiledRoute } from './route_entry.js';
import { portStart } from './vhost_selector.js';
import { compileHeaderMatcher } from './header_matcher.js';
import { compileHeaderMutationGroup, levelHeaderMutations } from './header_mutation.js';
import { firstHeaderValue, pickWeightedCluster } from './cluster_specifier.js';
import { pathEnd, redirectLocation, sslRedirectLocation } from './redirect.js';
import { traceCluster, traceRoute, traceVirtualHost, traceNoVirtualHost } from './route_trace.js';
import { CompiledRouteTable, CompiledVirtualHost } from './route_table.js';
import { buildRouteIndex, matchesRoute, type RouteIndexMode } from './route_index.js';
import { jsonPathOf, positionOf } from '../config/position.js';
import { DEFAULT_MAX_DIRECT_RESPONSE_BODY_SIZE_BYTES } from '../config/defaults.js';

export { finalizeRequest, finalizeResponseHeaders, applyRequestHeaders } from './finalize.js';
export type { FinalizedRequest, FinalizeOptions } from './finalize.js';
export { applyHeaderMutations, NO_HEADER_MUTATIONS } from './header_mutation.js';
export type { HeaderMutations, MutableHeaders } from './header_mutation.js';
export type { FormatterContext } from './formatter.js';

/** Options of compileRouteConfig. */
export interface CompileRouteConfigOptions {
  /** Static runtime (layered_runtime static layers, router_check `runtime`). */
  runtime?: RuntimeValues;
  /**
   * Match hosts without their port (as rc.ignore_port_in_host_matching). The HCM's
   * strip_any_host_port / strip_matching_host_port are applied to the :authority before routing
   * by normalizeHost (hcm_host.ts) in serve and explain; `tsproxy test` sets this instead.
   */
  ignorePortInHostMatching?: boolean;
  /**
   * router_check_tool's RouterCheckTool::assignRuntimeFraction: a runtime_fraction default
   * numerator of 0 counts as 1. Tool behaviour, not Envoy's; only `tsproxy test` sets it.
   */
  bumpZeroRuntimeNumerator?: boolean;
  /** File name for diagnostics when the config objects carry no position. */
  file?: string;
  /**
   * Per-vhost route index (route_index.ts): `auto` (default) for vhosts with enough routes,
   * `always`, or `off` (the linear scan, the reference). Never changes an answer.
   */
  routeIndex?: RouteIndexMode;
}

/**
 * Compiles a RouteConfiguration. Never throws on config content: every problem Envoy would
 * reject (bad regex, program size, duplicate domains, header mutation errors...) becomes a
 * Diagnostic with the config position, and the offending matcher never matches.
 */
export function compileRouteConfig(
  rc: RouteConfiguration,
  options: CompileRouteConfigOptions = {},
): { table: RouteTable; diagnostics: Diagnostic[] } {
  const runtime = options.runtime ?? {};
  const ctx: CompileContext = { runtime, diagnostics: [], file: options.file ?? positionOf(rc)?.file ?? '<config>' };
  const table = new CompiledRouteTable(rc, options.ignorePortInHostMatching === true || rc.ignore_port_in_host_matching === true, runtime);
  const rcPerFilter: Readonly<Record<string, Any>> = rc.typed_per_filter_config ?? {};
  // JSON paths in diagnostics are rooted where the decoder found this route config (inside a
  // Bootstrap's HCM, a dump...), or `$` for objects built in code.
  const root = jsonPathOf(rc) ?? '$';
  const rcRequest = compileHeaderMutationGroup(rc.request_headers_to_add, rc.request_headers_to_remove, ctx, root, 'request_headers_to_add', 'request_headers_to_remove');
  const rcResponse = compileHeaderMutationGroup(rc.response_headers_to_add, rc.response_headers_to_remove, ctx, root, 'response_headers_to_add', 'response_headers_to_remove');
  const mostSpecificWins = rc.most_specific_header_mutations_wins === true;
  const maxBody = rc.max_direct_response_body_size_bytes ?? DEFAULT_MAX_DIRECT_RESPONSE_BODY_SIZE_BYTES;

  (rc.virtual_hosts ?? []).forEach((vhc, vi) => {
    const vpath = `${root}.virtual_hosts[${vi}]`;
    const vh = new CompiledVirtualHost(vhc, vi);
    table.virtualHosts.push(vh);
    table.selector.add(vhc, vh, ctx, vpath, rc.name ?? '');
    vh.requestGroup = compileHeaderMutationGroup(vhc.request_headers_to_add, vhc.request_headers_to_remove, ctx, vpath, 'request_headers_to_add', 'request_headers_to_remove');
    vh.responseGroup = compileHeaderMutationGroup(vhc.response_headers_to_add, vhc.response_headers_to_remove, ctx, vpath, 'response_headers_to_add', 'response_headers_to_remove');
    vh.virtualClusters = (vhc.virtual_clusters ?? []).map((vc, ci) => ({
      name: vc.name,
      headers: (vc.headers ?? []).map((h, hi) => compileHeaderMatcher(h, ctx, `${vpath}.virtual_clusters[${ci}].headers[${hi}]`)),
    }));
    const vhostPerFilter = vhc.typed_per_filter_config !== undefined ? { ...rcPerFilter, ...vhc.typed_per_filter_config } : rcPerFilter;
    const scope = {
      vhost: vh,
      vhostConfig: vhc,
      vhostPerFilterConfig: vhostPerFilter,
      rcMirrorPolicies: rc.request_mirror_policies ?? [],
      ignorePathParameters: rc.ignore_path_parameters_in_path_matching === true,
      maxDirectResponseBodySize: maxBody,
      bumpZeroRuntimeNumerator: options.bumpZeroRuntimeNumerator === true,
    };
    (vhc.routes ?? []).forEach((r, ri) => {
      const cr = new CompiledRoute(r, ri, vh, scope, ctx, `${vpath}.routes[${ri}]`);
      // Envoy's getHeaderParsers: route, vhost, route config (later wins on overwrite), reversed
      // when most_specific_header_mutations_wins. A weighted cluster's own mutations run first
      // (WeightedClusterEntry::finalizeRequestHeaders, then the parent route's).
      cr.requestMutations = levelHeaderMutations(undefined, cr.requestGroup, vh.requestGroup, rcRequest, mostSpecificWins);
      cr.responseMutations = levelHeaderMutations(undefined, cr.responseGroup, vh.responseGroup, rcResponse, mostSpecificWins);
      const wcs = cr.weightedClusters;
      for (let i = 0; i < wcs.length; i++) {
        const wc = wcs[i]!;
        wc.requestMutations = levelHeaderMutations(wc.requestGroup, cr.requestGroup, vh.requestGroup, rcRequest, mostSpecificWins);
        wc.responseMutations = levelHeaderMutations(wc.responseGroup, cr.responseGroup, vh.responseGroup, rcResponse, mostSpecificWins);
      }
      vh.routes.push(cr);
    });
    vh.routeIndex = buildRouteIndex(vh.routes, scope.ignorePathParameters, options.routeIndex);
  });
  return { table, diagnostics: ctx.diagnostics };
}

/** Host as used for vhost selection: port stripped when configured, lowercased. */
export function hostForMatching(table: RouteTable, authority: string): string {
  let host = authority;
  if (table.ignorePortInHostMatching) {
    const p = portStart(host);
    if (p >= 0) host = host.slice(0, p);
  }
  return host.toLowerCase();
}

/** Selects the virtual host for `req` (undefined: none). Exposed for explain/match. */
export function selectVirtualHost(table: RouteTable, req: RouteRequest): VirtualHostEntry | undefined {
  const t = table as CompiledRouteTable;
  if (t.selector.onlyDefault) return t.selector.select('');
  if (req.authority === undefined) return undefined;
  return t.selector.select(hostForMatching(t, req.authority));
}

/**
 * Routes one request. `randomValue` drives runtime_fraction and weighted clusters (Envoy's
 * per-stream random value). With `trace`, every vhost and route considered is recorded with
 * the predicate that rejected it; without it, no trace work at all.
 */
export function route(table: RouteTable, request: RouteRequest, randomValue: number, trace?: RouteTrace): RouteDecision {
  const t = table as CompiledRouteTable;
  // Envoy fast path: only a `*` vhost is selected even without :authority.
  let vh: CompiledVirtualHost | undefined;
  if (t.selector.onlyDefault) vh = t.selector.select('');
  else if (request.authority !== undefined) vh = t.selector.select(hostForMatching(t, request.authority));
  if (trace !== undefined) {
    if (vh === undefined) traceNoVirtualHost(t, request, trace);
    else traceVirtualHost(t, vh, request, trace);
  }
  if (vh === undefined) return { kind: 'no_route', virtualHost: undefined };

  // VirtualHostImpl::getRouteFromEntries: TLS requirement first, judged on x-forwarded-proto
  // (which the connection manager always sets), falling back to the request's scheme.
  if (vh.requireTls !== 'NONE' && forwardedProto(request) !== 'https') {
    const internal = vh.requireTls === 'EXTERNAL_ONLY' && firstHeaderValue(request, 'x-envoy-internal') === 'true';
    if (!internal) {
      if (trace !== undefined) {
        trace.steps.push({
          kind: 'virtual_host', name: vh.name, index: vh.index, matched: true, predicate: 'require_tls',
          reason: `require_tls ${vh.requireTls}: x-forwarded-proto is ${forwardedProto(request)}, redirecting to https (301)`, position: posOf(vh.config, 'require_tls'),
        });
      }
      return { kind: 'redirect', virtualHost: vh, route: undefined, location: sslRedirectLocation(request), status: 301, requireTls: true, virtualClusterName: vh.virtualClusterName(request) };
    }
  }

  const end = pathEnd(request.path);
  const pathOnly = end === request.path.length ? request.path : request.path.slice(0, end);
  // With a trace every route is shown, so the index is only used without one.
  const index = trace === undefined ? vh.routeIndex : undefined;
  let r: CompiledRoute | undefined;
  if (index !== undefined) {
    r = index.firstMatch(pathOnly, request, randomValue, t.runtime);
  } else {
    const routes = vh.routes;
    for (let i = 0; i < routes.length; i++) {
      const ok = matchesRoute(routes[i], pathOnly, request, randomValue, t.runtime);
      if (trace !== undefined) traceRoute(routes[i], request, pathOnly, randomValue, t.runtime, ok, trace);
      if (ok) {
        r = routes[i];
        break;
      }
    }
  }
  if (r !== undefined) {
    switch (r.actionKind) {
      case 'route': {
        const spec = r.cluster;
        let cluster = '';
        let resolution: ClusterResolution;
        let weighted = undefined;
        let perFilterConfig = r.perFilterConfig;
        if (spec.kind === 'cluster') {
          cluster = spec.name;
          resolution = CLUSTER_RESOLUTION;
        } else if (spec.kind === 'cluster_header') {
          cluster = firstHeaderValue(request, spec.header) ?? '';
          resolution = { specifier: 'cluster_header', header: spec.header };
        } else if (spec.kind === 'weighted_clusters') {
          const pick = pickWeightedCluster(spec, request, randomValue);
          weighted = pick.entry;
          if (weighted !== undefined) {
            cluster = weighted.clusterHeader !== undefined ? (firstHeaderValue(request, weighted.clusterHeader) ?? '') : weighted.name;
            perFilterConfig = weighted.perFilterConfig;
          }
          resolution = {
            specifier: 'weighted_clusters', clusters: pick.clusters, totalWeight: pick.totalWeight, value: pick.value,
            valueSource: pick.valueSource, selector: pick.selector, pickedIndex: pick.index,
            ...(weighted?.clusterHeader !== undefined ? { header: weighted.clusterHeader } : {}),
          };
        } else {
          resolution = { specifier: 'unsupported', field: spec.kind === 'unsupported' ? spec.field : 'cluster' };
        }
        const decision: RouteDecision = {
          kind: 'forward', virtualHost: vh, route: r, cluster, resolution, weightedCluster: weighted, perFilterConfig,
          virtualClusterName: vh.virtualClusterName(request),
        };
        if (trace !== undefined) traceCluster(decision, trace);
        return decision;
      }
      case 'redirect':
        return {
          kind: 'redirect', virtualHost: vh, route: r, location: redirectLocation(r.redirect!, request, r.matchedLength(pathOnly)),
          status: r.redirect!.status, requireTls: false, virtualClusterName: vh.virtualClusterName(request),
        };
      case 'direct_response':
        return {
          kind: 'direct_response', virtualHost: vh, route: r, status: r.directStatus, body: r.directBody,
          bodyFilename: r.directBodyFilename, virtualClusterName: vh.virtualClusterName(request),
        };
      default:
        return { kind: 'no_route', virtualHost: vh, route: r };
    }
  }
  return { kind: 'no_route', virtualHost: vh };
}

/** `x-forwarded-proto` as Envoy reads it (first value), else the request's scheme. */
export function forwardedProto(request: RouteRequest): string {
  const v = request.headers['x-forwarded-proto'];
  if (v === undefined) return request.scheme;
  return typeof v === 'string' ? v : (v[0] ?? request.scheme);
}

const CLUSTER_RESOLUTION: ClusterResolution = Object.freeze({ specifier: 'cluster' as const });
