/**
 * Routes many requests against one config, each exactly as `match` routes one (analyze.ts):
 * listener (by name, port, the port the log says the request came in on, or the Host's port),
 * filter chain, HTTP connection manager, route configuration, the HCM's Host normalisation
 * and request handling (core decodeRequestHeaders, as serve runs it: Host validation, path and host
 * normalisation, header mutation; a local reply stops the request), the request as
 * `buildRouteRequest` builds it, the core's `route()` through
 * core_adapter, and the router's outcome (`outcomeOf`: status, response flag, details). What
 * match does once per process is done once per config here: route tables are compiled up front
 * (their routes are what "never hit" is counted against), and a listener/chain/HCM choice is
 * cached per connection shape. Without a trace, route() uses the route index. Pure.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { HttpConnectionManager, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import { findHttpConnectionManager, listenerAddress, resolveRouteConfiguration, selectFilterChain, selectListener } from '../../core/listener_match.js';
import { finalizeRequest } from '../../core/route.js';
import type { RouteDecision, RouteEntry, RouteTable, VirtualHostEntry } from '../../core/route_types.js';
import { compileTable, routeRequest } from '../explain/core_adapter.js';
import { outcomeOf } from '../explain/outcome.js';
import type { OutcomeJson } from '../explain/report_types.js';
import { buildRouteRequest, connectionFor, requestAuthority, splitHostPort, type RequestInput } from '../explain/request.js';
import { compileHcmRequestConfig, decodeRequestHeaders, type HcmLocalReply, type HcmRequestConfig } from '../../core/hcm_request.js';
import { localReplyOutcome, OFFLINE_IDS } from '../explain/connection_manager.js';

/** How to pick the listener when the config has several (as match's --listener / --port). */
export interface RequestRouterOptions {
  readonly listenerName?: string;
  readonly port?: number;
  /** Envoy's own address (appended to XFF for a loopback peer), as match's serverAddress. */
  readonly serverAddress?: string;
}

/** One request to route: match's RequestInput plus what a log line may add. */
export interface RouterInput extends RequestInput {
  /** The listener port the request came in on (a log's %DOWNSTREAM_LOCAL_ADDRESS%), used when it names a listener. */
  readonly localPort?: number;
}

/** What the config does with a request. */
export interface RoutedOutcome {
  readonly kind: RouteDecision['kind'] | 'unrouted';
  /** Envoy's outcome (status null: forwarded upstream, the upstream answers). */
  readonly outcome: OutcomeJson;
  readonly routeConfiguration: string | null;
  readonly virtualHost: VirtualHostEntry | undefined;
  readonly route: RouteEntry | undefined;
  /** Cluster picked (forward), "" for a missing cluster_header, null otherwise. */
  readonly cluster: string | null;
  /** `weighted_clusters` as `a=30 b=70`, null when not weighted. */
  readonly weighted: string | null;
  /** Final :path and :authority upstream (forward), redirect Location, direct response status. */
  readonly path: string | null;
  readonly host: string | null;
  readonly location: string | null;
  /** Everything a client would notice, as one string: equal keys mean the same behaviour. */
  readonly key: string;
}

/** Per connection shape: where the request's routes come from, or why it has none. */
type Context =
  | {
      readonly ok: true;
      readonly table: RouteTable;
      readonly rcName: string;
      readonly hcm: HttpConnectionManager | undefined;
      readonly statPrefix: string | undefined;
      readonly listenerPort: number | undefined;
      /** The HCM's request handling, compiled once (undefined for a bare route configuration). */
      readonly hcmConfig: HcmRequestConfig | undefined;
      /** outcomeOf memoised per route and cluster (see RequestRouter.outcome). */
      readonly outcomes: Map<RouteEntry, Map<string, OutcomeJson>>;
    }
  | { readonly ok: false; readonly outcome: RoutedOutcome };

type OkContext = Extract<Context, { ok: true }>;

function okContext(
  table: RouteTable,
  rcName: string,
  hcm: HttpConnectionManager | undefined,
  listenerPort: number | undefined,
  hcmConfig?: HcmRequestConfig,
): OkContext {
  return { ok: true, table, rcName, hcm, statPrefix: hcm ? (hcm.stat_prefix ?? '') : undefined, listenerPort, hcmConfig, outcomes: new Map() };
}

const MAX_CACHED_CONTEXTS = 10_000;

export class RequestRouter {
  /** Compiled table per route configuration, in the config's order. */
  readonly tables: readonly { readonly rc: RouteConfiguration; readonly name: string; readonly table: RouteTable }[];
  readonly diagnostics: readonly Diagnostic[];
  private readonly tableOf = new Map<RouteConfiguration, RouteTable>();
  private readonly contexts = new Map<string, Context>();
  private readonly bareRoute: boolean;
  /** Clusters with a maintenance-mode runtime key: their outcome depends on the random value. */
  private readonly maintenance = new Set<string>();
  /** Whether a filter chain matches on the source address (else it is left out of the cache key). */
  private readonly sourceMatters: boolean;

  constructor(
    readonly config: LoadedConfig,
    private readonly options: RequestRouterOptions = {},
  ) {
    const tables = [];
    const diagnostics: Diagnostic[] = [];
    for (const rc of config.routeConfigurations) {
      // The HCM's host options are applied per request (decodeRequestHeaders), not compiled in.
      const c = compileTable(rc, config, undefined);
      diagnostics.push(...c.diagnostics);
      if (c.table === undefined) continue;
      this.tableOf.set(rc, c.table);
      tables.push({ rc, name: rc.name ?? '', table: c.table });
    }
    this.tables = tables;
    this.diagnostics = diagnostics;
    this.bareRoute = config.kind === 'route_configuration' || (config.listeners.length === 0 && config.routeConfigurations.length > 0);
    for (const k of Object.keys(config.runtime)) if (k.startsWith('upstream.maintenance_mode.')) this.maintenance.add(k.slice('upstream.maintenance_mode.'.length));
    this.sourceMatters = config.listeners.some(
      (l) =>
        (l as { filter_chain_matcher?: unknown }).filter_chain_matcher !== undefined ||
        (l.filter_chains ?? []).some((fc) => {
          const m = fc.filter_chain_match;
          return m !== undefined && (m.source_prefix_ranges?.length || m.direct_source_prefix_ranges?.length || m.source_ports?.length || (m.source_type ?? 'ANY') !== 'ANY');
        }),
    );
  }

  /** True when a route configuration does not compile (Envoy would reject the config). */
  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /**
   * Routes one request. `input.randomValue` drives runtime_fraction and weighted picks. With
   * `withKey`, the upstream path and host are computed (finalizeRequest) and `key` is set; else
   * `key`, `path` and `host` are empty (counting hits does not need them).
   */
  route(input: RouterInput, withKey = true): RoutedOutcome {
    const userAuthority = requestAuthority(input);
    const ctx = this.contextFor(input, userAuthority);
    if (!ctx.ok) return ctx.outcome;
    const request = buildRouteRequest(input, userAuthority, ctx.hcm === undefined);
    if (ctx.hcmConfig !== undefined) {
      // The connection manager's handling before routing, exactly as serve runs it.
      const handled = decodeRequestHeaders(request, { remoteAddress: request.remoteAddress ?? '', localPort: ctx.listenerPort }, input.scheme === 'https', ctx.hcmConfig, OFFLINE_IDS);
      if (handled.kind === 'local_reply') return localReplied(ctx, handled);
    }
    const decision = routeRequest(ctx.table, request, input.randomValue);
    const outcome = this.outcome(ctx, decision, input.randomValue, request.authority !== undefined);
    let path: string | null = null;
    let host: string | null = null;
    let location: string | null = null;
    let cluster: string | null = null;
    let weighted: string | null = null;
    let key: string;
    switch (decision.kind) {
      case 'forward': {
        cluster = decision.cluster;
        const res = decision.resolution;
        if (res.specifier === 'weighted_clusters') weighted = res.clusters.map((c) => `${c.name || `header:${c.clusterHeader}`}=${c.weight}`).join(' ');
        if (!withKey) {
          key = '';
          break;
        }
        const f = finalizeRequest(decision, request);
        path = f.path;
        host = f.authority;
        const target = weighted !== null ? `weighted(${weighted})` : res.specifier === 'cluster_header' ? `header ${res.header} -> "${cluster}"` : `"${cluster}"`;
        key = `${outcome.status === null ? 'forward' : `${outcome.status} ${outcome.response_flag}`} ${target} ${path} host ${host}`;
        break;
      }
      case 'redirect':
        location = decision.location;
        key = `redirect ${decision.status} ${location}`;
        break;
      case 'direct_response':
        key = `direct_response ${decision.status}`;
        break;
      case 'no_route':
        key = `404 NR ${decision.virtualHost ? 'no route' : 'no virtual host'}`;
        break;
    }
    return {
      kind: decision.kind,
      outcome,
      routeConfiguration: ctx.rcName,
      virtualHost: decision.virtualHost,
      route: decision.kind === 'no_route' ? undefined : decision.route,
      cluster,
      weighted,
      path,
      host,
      location,
      key,
    };
  }

  /**
   * outcomeOf, memoised per context, route and cluster for forwards (the outcome of a forward
   * depends on nothing else, except for a cluster in maintenance mode: the random value).
   */
  private outcome(ctx: OkContext, d: RouteDecision, randomValue: number, hasAuthority: boolean): OutcomeJson {
    if (d.kind !== 'forward' || this.maintenance.has(d.cluster)) return outcomeOf(d, this.config, ctx.statPrefix, randomValue, hasAuthority);
    let byCluster = ctx.outcomes.get(d.route);
    if (byCluster === undefined) ctx.outcomes.set(d.route, (byCluster = new Map()));
    let o = byCluster.get(d.cluster);
    if (o === undefined) {
      o = outcomeOf(d, this.config, ctx.statPrefix, randomValue, hasAuthority);
      byCluster.set(d.cluster, o);
    }
    return o;
  }

  /** Listener, chain, HCM and table for a request, as analyze() picks them (cached). */
  private contextFor(input: RouterInput, userAuthority: string | undefined): Context {
    if (this.bareRoute) {
      const cached = this.contexts.get('');
      if (cached) return cached;
      const rc = this.config.routeConfigurations[0]!;
      const ctx: Context = okContext(this.tableOf.get(rc)!, rc.name ?? '', undefined, undefined);
      this.contexts.set('', ctx);
      return ctx;
    }
    const listeners = this.config.listeners;
    let port = this.options.port;
    // With one listener there is nothing to choose (a port is only used when that listener has it).
    if (this.options.listenerName === undefined && port === undefined && listeners.length > 1) {
      // The port the request came in on, when the log says so and a listener listens there;
      // else the port the client connects to (from the Host and scheme), as match does.
      const hasPort = (p: number | undefined) => p !== undefined && listeners.some((l) => l.address?.socket_address?.port_value === p);
      const implied = (userAuthority === undefined ? undefined : splitHostPort(userAuthority).port) ?? (input.scheme === 'https' ? 443 : 80);
      if (hasPort(input.localPort)) port = input.localPort;
      else if (hasPort(implied)) port = implied;
    }
    // SNI only exists on TLS (connectionFor defaults it to the Host).
    const sni = input.scheme !== 'https' ? '' : (input.sni ?? (userAuthority !== undefined ? splitHostPort(userAuthority).host : ''));
    const key = `${port ?? ''}|${input.scheme}|${sni}|${this.sourceMatters ? (input.remoteAddress ?? '') : ''}`;
    const cached = this.contexts.get(key);
    if (cached) return cached;
    const ctx = this.resolveContext(input, userAuthority, port);
    if (this.contexts.size >= MAX_CACHED_CONTEXTS) this.contexts.clear();
    this.contexts.set(key, ctx);
    return ctx;
  }

  private resolveContext(input: RouterInput, userAuthority: string | undefined, port: number | undefined): Context {
    const chosen = selectListener(this.config.listeners, { name: this.options.listenerName, port });
    if (!chosen.listener) return unrouted('no_listener', chosen.reason);
    const l = chosen.listener;
    const { conn } = connectionFor(input, l, userAuthority);
    const fc = selectFilterChain(l, conn);
    if (!fc.chain) return unrouted('filter_chain_not_found', `listener ${l.name ?? listenerAddress(l)}: ${fc.reason}`);
    const found = findHttpConnectionManager(fc.chain);
    if (!found) return unrouted('no_http_connection_manager', `listener ${l.name ?? listenerAddress(l)}: the filter chain has no HTTP connection manager`);
    const res = resolveRouteConfiguration(found.hcm, this.config.routeConfigurations);
    const table = res.routeConfig ? this.tableOf.get(res.routeConfig) : undefined;
    if (!res.routeConfig || !table) return unrouted('no_route_configuration', res.problem ?? 'the route configuration does not compile');
    const hcmConfig = compileHcmRequestConfig(found.hcm, {
      runtime: this.config.runtime,
      serverAddress: this.options.serverAddress ?? '127.0.0.1',
      routeConfiguration: res.routeConfig,
    });
    return okContext(table, res.routeConfig.name ?? '', found.hcm, l.address?.socket_address?.port_value, hcmConfig);
  }
}

/** A request the connection manager answers itself (400 invalid Host, 307 normalised path ...). */
function localReplied(ctx: OkContext, reply: HcmLocalReply): RoutedOutcome {
  const outcome = localReplyOutcome(reply, ctx.statPrefix ?? '');
  return {
    kind: 'unrouted', outcome, routeConfiguration: ctx.rcName, virtualHost: undefined, route: undefined,
    cluster: null, weighted: null, path: null, host: null, location: reply.location ?? null,
    key: `${reply.status} ${outcome.response_flag} ${reply.details}${reply.location !== undefined ? ` ${reply.location}` : ''}`,
  };
}

function unrouted(details: string, summary: string): Context {
  const outcome: OutcomeJson = { status: null, response_flag: '-', details, stats: [], summary };
  return {
    ok: false,
    outcome: {
      kind: 'unrouted', outcome, routeConfiguration: null, virtualHost: undefined, route: undefined,
      cluster: null, weighted: null, path: null, host: null, location: null, key: `unrouted ${details}: ${summary}`,
    },
  };
}
