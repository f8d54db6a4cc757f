/**
 * A compiled Route (Envoy's RouteEntryImplBase and its Prefix/Path/Regex/ConnectRoute/
 * PathSeparatedPrefix subclasses): the path matcher plus the other RouteMatch predicates,
 * evaluated in Envoy's order (runtime_fraction, grpc, headers, query parameters, tls_context,
 * dynamic_metadata), and everything the action needs at request time.
 */
import { compileRouteStreamTimeouts, hasGrpcContentType, type RouteStreamTimeouts } from './grpc.js';
import type { Any, FractionalPercentDenominator, HashPolicy, Metadata, RegexMatchAndSubstitute, RequestMirrorPolicy, RetryPolicy, Route, RouteAction, VirtualHost } from '../config/types.js';
import type { SourcePosition } from '../config/diagnostic.js';
import type { ClusterNotFoundStatus, RouteActionKind, RouteEntry, RouteRequest, RuntimeValues, VirtualHostEntry } from './route_types.js';
import { posOf, report, type CompileContext } from './compile_context.js';
import { compileHeaderMatcher, matchAllHeaders, requestHeaderValue, type CompiledHeaderMatcher } from './header_matcher.js';
import { compileQueryParameterMatcher, type CompiledQueryParameterMatcher } from './query_matcher.js';
import { compileMetadataMatcher, type CompiledMetadataMatcher, type MetadataMatcherConfig } from './metadata_matcher.js';
import { compileRegexMatcher } from './string_matcher.js';
import { regexFullMatch, validRewrite, type CompiledRegex } from './regex.js';
import { compileClusterSpecifier, type CompiledClusterSpecifier, type CompiledWeightedCluster } from './cluster_specifier.js';
import { redirectStatus, type CompiledRedirect } from './redirect.js';
import { compileHeaderMutationGroup, type HeaderMutationGroup, type HeaderMutations } from './header_mutation.js';
import { DEFAULT_ROUTE_TIMEOUT_MS, fractionalPercentDenominator } from '../config/defaults.js';
import { compileRoutePathTemplates } from './route_path_template.js';
import { uriTemplateMatches, type UriMatchTemplate, type UriRewriteTemplate } from './uri_template.js';

/** Compiles a RegexMatchAndSubstitute's pattern and checks its substitution (RE2 rewrite rules). */
function compileRewrite(rs: RegexMatchAndSubstitute, ctx: CompileContext, path: string): CompiledRegex | undefined {
  const re = compileRegexMatcher(rs.pattern, ctx, `${path}.pattern`);
  if (re !== undefined && !validRewrite(rs.substitution ?? '', re.groupCount)) {
    report(ctx, 'warning', 'route/invalid-rewrite',
      `substitution '${rs.substitution}' is not a valid RE2 rewrite for '${re.pattern}' (${re.groupCount} capture groups): the rewrite will never apply`,
      `${path}.substitution`, rs, 'substitution');
  }
  return re;
}

export type PathMatchKind = 'prefix' | 'path' | 'safe_regex' | 'path_separated_prefix' | 'connect_matcher' | 'path_template' | 'unsupported';


/** The shared empty list of a route without matchers, hash policies or weighted clusters of that kind. */
const NONE: readonly never[] = Object.freeze([]);

/** Whether a diagnostic since `from` says a matcher under `matchPath` failed to compile (the route never matches). */
function failedMatcher(ctx: CompileContext, from: number, matchPath: string): boolean {
  const ds = ctx.diagnostics;
  for (let i = from; i < ds.length; i++) {
    const d = ds[i]!;
    if (d.severity === 'error' && (d.rule === 'route/invalid-regex' || d.rule === 'route/regex-program-size') && d.path.startsWith(matchPath)) return true;
  }
  return false;
}

function notFoundStatus(code: RouteAction['cluster_not_found_response_code']): ClusterNotFoundStatus {
  return code === 'NOT_FOUND' ? 404 : code === 'INTERNAL_SERVER_ERROR' ? 500 : 503;
}

/** Compile-time inputs from the enclosing vhost / route configuration. */
export interface RouteCompileScope {
  readonly vhost: VirtualHostEntry;
  readonly vhostConfig: VirtualHost;
  /** Merged rc + vhost typed_per_filter_config. */
  readonly vhostPerFilterConfig: Readonly<Record<string, Any>>;
  readonly rcMirrorPolicies: readonly RequestMirrorPolicy[];
  readonly ignorePathParameters: boolean;
  readonly maxDirectResponseBodySize: number;
  readonly bumpZeroRuntimeNumerator: boolean;
}

export class CompiledRoute implements RouteEntry {
  readonly name: string | undefined;
  readonly actionKind: RouteActionKind;
  readonly action: RouteAction | undefined;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number | undefined;
  readonly streamTimeouts: RouteStreamTimeouts;
  readonly retryPolicy: RetryPolicy | undefined;
  readonly mirrorPolicies: readonly RequestMirrorPolicy[];
  readonly hashPolicies: readonly HashPolicy[];
  readonly perFilterConfig: Readonly<Record<string, Any>>;
  readonly metadata: Metadata | undefined;
  readonly clusterNotFoundResponseCode: ClusterNotFoundStatus;
  readonly weightedClusters: readonly CompiledWeightedCluster[];

  // --- matching ---
  readonly pathKind: PathMatchKind;
  /** Prefix / path / path_separated_prefix string as configured. */
  readonly pathValue: string;
  /** pathValue lowercased when !caseSensitive. */
  private readonly pathFolded: string;
  readonly caseSensitive: boolean;
  readonly pathRegex: CompiledRegex | undefined;
  /** `path_match_policy` (URI template), compiled; undefined when absent or invalid. */
  readonly pathTemplate: UriMatchTemplate | undefined;
  /** `path_rewrite_policy`, compiled against the match template; undefined when absent or invalid. */
  readonly pathRewriteTemplate: UriRewriteTemplate | undefined;
  readonly headerMatchers: readonly CompiledHeaderMatcher[];
  readonly queryMatchers: readonly CompiledQueryParameterMatcher[];
  readonly metadataMatchers: readonly CompiledMetadataMatcher[];
  readonly grpc: boolean;
  readonly tlsPresented: boolean | undefined;
  readonly tlsValidated: boolean | undefined;
  readonly runtimeKey: string | undefined;
  readonly runtimeNumerator: number;
  readonly runtimeDenominator: number;
  private readonly hasRuntime: boolean;
  /** `filter_state` matchers present: never matches (no filter state in tsproxy). */
  readonly hasFilterState: boolean;
  private readonly valid: boolean;

  // --- actions ---
  readonly cluster: CompiledClusterSpecifier;
  readonly redirect: CompiledRedirect | undefined;
  readonly directStatus: number;
  readonly directBody: string | undefined;
  readonly directBodyFilename: string | undefined;
  // --- finalize ---
  readonly prefixRewrite: string;
  readonly regexRewrite: CompiledRegex | undefined;
  readonly regexRewriteSubstitution: string;
  readonly hostRewriteLiteral: string | undefined;
  readonly hostRewriteHeader: string | undefined;
  readonly hostRewritePathRegex: CompiledRegex | undefined;
  readonly hostRewritePathSubstitution: string;
  readonly autoHostRewrite: boolean;
  readonly appendXForwardedHost: boolean;
  readonly requestGroup: HeaderMutationGroup | undefined;
  readonly responseGroup: HeaderMutationGroup | undefined;
  /** Filled by the table compiler (needs vhost and route config groups). */
  requestMutations!: HeaderMutations;
  responseMutations!: HeaderMutations;

  constructor(
    readonly config: Route,
    readonly index: number,
    readonly virtualHost: VirtualHostEntry,
    scope: RouteCompileScope,
    ctx: CompileContext,
    path: string,
  ) {
    const diagCount = ctx.diagnostics.length;
    const m = config.match ?? {};
    const mp = `${path}.match`;
    this.name = config.name;
    this.caseSensitive = m.case_sensitive !== false;
    let pathRegex: CompiledRegex | undefined;
    let kind: PathMatchKind;
    let value = '';
    if (m.prefix !== undefined) {
      kind = 'prefix';
      value = m.prefix;
    } else if (m.path !== undefined) {
      kind = 'path';
      value = m.path;
    } else if (m.safe_regex !== undefined) {
      kind = 'safe_regex';
      value = m.safe_regex.regex ?? '';
      pathRegex = compileRegexMatcher(m.safe_regex, ctx, `${mp}.safe_regex`);
    } else if (m.path_separated_prefix !== undefined) {
      kind = 'path_separated_prefix';
      value = m.path_separated_prefix;
      if (value.includes('?') || value.includes('#') || value.endsWith('/')) {
        report(ctx, 'error', 'route/invalid-path-separated-prefix', 'path_separated_prefix may not contain ? or # and may not end with /', `${mp}.path_separated_prefix`, m, 'path_separated_prefix');
      }
    } else if (m.connect_matcher !== undefined) {
      kind = 'connect_matcher';
    } else if (m.path_match_policy !== undefined) {
      // URI templates (route_path_template.ts); a template that does not compile never matches.
      kind = 'path_template';
    } else {
      kind = 'unsupported';
      // A RouteMatch without any path specifier is a schema error in the loader.
    }
    const templates = compileRoutePathTemplates(m.path_match_policy, config.route, ctx, path);
    this.pathTemplate = templates.match;
    this.pathRewriteTemplate = templates.rewrite;
    if (kind === 'path_template') value = this.pathTemplate?.template ?? '';
    this.pathKind = kind;
    this.pathValue = value;
    this.pathFolded = this.caseSensitive ? value : value.toLowerCase();
    this.pathRegex = pathRegex;
    // Most routes have none of these: the shared empty list then (no arrays per route).
    this.headerMatchers = m.headers === undefined || m.headers.length === 0 ? NONE : m.headers.map((h, i) => compileHeaderMatcher(h, ctx, `${mp}.headers[${i}]`));
    this.queryMatchers = m.query_parameters === undefined || m.query_parameters.length === 0 ? NONE : m.query_parameters.map((q, i) => compileQueryParameterMatcher(q, ctx, `${mp}.query_parameters[${i}]`));
    this.metadataMatchers = m.dynamic_metadata === undefined || m.dynamic_metadata.length === 0 ? NONE : (m.dynamic_metadata as MetadataMatcherConfig[]).map((d, i) => compileMetadataMatcher(d, ctx, `${mp}.dynamic_metadata[${i}]`));
    // filter_state matchers (reported unsupported by the loader): tsproxy keeps no filter state,
    // and Envoy's FilterStateMatcher fails on a missing key, so such a route never matches.
    this.hasFilterState = m.filter_state !== undefined && m.filter_state.length > 0;
    this.grpc = m.grpc !== undefined;
    this.tlsPresented = m.tls_context?.presented;
    this.tlsValidated = m.tls_context?.validated;
    const rf = m.runtime_fraction;
    this.hasRuntime = rf !== undefined;
    this.runtimeKey = rf?.runtime_key;
    let num = rf?.default_value?.numerator ?? 0;
    // router_check_tool's assignRuntimeFraction (not Envoy proper): numerator 0 counts as 1.
    if (rf !== undefined && num === 0 && scope.bumpZeroRuntimeNumerator) num = 1;
    this.runtimeNumerator = num;
    this.runtimeDenominator = fractionalPercentDenominator(rf?.default_value?.denominator);

    // Per-filter config: route > vhost > route configuration.
    this.perFilterConfig = config.typed_per_filter_config !== undefined ? { ...scope.vhostPerFilterConfig, ...config.typed_per_filter_config } : scope.vhostPerFilterConfig;
    this.metadata = config.metadata;

    const action = config.route;
    this.action = action;
    this.actionKind =
      action !== undefined ? 'route'
      : config.redirect !== undefined ? 'redirect'
      : config.direct_response !== undefined ? 'direct_response'
      : config.filter_action !== undefined ? 'filter_action'
      : 'non_forwarding_action';
    this.timeoutMs = action?.timeout ?? DEFAULT_ROUTE_TIMEOUT_MS;
    this.idleTimeoutMs = action?.idle_timeout;
    this.streamTimeouts = compileRouteStreamTimeouts(action);
    // Route retry_policy wins entirely over the vhost's (Envoy buildRetryPolicy).
    this.retryPolicy = action?.retry_policy ?? scope.vhostConfig.retry_policy;
    // Mirror policies: route's, else inherited from the vhost (which inherits the route config's).
    this.mirrorPolicies =
      action?.request_mirror_policies && action.request_mirror_policies.length > 0 ? action.request_mirror_policies
      : scope.vhostConfig.request_mirror_policies && scope.vhostConfig.request_mirror_policies.length > 0 ? scope.vhostConfig.request_mirror_policies
      : scope.rcMirrorPolicies;
    this.hashPolicies = action?.hash_policy ?? NONE;
    this.clusterNotFoundResponseCode = notFoundStatus(action?.cluster_not_found_response_code);
    this.cluster = action !== undefined ? compileClusterSpecifier(action, this.perFilterConfig, ctx, `${path}.route`) : { kind: 'none' };
    this.weightedClusters = this.cluster.kind === 'weighted_clusters' ? this.cluster.clusters : NONE;

    // Path/host rewrites (RouteAction).
    this.prefixRewrite = action?.prefix_rewrite ?? '';
    this.regexRewrite = action?.regex_rewrite !== undefined ? compileRewrite(action.regex_rewrite, ctx, `${path}.route.regex_rewrite`) : undefined;
    this.regexRewriteSubstitution = action?.regex_rewrite?.substitution ?? '';
    if ((this.prefixRewrite !== '' ? 1 : 0) + (action?.regex_rewrite !== undefined ? 1 : 0) + (action?.path_rewrite_policy !== undefined ? 1 : 0) > 1) {
      report(ctx, 'error', 'route/rewrite-conflict', 'Specify only one of prefix_rewrite, regex_rewrite or path_rewrite_policy', `${path}.route`, action);
    }
    this.hostRewriteLiteral = action?.host_rewrite_literal;
    this.hostRewriteHeader = action?.host_rewrite_header?.toLowerCase();
    this.hostRewritePathRegex = action?.host_rewrite_path_regex !== undefined ? compileRewrite(action.host_rewrite_path_regex, ctx, `${path}.route.host_rewrite_path_regex`) : undefined;
    this.hostRewritePathSubstitution = action?.host_rewrite_path_regex?.substitution ?? '';
    this.autoHostRewrite = action?.auto_host_rewrite === true;
    this.appendXForwardedHost = action?.append_x_forwarded_host === true;

    // Redirect.
    const r = config.redirect;
    if (r !== undefined) {
      const regex = r.regex_rewrite !== undefined ? compileRewrite(r.regex_rewrite, ctx, `${path}.redirect.regex_rewrite`) : undefined;
      this.redirect = {
        config: r,
        status: redirectStatus(r.response_code),
        schemeRedirect: r.scheme_redirect ?? '',
        httpsRedirect: r.https_redirect === true,
        hostRedirect: r.host_redirect ?? '',
        portRedirect: r.port_redirect ? `:${r.port_redirect}` : '',
        pathRedirect: r.path_redirect ?? '',
        pathRedirectHasQuery: (r.path_redirect ?? '').includes('?'),
        prefixRewrite: r.prefix_rewrite ?? '',
        regexRewrite: regex,
        regexSubstitution: r.regex_rewrite?.substitution ?? '',
        stripQuery: r.strip_query === true,
      };
    }

    // Direct response.
    const dr = config.direct_response;
    this.directStatus = dr?.status ?? 0;
    let body: string | undefined;
    if (dr?.body !== undefined) {
      if (dr.body.inline_string !== undefined) body = dr.body.inline_string;
      else if (dr.body.inline_bytes !== undefined) body = new TextDecoder().decode(dr.body.inline_bytes);
      else if (dr.body.environment_variable !== undefined) {
        report(ctx, 'warning', 'unsupported/direct-response-env', 'direct_response body from environment_variable is not read by the core; the body is empty', `${path}.direct_response.body`, dr.body);
      }
      if (body !== undefined && new TextEncoder().encode(body).length > scope.maxDirectResponseBodySize) {
        report(ctx, 'error', 'route/direct-response-too-large', `response body size is ${new TextEncoder().encode(body).length} bytes; maximum is ${scope.maxDirectResponseBodySize}`, `${path}.direct_response.body`, dr.body);
      }
    }
    if (dr !== undefined && (dr.status < 200 || dr.status > 599)) {
      report(ctx, 'error', 'route/direct-response-status', `direct_response status ${dr.status} is out of range [200, 599]`, `${path}.direct_response.status`, dr, 'status');
    }
    this.directBody = body;
    this.directBodyFilename = dr?.body?.filename;

    this.requestGroup = compileHeaderMutationGroup(config.request_headers_to_add, config.request_headers_to_remove, ctx, path, 'request_headers_to_add', 'request_headers_to_remove');
    this.responseGroup = compileHeaderMutationGroup(config.response_headers_to_add, config.response_headers_to_remove, ctx, path, 'response_headers_to_add', 'response_headers_to_remove');
    // A route whose matchers failed to compile never matches.
    this.valid = !failedMatcher(ctx, diagCount, mp);
    this.scopeIgnorePathParameters = scope.ignorePathParameters;
    this.fastPrefix = kind === 'prefix' && this.caseSensitive && this.valid && !scope.ignorePathParameters ? value : undefined;
    this.hasRest =
      this.hasRuntime || this.grpc || this.headerMatchers.length > 0 || this.queryMatchers.length > 0 ||
      this.tlsPresented !== undefined || this.tlsValidated !== undefined || this.metadataMatchers.length > 0 || this.hasFilterState;
  }
  private readonly scopeIgnorePathParameters: boolean;
  /**
   * Hot-path shortcut: the prefix string when the path matcher is a plain case-sensitive
   * prefix (route() then calls startsWith directly), else undefined.
   */
  readonly fastPrefix: string | undefined;
  /** False when the route has no predicate besides the path (route() skips matchRest). */
  readonly hasRest: boolean;

  /** Where the route was written (computed on first use: positions are lazy in the loader). */
  get position(): SourcePosition | undefined {
    return posOf(this.config);
  }

  /** The path matcher alone; `pathOnly` has no query or fragment. */
  matchPath(pathOnly: string, method: string): boolean {
    if (!this.valid) return false;
    let p = pathOnly;
    if (this.scopeIgnorePathParameters) {
      const semi = p.indexOf(';');
      if (semi >= 0) p = p.slice(0, semi);
    }
    switch (this.pathKind) {
      case 'prefix':
        return this.caseSensitive ? p.startsWith(this.pathValue) : p.toLowerCase().startsWith(this.pathFolded);
      case 'path':
        return this.caseSensitive ? p === this.pathValue : p.length === this.pathValue.length && p.toLowerCase() === this.pathFolded;
      case 'safe_regex':
        return this.pathRegex !== undefined && regexFullMatch(this.pathRegex, p);
      case 'path_separated_prefix': {
        const n = this.pathValue.length;
        if (p.length < n) return false;
        const head = this.caseSensitive ? p.slice(0, n) : p.slice(0, n).toLowerCase();
        return head === this.pathFolded && (p.length === n || p.charCodeAt(n) === 47 /* / */);
      }
      case 'connect_matcher':
        return method === 'CONNECT';
      case 'path_template':
        return this.pathTemplate !== undefined && uriTemplateMatches(this.pathTemplate, p);
      case 'unsupported':
        return false;
    }
  }

  /** Envoy's Runtime::Snapshot::featureEnabled for runtime_fraction. */
  runtimeEnabled(req: RouteRequest, randomValue: number, tableRuntime: RuntimeValues): boolean {
    const key = this.runtimeKey ?? '';
    if (req.featureEnabled !== undefined) return req.featureEnabled(key, this.runtimeNumerator, this.runtimeDenominator, randomValue);
    let num = this.runtimeNumerator;
    let den = this.runtimeDenominator;
    const v = req.runtime?.[key] ?? tableRuntime[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) num = v;
    else if (typeof v === 'string' && /^\d+$/.test(v)) num = Number(v);
    else if (v !== null && typeof v === 'object') {
      const fp = v as { numerator?: unknown; denominator?: unknown };
      if (typeof fp.numerator === 'number') num = fp.numerator;
      if (typeof fp.denominator === 'string') den = fractionalPercentDenominator(fp.denominator as FractionalPercentDenominator);
    }
    return randomValue % den < num;
  }

  /** Every predicate other than the path, in Envoy's order (matchRoute). */
  matchRest(req: RouteRequest, randomValue: number, tableRuntime: RuntimeValues): boolean {
    if (this.hasRuntime && !this.runtimeEnabled(req, randomValue, tableRuntime)) return false;
    if (this.grpc && !isGrpcRequest(req)) return false;
    if (this.headerMatchers.length > 0 && !matchAllHeaders(this.headerMatchers, req)) return false;
    for (let i = 0; i < this.queryMatchers.length; i++) if (!this.queryMatchers[i].matches(req.path)) return false;
    if (this.tlsPresented !== undefined && this.tlsPresented !== (req.tls?.presented === true)) return false;
    if (this.tlsValidated !== undefined && this.tlsValidated !== (req.tls?.validated === true)) return false;
    for (let i = 0; i < this.metadataMatchers.length; i++) if (!this.metadataMatchers[i].matches(req.dynamicMetadata)) return false;
    return !this.hasFilterState;
  }

  /** Length of the path the matcher consumed, for prefix_rewrite (Envoy's `matched_path`). */
  matchedLength(pathOnly: string): number {
    switch (this.pathKind) {
      case 'prefix':
      case 'path':
      case 'path_separated_prefix':
        return this.pathValue.length;
      default:
        return pathOnly.length;
    }
  }
}

/** Grpc::Common::isGrpcRequestHeaders: content-type exactly application/grpc or application/grpc+... */
export function isGrpcRequest(req: RouteRequest): boolean {
  return hasGrpcContentType(requestHeaderValue(req, 'content-type'));
}
