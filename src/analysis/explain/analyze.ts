/**
 * `match` and `explain` as one pure computation: pick the listener and filter chain, find the
 * HTTP connection manager and its route configuration, route the request through the core's
 * route() with a trace, and describe what Envoy would do. The CLI only formats the result.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { HttpConnectionManager, Listener, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import { positionOf } from '../../config/position.js';
import {
  findHttpConnectionManager,
  listenerAddress,
  resolveRouteConfiguration,
  selectFilterChain,
  selectListener,
} from '../../core/listener_match.js';
import { bareRouteConfig, routeConfigTarget } from '../../core/route_config_choice.js';
import { suggest } from '../../config/suggest.js';
import type { RouteDecision, RouteRequest, RouteTrace, TraceStep } from '../../core/route_types.js';
import { compileTable, routeRequest } from './core_adapter.js';
import { unreachedMatchingRoutes } from '../../core/unreached_routes.js';
import { clusterSpecifierPluginOutcome, upgradeAfterRoute, upgradeReply } from './serve_gaps.js';
import { actionOf, emptyAction } from './action.js';
import { httpFiltersFor, type FilterClassifier } from './http_filters.js';
import { findNearMisses } from './near_miss.js';
import { outcomeOf } from './outcome.js';
import type {
  ConnectionManagerJson,
  ExplainReport,
  ListenerJson,
  MatchReport,
  OutcomeJson,
  PositionJson,
  TraceStepJson,
} from './report_types.js';
import { buildRouteRequest, connectionFor, requestAuthority, splitHostPort, type RequestInput } from './request.js';
import { applyConnectionManager, DEFAULT_REMOTE_ADDRESS, localReplyOutcome, trustSentence } from './connection_manager.js';
import type { HcmLocalReply } from '../../core/hcm_request.js';
import type { IpPort } from '../../core/ip_port.js';
import { originalDstClusterNote, replayOriginalDst, withRestoredDestination } from './original_dst.js';

export interface AnalyzeOptions {
  readonly listenerName?: string;
  readonly port?: number;
  /** `--route-config NAME`: route with this route configuration (a dump holds many). */
  readonly routeConfigName?: string;
  readonly classify: FilterClassifier;
  /**
   * Envoy's own address, appended to x-forwarded-for for a loopback peer under use_remote_address
   * (the CLI passes the host's, as serve uses); default 127.0.0.1.
   */
  readonly serverAddress?: string;
  /** `--original-dst`: the destination before iptables REDIRECT; the hand-off picks the listener. */
  readonly originalDst?: IpPort;
  /**
   * Whether to record the decision chain: `steps`, `near_misses` and `unreached_routes` (explain).
   * Default true. `match` passes false: its report leaves them out, and tracing every route of a
   * large virtual host (near misses, regex partial matches) is most of the routing time.
   */
  readonly decisionChain?: boolean;
}

/** Either a report (exit 0 matched / 1 not), or an error that makes the question unanswerable (exit 2). */
export type AnalyzeResult =
  | { readonly ok: true; readonly report: ExplainReport; readonly diagnostics: Diagnostic[] }
  | { readonly ok: false; readonly error: string; readonly diagnostics: Diagnostic[] };

function pos(p: { file: string; line: number; col: number } | undefined): PositionJson | null {
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

/** Runs the whole question. Never throws for bad input: errors come back as `ok: false`. */
export function analyze(config: LoadedConfig, input: RequestInput, opts: AnalyzeOptions): AnalyzeResult {
  const notes: string[] = [];
  let listenerJson: ListenerJson | null = null;
  let hcm: HttpConnectionManager | undefined;
  let hcmJson: ConnectionManagerJson | null = null;
  let rc: RouteConfiguration | undefined;
  let listener: Listener | undefined;
  /** The original destination once restored (the local address the connection manager sees). */
  let restoredDst: IpPort | undefined;
  const userAuthority = requestAuthority(input);
  // --route-config: follow the one listener that routes with it, else use it on its own.
  const byName = opts.routeConfigName === undefined || opts.listenerName !== undefined || opts.port !== undefined || config.listeners.length === 0
    ? undefined
    : routeConfigTarget(config.listeners, config.routeConfigurations, opts.routeConfigName, suggest);
  if (byName?.kind === 'error') return { ok: false, error: byName.reason, diagnostics: [] };
  if (byName?.kind === 'listener') opts = { ...opts, listenerIndex: byName.index } as AnalyzeOptions;

  if (byName?.kind === 'route_config') {
    rc = byName.routeConfig;
    notes.push(byName.note);
  } else if (config.kind === 'route_configuration' || (config.listeners.length === 0 && config.routeConfigurations.length > 0)) {
    if (opts.listenerName !== undefined || opts.port !== undefined || opts.originalDst !== undefined) {
      const flags = opts.originalDst !== undefined ? '--original-dst needs' : '--listener/--port need';
      return { ok: false, error: `${flags} a Bootstrap or config dump; ${config.file} has no listeners`, diagnostics: [] };
    }
    const bare = bareRouteConfig(config.routeConfigurations, opts.routeConfigName, suggest);
    if (!bare.routeConfig) return { ok: false, error: `${config.file}: ${bare.reason}`, diagnostics: [] };
    rc = bare.routeConfig;
    if (config.kind !== 'route_configuration') notes.push(`the config has no listeners: using route configuration "${rc.name ?? ''}" (${bare.reason})`);
  } else {
    // Without --listener/--port, the client connects to the Host's port (or the scheme's
    // default): when a listener listens there, that is the listener the request reaches.
    let port = opts.port;
    let impliedPort = false;
    const li = (opts as { listenerIndex?: number }).listenerIndex;
    if (opts.listenerName === undefined && port === undefined && li === undefined && opts.originalDst === undefined) {
      const p = input.destinationPort ?? (userAuthority === undefined ? undefined : splitHostPort(userAuthority).port) ?? (input.scheme === 'https' ? 443 : 80);
      if (config.listeners.some((l) => l.address?.socket_address?.port_value === p)) {
        port = p;
        impliedPort = true;
      }
    }
    // --original-dst: the listener the connection is handed off to, as serve does.
    const od = opts.originalDst === undefined ? undefined : replayOriginalDst(config.listeners, opts.originalDst, { name: opts.listenerName, port });
    if (od !== undefined && 'error' in od) return { ok: false, error: od.error, diagnostics: [] };
    restoredDst = od?.restored;
    const chosen = od?.selection ?? (li !== undefined
      ? { listener: config.listeners[li], index: li, reason: `routes with route configuration "${opts.routeConfigName}" (--route-config)` }
      : selectListener(config.listeners, { name: opts.listenerName, port }));
    if (!chosen.listener) return { ok: false, error: chosen.reason, diagnostics: [] };
    if ('ambiguous' in chosen && chosen.ambiguous) notes.push(`the listener is ${chosen.reason}`);
    listener = chosen.listener;
    const from = input.destinationPort !== undefined ? '--dest-port' : 'the Host and scheme';
    const sel = impliedPort ? { ...chosen, reason: `${chosen.reason}, the port the client connects to (from ${from})` } : chosen;
    const { conn: direct, notes: connNotes } = connectionFor(input, chosen.listener, userAuthority);
    const conn = withRestoredDestination(direct, od?.restored);
    notes.push(...connNotes);
    const fc = selectFilterChain(chosen.listener, conn);
    const l: Listener = chosen.listener;
    listenerJson = {
      name: l.name ?? null,
      index: sel.index,
      address: listenerAddress(l),
      reason: sel.reason,
      position: pos(positionOf(l)),
      ...(od !== undefined ? { original_dst: od.json } : {}),
      ...(fc.matcher !== undefined
        ? {
            filter_chain_matcher: {
              action: fc.matcher.actionName ?? null,
              chain: fc.matcher.chainName ?? null,
              steps: fc.matcher.steps.map((s) => ({ path: s.path, text: s.text, position: s.position ? { ...s.position } : null })),
            },
          }
        : {}),
      filter_chain: {
        name: fc.chain?.name ?? null,
        index: fc.index,
        is_default: fc.isDefault,
        reason: fc.reason,
        steps: fc.steps.map((s) => ({
          criterion: s.criterion,
          connection_value: s.connectionValue,
          remaining: [...s.remaining],
          dropped: [...s.dropped],
        })),
      },
    };
    if (!fc.chain) {
      listenerJson.filter_chain = null;
      return unrouted(config, input, userAuthority, listenerJson, null, notes, {
        status: null,
        response_flag: '-',
        details: 'filter_chain_not_found',
        // Listener stats live under `listener.<stat_prefix>.`, by default the address as `ip_port`.
        stats: [`listener.${l.stat_prefix ?? listenerAddress(l).replace(/:/g, '_')}.no_filter_chain_match`],
        summary: `${fc.reason}`,
      });
    }
    const found = findHttpConnectionManager(fc.chain);
    if (!found) {
      return unrouted(config, input, userAuthority, listenerJson, null, notes, {
        status: null,
        response_flag: '-',
        details: 'no_http_connection_manager',
        stats: [],
        summary: 'the filter chain has no HTTP connection manager: the connection is not HTTP-routed',
      });
    }
    hcm = found.hcm;
    const res = resolveRouteConfiguration(hcm, config.routeConfigurations);
    hcmJson = {
      stat_prefix: hcm.stat_prefix ?? '',
      route_config_source: res.source,
      route_config_name: res.rdsName ?? res.routeConfig?.name ?? null,
      strip_matching_host_port: hcm.strip_matching_host_port === true,
      strip_any_host_port: hcm.strip_any_host_port === true,
      position: pos(positionOf(found.filter)),
      request_handling: null,
    };
    if (!res.routeConfig) return { ok: false, error: res.problem ?? 'no route configuration', diagnostics: [] };
    rc = res.routeConfig;
    if (opts.routeConfigName !== undefined && rc.name !== opts.routeConfigName) {
      return { ok: false, error: `listener "${l.name ?? ''}" routes with route configuration "${rc.name ?? ''}", not "${opts.routeConfigName}" (--route-config)`, diagnostics: [] };
    }
  }

  // Routed once, with a trace or as one scan: the route index is not worth building.
  const compiled = compileTable(rc, config, hcm, true);
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (!compiled.table || compileErrors.length > 0) {
    return { ok: false, error: 'the route configuration does not compile', diagnostics: compiled.diagnostics };
  }
  const table = compiled.table;
  const listenerPort = restoredDst?.port ?? listener?.address?.socket_address?.port_value;
  const request = buildRouteRequest(input, userAuthority, hcm === undefined);
  let localReply: HcmLocalReply | undefined;
  if (hcm !== undefined && hcmJson !== null) {
    // serve answers an upgrade request before the connection manager's request handling, which
    // then leaves the request as sent (run on a copy only for the report's settings).
    const upgrade = upgradeReply(request, hcm, rc);
    // The connection manager's own handling, exactly as serve runs it on a live request.
    const run = applyConnectionManager(hcm, upgrade === undefined ? request : { ...request, headers: { ...request.headers } }, {
      remoteAddress: input.remoteAddress ?? DEFAULT_REMOTE_ADDRESS,
      tls: input.scheme === 'https',
      listenerPort,
      serverAddress: opts.serverAddress ?? '127.0.0.1',
      config,
      randomValue: input.randomValue,
      routeConfiguration: rc,
    });
    hcmJson.request_handling = upgrade === undefined
      ? run.handling
      : {
          ...run.handling,
          path: run.handling.original_path,
          path_steps: [],
          authority: run.handling.original_authority,
          header_changes: [],
          internal: null,
          edge: null,
          local_reply: { status: upgrade.status, details: upgrade.details, stat: null, location: null, protocol_error: false },
        };
    localReply = upgrade ?? run.localReply;
    const h = run.handling;
    if (localReply === undefined && h.authority !== h.original_authority) {
      notes.push(`the HTTP connection manager normalizes the Host (strip_*_host_port / strip_trailing_host_dot): Host "${h.original_authority}" is routed as "${h.authority}"`);
    }
    if (h.path_steps.length > 0 && localReply === undefined) notes.push(`the HTTP connection manager normalizes the path: "${h.original_path}" is routed and forwarded as "${h.path}"`);
    // Who the request is from matters when it decided what was kept: say it then.
    if (localReply === undefined && (h.internal === true || h.header_changes.some((c) => c.after === null))) notes.push(trustSentence(h));
  }
  if (localReply !== undefined) return stoppedByConnectionManager(config, input, request, listenerJson, hcmJson, rc, notes, localReply);
  const chain = opts.decisionChain !== false;
  const trace: RouteTrace = { steps: [] };
  const decision = routeRequest(table, request, input.randomValue, chain ? trace : undefined);

  const statPrefix = hcm ? (hcm.stat_prefix ?? '') : undefined;
  if (!hcm) notes.push('a bare RouteConfiguration has no HTTP connection manager: stats show <stat_prefix>');
  let outcome = outcomeOf(decision, config, statPrefix, input.randomValue, request.authority !== undefined);
  const plugin = clusterSpecifierPluginOutcome(decision, rc, statPrefix);
  if (plugin !== undefined) {
    outcome = plugin.outcome;
    notes.push(plugin.note);
  }
  const upgrade = upgradeAfterRoute(request, hcm, decision);
  if (upgrade !== undefined) {
    if (upgrade.outcome !== undefined) outcome = upgrade.outcome;
    notes.push(upgrade.note);
  }
  const action = actionOf(decision, request, config, notes);
  if (
    outcome.details === 'cluster_not_found' &&
    decision.kind === 'forward' &&
    decision.cluster !== '' &&
    decision.resolution.specifier !== 'cluster_header' &&
    hcmJson?.route_config_source === 'inline' &&
    rc.validate_clusters !== false
  ) {
    // RouteConfiguration.validate_clusters defaults to true for a static (inline) route_config.
    notes.push(
      `Envoy would refuse to load this config: validate_clusters defaults to true for an inline route_config, and cluster "${decision.cluster}" is not defined (with validate_clusters: false it loads and this request gets ${outcome.status} NC)`,
    );
  }
  const odNote = decision.kind === 'forward' ? originalDstClusterNote(config, decision.cluster, restoredDst, request.headers) : undefined;
  if (odNote !== undefined) notes.push(odNote);
  const perFilter = decision.kind === 'forward' ? decision.perFilterConfig : decision.kind !== 'no_route' ? decision.route?.perFilterConfig : undefined;
  const nearMisses = chain ? findNearMisses({ request, steps: trace.steps, hcm, listenerPort }) : [];
  const route = decision.kind === 'no_route' ? undefined : decision.route;
  const vh = decision.virtualHost;
  const report: ExplainReport = {
    schema: 'tsproxy.explain/v1',
    config: { file: config.file, kind: config.kind },
    request: requestJson(request, input.randomValue),
    listener: listenerJson,
    connection_manager: hcmJson,
    route_configuration: { name: rc.name ?? null, position: pos(positionOf(rc)) },
    matched: decision.kind !== 'no_route',
    virtual_host: vh ? { name: vh.name, index: vh.index, position: pos(vh.position) } : null,
    route: route
      ? { name: route.name ?? null, index: route.index, label: route.name ?? `#${route.index}`, position: pos(route.position) }
      : null,
    action,
    http_filters: httpFiltersFor(hcm?.http_filters ?? [], perFilter, opts.classify),
    outcome,
    notes,
    steps: trace.steps.map(stepJson),
    near_misses: nearMisses,
    unreached_routes: (chain ? unreachedMatchingRoutes(table, decision, request, input.randomValue) : []).map((u) => ({
      name: u.name.startsWith('#') ? null : u.name,
      index: u.index,
      label: u.name,
      reason: u.reason,
      position: pos(u.position),
    })),
  };
  return { ok: true, report, diagnostics: compiled.diagnostics };
}

/** A request the connection manager answers itself (400 / 404 / 307): nothing is routed. */
function stoppedByConnectionManager(
  config: LoadedConfig,
  input: RequestInput,
  request: RouteRequest,
  listener: ListenerJson | null,
  hcm: ConnectionManagerJson | null,
  rc: RouteConfiguration,
  notes: string[],
  reply: HcmLocalReply,
): AnalyzeResult {
  const rcJson = { name: rc.name ?? null, position: pos(positionOf(rc)) };
  return notRoutedReport(config, input, request, listener, hcm, rcJson, notes, localReplyOutcome(reply, hcm?.stat_prefix ?? '<stat_prefix>'));
}

/** The match report: the explain report without the decision chain. */
export function toMatchReport(r: ExplainReport): MatchReport {
  const { steps: _s, near_misses: _n, unreached_routes: _u, schema: _x, ...rest } = r;
  return { schema: 'tsproxy.match/v1', ...rest };
}

function unrouted(
  config: LoadedConfig,
  input: RequestInput,
  authority: string | undefined,
  listener: ListenerJson,
  hcm: ConnectionManagerJson | null,
  notes: string[],
  outcome: OutcomeJson,
): AnalyzeResult {
  return notRoutedReport(config, input, buildRouteRequest(input, authority), listener, hcm, null, notes, outcome);
}

/** The report of a request that reached no route: answered before routing, or with nothing to route it. */
function notRoutedReport(
  config: LoadedConfig,
  input: RequestInput,
  request: RouteRequest,
  listener: ListenerJson | null,
  hcm: ConnectionManagerJson | null,
  routeConfiguration: ExplainReport['route_configuration'],
  notes: string[],
  outcome: OutcomeJson,
): AnalyzeResult {
  return {
    ok: true,
    diagnostics: [],
    report: {
      schema: 'tsproxy.explain/v1',
      config: { file: config.file, kind: config.kind },
      request: requestJson(request, input.randomValue),
      listener,
      connection_manager: hcm,
      route_configuration: routeConfiguration,
      matched: false,
      virtual_host: null,
      route: null,
      action: emptyAction('no_route', request),
      http_filters: [],
      outcome,
      notes,
      steps: [],
      near_misses: [],
      unreached_routes: [],
    },
  };
}

function requestJson(r: RouteRequest, randomValue: number): ExplainReport['request'] {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  return { authority: r.authority ?? null, path: r.path, method: r.method, scheme: r.scheme, headers, random_value: randomValue };
}

function stepJson(s: TraceStep): TraceStepJson {
  return {
    kind: s.kind,
    name: s.name,
    index: s.index,
    matched: s.matched,
    reason: s.reason,
    predicate: s.predicate ?? null,
    near_miss: s.nearMiss ?? null,
    position: pos(s.position),
  };
}
