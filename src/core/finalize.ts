/**
 * Request finalization (Envoy's RouteEntry::finalizeRequestHeaders / finalizeResponseHeaders):
 * the final :path and :authority, and the header mutations to apply, computed from a route()
 * decision. Pure: header values are formatted when the caller applies the mutations with its
 * FormatterContext (addresses, start time...).
 *
 * Envoy's order, which this follows: (weighted cluster's headers, its host_rewrite_literal),
 * route / vhost / route-config header mutations, then the route's host rewrite, then the path
 * rewrite (prefix_rewrite replaces the matched prefix; on `path`/`safe_regex` matches the whole
 * path; regex_rewrite replace-all on the path without query; query kept), and
 * `x-envoy-original-path` carries the pre-rewrite path.
 */
import type { DirectResponseDecision, ForwardDecision, RedirectDecision, RouteDecision, RouteRequest } from './route_types.js';
import type { CompiledRoute } from './route_entry.js';
import type { CompiledWeightedCluster } from './cluster_specifier.js';
import { firstHeaderValue } from './cluster_specifier.js';
import { NO_HEADER_MUTATIONS, applyHeaderMutations, type HeaderMutations, type MutableHeaders } from './header_mutation.js';
import { pathEnd, rewritePathByPrefixOrRegex } from './redirect.js';
import { rewritePathByTemplate } from './route_path_template.js';
import { regexReplaceAll } from './regex.js';
import type { FormatterContext } from './formatter.js';

/** What the upstream request looks like after the route's rewrites. */
export interface FinalizedRequest {
  /** Final `:path` (query kept). */
  readonly path: string;
  /** Final `:authority`. */
  readonly authority: string;
  /** Set when the path was rewritten: the value for `x-envoy-original-path`. */
  readonly originalPath: string | undefined;
  /**
   * Set when the route's host_rewrite_* changed the host: the authority before it, which
   * applyRequestHeaders writes to `x-envoy-original-host` (unless envoy headers are suppressed)
   * and appends to `x-forwarded-host` with `append_x_forwarded_host` (Envoy's updateAuthority).
   */
  readonly originalAuthority: string | undefined;
  /** Envoy's `keep_original_host_or_path`: false when the router suppresses x-envoy-* headers. */
  readonly insertOriginal: boolean;
  /** `auto_host_rewrite`: serve sets :authority to the chosen upstream host's hostname. */
  readonly autoHostRewrite: boolean;
  /** `append_x_forwarded_host`: serve appends the original authority to x-forwarded-host when the host is rewritten. */
  readonly appendXForwardedHost: boolean;
  /** Request header mutations, in evaluation order. `empty` when there are none. */
  readonly requestHeaderMutations: HeaderMutations;
}

/** Options for finalizeRequest. */
export interface FinalizeOptions {
  /** Envoy's `insert_envoy_original_path` (false when the router suppresses envoy headers). Default true. */
  insertOriginalPath?: boolean;
  /**
   * Formatter context, used only when `host_rewrite_header` names a header that the route's own
   * request_headers_to_add sets (Envoy applies the mutations before reading it).
   */
  formatterContext?: FormatterContext;
}

/** True when any group adds or removes `name`. */
function mutationsTouch(m: HeaderMutations, name: string): boolean {
  for (const g of m.groups) {
    if (g.remove.includes(name)) return true;
    for (const a of g.add) if (a.key === name) return true;
  }
  return false;
}

function routeOf(decision: ForwardDecision | DirectResponseDecision): CompiledRoute {
  return decision.route as CompiledRoute;
}

/**
 * Final path, authority and request header mutations of a forward decision (or a direct
 * response, whose path Envoy also rewrites for router_check's path_rewrite).
 */
export function finalizeRequest(
  decision: ForwardDecision | DirectResponseDecision,
  request: RouteRequest,
  options: FinalizeOptions = {},
): FinalizedRequest {
  const r = routeOf(decision);
  const wc = decision.kind === 'forward' ? (decision.weightedCluster as CompiledWeightedCluster | undefined) : undefined;
  const mutations = wc !== undefined ? wc.requestMutations : decision.kind === 'forward' ? r.requestMutations : NO_HEADER_MUTATIONS;
  let authority = request.authority ?? '';
  // WeightedClusterEntry::finalizeRequestHeaders: a plain setHost (no x-envoy-original-host).
  if (wc?.hostRewriteLiteral !== undefined && wc.hostRewriteLiteral !== '') authority = wc.hostRewriteLiteral;
  // finalizeHostHeader: literal, else header (first value, after the mutations), else path regex.
  let newHost = '';
  if (r.hostRewriteLiteral !== undefined && r.hostRewriteLiteral !== '') newHost = r.hostRewriteLiteral;
  else if (r.hostRewriteHeader !== undefined) {
    const name = r.hostRewriteHeader;
    if (!mutations.empty && mutationsTouch(mutations, name)) {
      const copy: MutableHeaders = { ...request.headers };
      applyHeaderMutations(mutations, copy, options.formatterContext ?? { requestHeaders: request.headers, authority, path: request.path, method: request.method, scheme: request.scheme });
      const v = copy[name];
      newHost = v === undefined ? '' : Array.isArray(v) ? (v[0] ?? '') : String(v);
    } else {
      newHost = firstHeaderValue(request, name) ?? '';
    }
  } else if (r.hostRewritePathRegex !== undefined) {
    newHost = regexReplaceAll(r.hostRewritePathRegex, request.path.slice(0, pathEnd(request.path)), r.hostRewritePathSubstitution);
  }
  let originalAuthority: string | undefined;
  if (newHost !== '') {
    // Http::Utility::updateAuthority records the old host only when there was one.
    if (authority !== '') originalAuthority = authority;
    authority = newHost;
  }
  // finalizePathHeader.
  let path = request.path;
  let originalPath: string | undefined;
  if (decision.kind === 'forward' || r.redirect === undefined) {
    const end = pathEnd(request.path);
    // path_rewrite_policy (URI templates) first, as Envoy's currentUrlPathAfterRewrite.
    const rewritten = rewritePathByTemplate(r, request.path, end) ??
      rewritePathByPrefixOrRegex(request.path, r.matchedLength(request.path.slice(0, end)), r.prefixRewrite, r.regexRewrite, r.regexRewriteSubstitution);
    if (rewritten !== undefined) {
      path = rewritten;
      originalPath = request.path;
    }
  }
  return {
    path,
    authority,
    originalPath: options.insertOriginalPath === false ? undefined : originalPath,
    originalAuthority,
    insertOriginal: options.insertOriginalPath !== false,
    autoHostRewrite: r.autoHostRewrite,
    appendXForwardedHost: r.appendXForwardedHost,
    requestHeaderMutations: mutations,
  };
}

/**
 * Response header mutations for a decision (route's response_headers_to_add/remove, weighted
 * cluster first, then route/vhost/route-config in Envoy's order). Redirects and direct
 * responses get their route's mutations too (DirectResponseEntry::finalizeResponseHeaders);
 * a require_tls redirect and no_route get none.
 */
export function finalizeResponseHeaders(decision: RouteDecision): HeaderMutations {
  switch (decision.kind) {
    case 'forward': {
      const wc = decision.weightedCluster as CompiledWeightedCluster | undefined;
      return wc !== undefined ? wc.responseMutations : (decision.route as CompiledRoute).responseMutations;
    }
    case 'direct_response':
      return (decision.route as CompiledRoute).responseMutations;
    case 'redirect':
      return decision.route !== undefined ? (decision.route as CompiledRoute).responseMutations : NO_HEADER_MUTATIONS;
    case 'no_route':
      return NO_HEADER_MUTATIONS;
  }
}

/**
 * Applies a FinalizedRequest's header side onto a node-style header object: the route's
 * mutations, then `x-envoy-original-host` when the route rewrote the host, then
 * `x-envoy-original-path` when the path was rewritten. Does nothing (no
 * allocation) for a route without mutations or rewrites. `:path` / `:authority` are not
 * written: the caller uses `final.path` / `final.authority` for the request line and Host.
 */
export function applyRequestHeaders(final: FinalizedRequest, headers: MutableHeaders, ctx: FormatterContext): void {
  if (!final.requestHeaderMutations.empty) applyHeaderMutations(final.requestHeaderMutations, headers, ctx);
  // x-forwarded-host (append_x_forwarded_host) is left to the caller, which owns the
  // forwarding headers (serve appends `originalAuthority` when `appendXForwardedHost`).
  if (final.originalAuthority !== undefined && final.insertOriginal) headers['x-envoy-original-host'] = final.originalAuthority;
  if (final.originalPath !== undefined) headers['x-envoy-original-path'] = final.originalPath;
}

export type { RedirectDecision };
