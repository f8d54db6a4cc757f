/**
 * The contract of the routing core: what `route()` takes and returns. `serve`, `match`,
 * `explain` and `test` all call the same `route()` (src/core/route.ts) with these types.
 * Pure: no node:*, no clock, no randomness (the random value comes in as an argument).
 */
import type {
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

/** Header map as node:http delivers it: lowercase names, repeated headers as arrays (set-cookie) or joined. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A request as the core sees it. Pseudo-headers are fields, not entries of `headers`;
 * header matchers naming `:path`, `:authority`, `:method` or `:scheme` read these fields.
 */
export interface RouteRequest {
  /** `:authority` (HTTP/1 Host). `undefined` means the request gets no route (Envoy). */
  authority: string | undefined;
  /** `:path` including the query string. */
  path: string;
  method: string;
  /** `:scheme`/`x-forwarded-proto` as Envoy uses it for `require_tls`: `http` or `https`. */
  scheme: string;
  headers: RequestHeaders;
  /** Downstream remote address without port, for header formatters and source-ip hashing. */
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
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
