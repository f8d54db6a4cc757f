/**
 * The compiled route table and its virtual hosts (what compileRouteConfig in route.ts builds and
 * route() walks; route_trace.ts and unreached_routes.ts read them for explanations). Pure.
 */
import type { RouteConfiguration, VirtualHost } from '../config/types.js';
import type { SourcePosition } from '../config/diagnostic.js';
import type { RouteRequest, RouteTable, RuntimeValues, VirtualHostEntry } from './route_types.js';
import type { CompiledRoute } from './route_entry.js';
import { VirtualHostSelector } from './vhost_selector.js';
import { matchAllHeaders, type CompiledHeaderMatcher } from './header_matcher.js';
import type { HeaderMutationGroup } from './header_mutation.js';
import type { RouteIndex } from './route_index.js';
import { positionOf } from '../config/position.js';

/** A compiled virtual cluster. */
export interface CompiledVirtualCluster {
  readonly name: string;
  readonly headers: readonly CompiledHeaderMatcher[];
}

/** Compiled virtual host (implementation of VirtualHostEntry). */
export class CompiledVirtualHost implements VirtualHostEntry {
  routes: CompiledRoute[] = [];
  /** Exact-path map, prefix tries, regex set and header buckets, for large vhosts (route_index.ts). */
  routeIndex: RouteIndex | undefined;
  virtualClusters: CompiledVirtualCluster[] = [];
  requireTls: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  requestGroup: HeaderMutationGroup | undefined;
  responseGroup: HeaderMutationGroup | undefined;
  constructor(
    readonly config: VirtualHost,
    readonly index: number,
  ) {
    this.requireTls = config.require_tls ?? 'NONE';
  }
  get name(): string {
    return this.config.name;
  }
  get position(): SourcePosition | undefined {
    return positionOf(this.config);
  }
  get hasVirtualClusters(): boolean {
    return this.virtualClusters.length > 0;
  }
  get includeRequestAttemptCount(): boolean {
    return this.config.include_request_attempt_count === true;
  }
  get includeAttemptCountInResponse(): boolean {
    return this.config.include_attempt_count_in_response === true;
  }

  /** Envoy's VirtualHostImpl::virtualClusterFromEntries: first match, else `other` when any are declared. */
  virtualClusterName(req: RouteRequest): string | undefined {
    const vcs = this.virtualClusters;
    if (vcs.length === 0) return undefined;
    for (let i = 0; i < vcs.length; i++) if (matchAllHeaders(vcs[i].headers, req)) return vcs[i].name;
    return 'other';
  }
}

/** The compiled table (implementation of RouteTable). */
export class CompiledRouteTable implements RouteTable {
  readonly virtualHosts: CompiledVirtualHost[] = [];
  readonly selector = new VirtualHostSelector<CompiledVirtualHost>();
  /** Lowercased `internal_only_headers`: serve strips them from external requests. */
  readonly internalOnlyHeaders: readonly string[];
  constructor(
    readonly config: RouteConfiguration,
    readonly ignorePortInHostMatching: boolean,
    readonly runtime: RuntimeValues,
  ) {
    this.internalOnlyHeaders = (config.internal_only_headers ?? []).map((h) => h.toLowerCase());
  }
  get name(): string {
    return this.config.name ?? '';
  }
}
