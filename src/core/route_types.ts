/**
 * The contract of the routing core: what `route()` takes and returns. `serve`, `match`,
 * `explain` and `test` all call the same `route()` (src/core/route.ts) with these types.
 * Pure: no node:*, no clock, no randomness (the random value comes in as an argument).
 */
import type {
  Any,
  HeaderValueOption,
  RetryPolicy,
  RequestMirrorPolicy,
  HashPolicy,
  Route,
  VirtualHost,
  RouteAction,
  Metadata,
  RouteConfiguration,
} from '../config/types.js';
import type { SourcePosition } from '../config/diagnostic.js';
import type { RouteStreamTimeouts } from './grpc.js';

/** Header map as node:http delivers it: lowercase names, repeated headers as arrays (set-cookie) or joined. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A request as the core sees it. Pseudo-headers are fields, not entries of `headers`;
 * header matchers naming `:path`, `:authority`, `:method` or `:scheme` read these fields.
 */
export interface RouteRequest {
  /**
   * `:authority` (HTTP/1 Host). `undefined` means the request gets no route (Envoy), except in a
   * table whose only virtual host is `*` (Envoy's findVirtualHost fast path).
   */
  authority: string | undefined;
  /** `:path` including the query string. */
  path: string;
  method: string;
  /**
   * `:scheme`: `http` or `https`. The scheme of a redirect Location defaults to it. `require_tls`
   * and a redirect's default-port stripping read `headers['x-forwarded-proto']` as Envoy does,
   * falling back to this field when that header is absent.
   */
  scheme: string;
  headers: RequestHeaders;
  /** Downstream remote address without port, for header formatters and source-ip hashing. */
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** Downstream TLS; absent means plaintext (a `tls_context` matcher requiring presence fails). */
  tls?: RouteRequestTls;
  /**
   * Dynamic metadata by filter namespace (Envoy's StreamInfo dynamicMetadata().filter_metadata),
   * for `RouteMatch.dynamic_metadata` matchers: namespace -> Struct as plain JSON.
   */
  dynamicMetadata?: Readonly<Record<string, unknown>>;
  /**
   * Per-call runtime overrides (router_check `input.runtime`), consulted before the table's
   * compile-time runtime values for `runtime_fraction` and weighted-cluster runtime keys.
   */
  runtime?: RuntimeValues;
  /**
   * Overrides Envoy's `Runtime::Snapshot::featureEnabled(key, default, random)` for this call
   * (`runtime_fraction` matchers). router_check mocks exactly this function: only the key named
   * by `input.runtime` is enabled, by the default fraction. Absent: the runtime values decide.
   */
  featureEnabled?: (key: string, numerator: number, denominator: number, randomValue: number) => boolean;
}

/** Static runtime values (`layered_runtime` static layers, router_check `runtime`). */
export type RuntimeValues = Readonly<Record<string, unknown>>;

/** Why a virtual host or route was not taken; recorded only when a trace sink is passed. */
export interface TraceStep {
  kind: 'virtual_host' | 'route' | 'virtual_cluster' | 'cluster';
  /** Name (or `#index`) of what was considered. */
  name: string;
  index: number;
  matched: boolean;
  /** The predicate that rejected it, in words: `prefix "/api" does not match "/ap"`. */
  reason: string;
  /** Machine-readable predicate id: `domain`, `prefix`, `path`, `safe_regex`, `header`, ... */
  predicate?: string;
  /** A near miss worth telling the user about (port in Host, case-only difference, ...). */
  nearMiss?: string;
  position?: SourcePosition;
}

/** Trace sink. `serve` passes none and pays nothing for tracing. */
export interface RouteTrace {
  steps: TraceStep[];
}

// ---------------------------------------------------------------------------------------------
// Compiled route table and route() result (src/core/route.ts). Added for the routing core.
// ---------------------------------------------------------------------------------------------

/** TLS facts of the downstream connection, for `RouteMatch.tls_context`. */
export interface RouteRequestTls {
  presented: boolean;
  validated: boolean;
}


/** HTTP status of `cluster_not_found_response_code` (default SERVICE_UNAVAILABLE = 503). */
export type ClusterNotFoundStatus = 503 | 404 | 500;

/** What kind of action a route has (exactly one in Envoy's Route oneof). */
export type RouteActionKind = 'route' | 'redirect' | 'direct_response' | 'non_forwarding_action' | 'filter_action';

/** A compiled virtual host, public view. */
export interface VirtualHostEntry {
  readonly name: string;
  /** Index in `RouteConfiguration.virtual_hosts`. */
  readonly index: number;
  readonly position: SourcePosition | undefined;
  readonly config: VirtualHost;
  readonly routes: readonly RouteEntry[];
  /** True when the vhost declares `virtual_clusters` (then an unmatched request reports `other`). */
  readonly hasVirtualClusters: boolean;
  /** `include_request_attempt_count`: serve adds `x-envoy-attempt-count` upstream. */
  readonly includeRequestAttemptCount: boolean;
  /** `include_attempt_count_in_response`. */
  readonly includeAttemptCountInResponse: boolean;
}

/** A weighted cluster entry as compiled (`WeightedCluster.clusters[i]`). */
export interface WeightedClusterEntry {
  /** Cluster name; "" when the entry uses `cluster_header`. */
  readonly name: string;
  readonly clusterHeader: string | undefined;
  /** Effective weight (from runtime `<runtime_key_prefix>.<name>` when set, else `weight`). */
  readonly weight: number;
  readonly index: number;
  readonly position: SourcePosition | undefined;
  /** Merged typed_per_filter_config for this entry (entry > route > vhost > route config). */
  readonly perFilterConfig: Readonly<Record<string, Any>>;
  readonly metadataMatch: Metadata | undefined;
}

/** A compiled route, public view. */
export interface RouteEntry {
  /** `Route.name`, or undefined. */
  readonly name: string | undefined;
  /** Index within the virtual host's `routes`. */
  readonly index: number;
  readonly position: SourcePosition | undefined;
  readonly config: Route;
  readonly virtualHost: VirtualHostEntry;
  readonly actionKind: RouteActionKind;
  /** `route` when actionKind is 'route'. */
  readonly action: RouteAction | undefined;
  /** Route timeout in ms: `RouteAction.timeout`, default 15000; 0 disables. */
  readonly timeoutMs: number;
  /** `RouteAction.idle_timeout` in ms, or undefined (the HCM's stream idle timeout applies). */
  readonly idleTimeoutMs: number | undefined;
  /**
   * `RouteAction.max_stream_duration` and the deprecated `max_grpc_timeout` /
   * `grpc_timeout_offset`, compiled (core/grpc.ts): the stream duration timer and the router's
   * gRPC timeout read it per request.
   */
  readonly streamTimeouts: RouteStreamTimeouts;
  /** Route's retry_policy, else the vhost's (Envoy: the route's wins entirely). */
  readonly retryPolicy: RetryPolicy | undefined;
  /** Route's request_mirror_policies, else the vhost's, else the route configuration's. */
  readonly mirrorPolicies: readonly RequestMirrorPolicy[];
  readonly hashPolicies: readonly HashPolicy[];
  /** Merged typed_per_filter_config: route > vhost > route configuration (per filter name). */
  readonly perFilterConfig: Readonly<Record<string, Any>>;
  readonly metadata: Metadata | undefined;
  readonly clusterNotFoundResponseCode: ClusterNotFoundStatus;
  /** Weighted cluster entries (empty unless the action uses weighted_clusters). */
  readonly weightedClusters: readonly WeightedClusterEntry[];
}

/**
 * A compiled RouteConfiguration: immutable once built; route() reads it. Build with
 * `compileRouteConfig()`; the compiled matchers live on the implementation object.
 */
export interface RouteTable {
  readonly name: string;
  readonly config: RouteConfiguration;
  readonly virtualHosts: readonly VirtualHostEntry[];
  /** `ignore_port_in_host_matching` as compiled (config or HCM strip_*_host_port). */
  readonly ignorePortInHostMatching: boolean;
  /** Runtime values the table was compiled with. */
  readonly runtime: RuntimeValues;
  /** `internal_only_headers`, lowercased: serve removes them from requests of external clients. */
  readonly internalOnlyHeaders: readonly string[];
}

/** How the cluster name of a forward decision was obtained. */
export type ClusterResolution =
  | { readonly specifier: 'cluster' }
  | { readonly specifier: 'cluster_header'; readonly header: string }
  | {
      readonly specifier: 'weighted_clusters';
      /** All entries with effective weights, declared order. */
      readonly clusters: readonly WeightedClusterEntry[];
      readonly totalWeight: number;
      /** The value the pick used: `randomValue`, or the `header_name` header's value. */
      readonly value: number;
      readonly valueSource: 'random' | 'header';
      /** `value % totalWeight`. */
      readonly selector: number;
      readonly pickedIndex: number;
      /** The picked entry's `cluster_header`, when it uses one. */
      readonly header?: string;
    }
  | { readonly specifier: 'unsupported'; readonly field: string };

/** No virtual host, no route, or a route whose action cannot forward: 404 NR `route_not_found`. */
export interface NoRouteDecision {
  readonly kind: 'no_route';
  /** The selected virtual host, if one was. */
  readonly virtualHost: VirtualHostEntry | undefined;
  /** A matched route whose action does not forward (`non_forwarding_action`, `filter_action`). */
  readonly route?: RouteEntry;
}

export interface ForwardDecision {
  readonly kind: 'forward';
  readonly virtualHost: VirtualHostEntry;
  readonly route: RouteEntry;
  /** Resolved cluster name; "" when a `cluster_header` was missing (then NC cluster_not_found). */
  readonly cluster: string;
  readonly resolution: ClusterResolution;
  /** The weighted cluster entry picked, if any. */
  readonly weightedCluster: WeightedClusterEntry | undefined;
  /** Merged typed_per_filter_config for this decision (weighted entry's wins for its cluster). */
  readonly perFilterConfig: Readonly<Record<string, Any>>;
  /** Virtual cluster name; 'other' if the vhost has virtual clusters and none match; else undefined. */
  readonly virtualClusterName: string | undefined;
}

export interface RedirectDecision {
  readonly kind: 'redirect';
  readonly virtualHost: VirtualHostEntry;
  /** The route with the `redirect` action; undefined for a `require_tls` redirect of the vhost. */
  readonly route: RouteEntry | undefined;
  /** Full Location URL. */
  readonly location: string;
  /** 301, 302, 303, 307 or 308. */
  readonly status: number;
  /** True for the vhost's `require_tls` redirect. */
  readonly requireTls: boolean;
  readonly virtualClusterName: string | undefined;
}

export interface DirectResponseDecision {
  readonly kind: 'direct_response';
  readonly virtualHost: VirtualHostEntry;
  readonly route: RouteEntry;
  readonly status: number;
  /** Body from inline_string / inline_bytes (decoded as latin1-safe UTF-8 text); undefined if none. */
  readonly body: string | undefined;
  /** `body.filename`: the core is pure, so a higher layer reads the file (see directResponseBodyFile). */
  readonly bodyFilename: string | undefined;
  readonly virtualClusterName: string | undefined;
}

/** Result of route(). */
export type RouteDecision = NoRouteDecision | ForwardDecision | RedirectDecision | DirectResponseDecision;
