/**
 * Trace recording for route(): what was tried and why it missed, with config positions and
 * near-miss hints. Only called when a trace sink is passed, so it may allocate freely.
 */
import type { ForwardDecision, RouteRequest, RouteTrace, RuntimeValues, TraceStep } from './route_types.js';
import type { CompiledRoute } from './route_entry.js';
import { isGrpcRequest } from './route_entry.js';
import type { CompiledRouteTable, CompiledVirtualHost } from './route_table.js';
import { posOf } from './compile_context.js';
import { portStart } from './vhost_selector.js';
import { requestHeaderValue } from './header_matcher.js';
import { uriTemplateCaptures } from './uri_template.js';
import { regexFirstMatch, regexFullMatch } from './regex.js';

/** How `domain` matches `host` (both lowercased), or undefined. Mirrors findVirtualHost's rules. */
export function domainMatch(domain: string, host: string): 'exact' | 'suffix_wildcard' | 'prefix_wildcard' | 'default' | undefined {
  if (domain === '*') return 'default';
  if (domain === host) return 'exact';
  if (domain.length > 1 && domain.startsWith('*')) {
    const suffix = domain.slice(1);
    return suffix.length < host.length && host.endsWith(suffix) ? 'suffix_wildcard' : undefined;
  }
  if (domain.length > 1 && domain.endsWith('*')) {
    const prefix = domain.slice(0, -1);
    return prefix.length < host.length && host.startsWith(prefix) ? 'prefix_wildcard' : undefined;
  }
  return undefined;
}

function stripPort(h: string): string {
  const p = portStart(h);
  return p >= 0 ? h.slice(0, p) : h;
}

function domainNearMiss(domains: readonly string[], host: string, table: CompiledRouteTable): string | undefined {
  const hostNoPort = stripPort(host);
  for (const d of domains) {
    const dl = d.toLowerCase();
    if (hostNoPort !== host && domainMatch(dl, hostNoPort) !== undefined && !table.ignorePortInHostMatching) {
      return `Host "${host}" carries a port; domain "${d}" would match "${hostNoPort}". The port is part of the Host unless ignore_port_in_host_matching (or the HCM's strip_any_host_port / strip_matching_host_port) is set`;
    }
    const dNoPort = stripPort(dl);
    if (dNoPort !== dl && hostNoPort === host && domainMatch(dNoPort, host) !== undefined) {
      return `domain "${d}" carries a port; the request's Host "${host}" has none`;
    }
    if (dl.startsWith('*') && dl.slice(1) === host) {
      return `wildcard "${d}" never matches an empty label: "${host}" is not covered`;
    }
  }
  return undefined;
}

export function traceNoVirtualHost(t: CompiledRouteTable, req: RouteRequest, trace: RouteTrace): void {
  if (req.authority === undefined) {
    trace.steps.push({ kind: 'virtual_host', name: '', index: -1, matched: false, predicate: 'authority', reason: 'the request has no :authority (Host): Envoy selects no virtual host' });
    return;
  }
  const host = req.authority.toLowerCase();
  const matchHost = t.ignorePortInHostMatching ? stripPort(host) : host;
  for (const vh of t.virtualHosts) {
    const step: TraceStep = {
      kind: 'virtual_host', name: vh.name, index: vh.index, matched: false, predicate: 'domain',
      reason: `no domain of [${vh.config.domains.map((d) => JSON.stringify(d)).join(', ')}] matches host "${matchHost}"`,
      position: posOf(vh.config, 'domains'),
    };
    const nm = domainNearMiss(vh.config.domains, matchHost, t);
    if (nm !== undefined) step.nearMiss = nm;
    trace.steps.push(step);
  }
  if (!t.selector.hasDefault) {
    trace.steps.push({
      kind: 'virtual_host', name: '*', index: -1, matched: false, predicate: 'default_virtual_host',
      reason: 'no virtual host has domain "*"', nearMiss: 'no virtual host has the "*" domain, so a request for an unknown host gets 404 NR',
    });
  }
}

export function traceVirtualHost(t: CompiledRouteTable, chosen: CompiledVirtualHost, req: RouteRequest, trace: RouteTrace): void {
  const host = req.authority === undefined ? '' : req.authority.toLowerCase();
  const matchHost = t.ignorePortInHostMatching ? stripPort(host) : host;
  const sel = req.authority === undefined ? undefined : t.selector.selectWithKind(matchHost);
  for (const vh of t.virtualHosts) {
    if (vh === chosen) {
      const how =
        req.authority === undefined ? 'the only virtual host is "*" (selected even without :authority)'
        : sel === undefined ? 'selected'
        : sel.kind === 'exact' ? `domain "${sel.domain}" matches host "${matchHost}" exactly`
        : sel.kind === 'suffix_wildcard' ? `suffix wildcard "${sel.domain}" is the longest matching "${matchHost}"`
        : sel.kind === 'prefix_wildcard' ? `prefix wildcard "${sel.domain}" is the longest matching "${matchHost}"`
        : `default virtual host "*": no other domain matches "${matchHost}"`;
      trace.steps.push({ kind: 'virtual_host', name: vh.name, index: vh.index, matched: true, predicate: 'domain', reason: how, position: posOf(vh.config, 'domains') });
      continue;
    }
    const alsoMatching = vh.config.domains.find((d) => domainMatch(d.toLowerCase(), matchHost) !== undefined);
    trace.steps.push({
      kind: 'virtual_host', name: vh.name, index: vh.index, matched: false, predicate: 'domain',
      reason: alsoMatching !== undefined
        ? `domain "${alsoMatching}" also matches but "${chosen.name}" is more specific (exact, then longest *.suffix, then longest prefix.*, then *)`
        : `no domain of [${vh.config.domains.map((d) => JSON.stringify(d)).join(', ')}] matches host "${matchHost}"`,
      position: posOf(vh.config, 'domains'),
    });
  }
}

function describePathMatcher(r: CompiledRoute): string {
  switch (r.pathKind) {
    case 'connect_matcher':
      return 'connect_matcher';
    case 'path_template':
      return `path_match_policy URI template ${JSON.stringify(r.pathValue)}`;
    case 'unsupported':
      return 'an unsupported path matcher';
    default:
      return `${r.pathKind} ${JSON.stringify(r.pathValue)}${r.caseSensitive ? '' : ' (case_sensitive: false)'}`;
  }
}

function pathNearMiss(r: CompiledRoute, p: string, withQuery: string): string | undefined {
  const v = r.pathValue;
  if (r.pathKind === 'safe_regex' && r.pathRegex !== undefined) {
    // Envoy's safe_regex is RE2::FullMatch on the path without its query.
    if (withQuery !== p && regexFullMatch(r.pathRegex, withQuery)) {
      return `safe_regex ${JSON.stringify(v)} matches "${withQuery}" only with the query string, which is not part of the path it must match ("${p}"); match the query with query_parameters`;
    }
    const part = regexFirstMatch(r.pathRegex, p);
    if (part !== undefined && part.text !== '') {
      const where = part.index === 0 ? 'its start' : part.index + part.text.length === p.length ? 'its end' : `offset ${part.index}`;
      return `safe_regex ${JSON.stringify(v)} must match the whole path (query excluded) but matches only "${part.text}" of "${p}" (at ${where}); extend the regex (e.g. ".*" at the end) if this route should take such paths`;
    }
    return undefined;
  }
  if (r.pathKind === 'prefix' || r.pathKind === 'path_separated_prefix' || r.pathKind === 'path') {
    const pl = p.toLowerCase();
    const vl = v.toLowerCase();
    const caseOnly = r.pathKind === 'path' ? pl === vl : pl.startsWith(vl);
    if (r.caseSensitive && caseOnly) return `"${p}" differs from ${r.pathKind} "${v}" only in case (case_sensitive is true)`;
    if (v.endsWith('/') && p === v.slice(0, -1)) return `"${p}" misses ${r.pathKind} "${v}" only by the trailing slash`;
    if (r.pathKind === 'path' && p === v + '/') return `"${p}" has a trailing slash that path "${v}" does not`;
    if (r.pathKind === 'path_separated_prefix' && p.startsWith(v) && p.length > v.length) return `path_separated_prefix "${v}" needs "/" after it; "${p}" continues with "${p[v.length]}"`;
  }
  return undefined;
}

/** Records one route step: matched, or the first predicate that rejected it. */
export function traceRoute(r: CompiledRoute, req: RouteRequest, pathOnly: string, randomValue: number, runtime: RuntimeValues, ok: boolean, trace: RouteTrace): void {
  const name = r.name ?? `#${r.index}`;
  const m = r.config.match ?? {};
  const base = { kind: 'route' as const, name, index: r.index };
  if (ok) {
    // URI templates: the captures, as the rewrite will use them.
    const captures = r.pathTemplate ? uriTemplateCaptures(r.pathTemplate, pathOnly) : undefined;
    const capText = captures && Object.keys(captures).length > 0 ? ` (${Object.entries(captures).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})` : '';
    trace.steps.push({ ...base, matched: true, reason: `matched ${describePathMatcher(r)}${capText}`, predicate: r.pathKind, position: posOf(r.config) });
    return;
  }
  const push = (predicate: string, reason: string, field: string | undefined, node: object | undefined, nearMiss?: string): void => {
    const step: TraceStep = { ...base, matched: false, predicate, reason, position: posOf(node, field) ?? posOf(r.config) };
    if (nearMiss !== undefined) step.nearMiss = nearMiss;
    trace.steps.push(step);
  };
  if (!r.matchPath(pathOnly, req.method)) {
    const field = r.pathKind === 'unsupported' ? undefined : r.pathKind;
    const reason =
      r.pathKind === 'connect_matcher' ? `connect_matcher needs method CONNECT, got ${req.method}`
      : r.pathKind === 'safe_regex' && r.pathRegex === undefined ? `safe_regex ${JSON.stringify(r.pathValue)} failed to compile; the route never matches`
      : `${describePathMatcher(r)} does not match "${pathOnly}"`;
    push(r.pathKind, reason, field, m, pathNearMiss(r, pathOnly, req.path));
    return;
  }
  if (m.runtime_fraction !== undefined && !r.runtimeEnabled(req, randomValue, runtime)) {
    push('runtime_fraction', `runtime_fraction ${JSON.stringify(r.runtimeKey ?? '')} (${r.runtimeNumerator}/${r.runtimeDenominator}) is off for random value ${randomValue}`, 'runtime_fraction', m);
    return;
  }
  if (r.grpc && !isGrpcRequest(req)) {
    push('grpc', `grpc: content-type ${JSON.stringify(requestHeaderValue(req, 'content-type') ?? '')} is not application/grpc`, 'grpc', m);
    return;
  }
  for (let i = 0; i < r.headerMatchers.length; i++) {
    const h = r.headerMatchers[i];
    if (!h.matches(req)) {
      const value = requestHeaderValue(req, h.name);
      const absent = value === undefined;
      push(
        'header',
        `${h.describe()} fails: ${absent ? 'header is absent' : `value is ${JSON.stringify(value)}`}`,
        undefined,
        m.headers?.[i],
        absent && !(h.kind === 'present_match' && h.invert === false && h.config.present_match === false) ? `header "${h.name}" is absent from the request` : undefined,
      );
      return;
    }
  }
  for (let i = 0; i < r.queryMatchers.length; i++) {
    if (!r.queryMatchers[i].matches(req.path)) {
      push('query_parameter', `${r.queryMatchers[i].describe()} fails`, undefined, m.query_parameters?.[i]);
      return;
    }
  }
  if ((r.tlsPresented !== undefined && r.tlsPresented !== (req.tls?.presented === true)) || (r.tlsValidated !== undefined && r.tlsValidated !== (req.tls?.validated === true))) {
    push('tls_context', `tls_context ${JSON.stringify(m.tls_context)} does not match the connection (${req.tls === undefined ? 'no TLS' : JSON.stringify(req.tls)})`, 'tls_context', m);
    return;
  }
  for (let i = 0; i < r.metadataMatchers.length; i++) {
    if (!r.metadataMatchers[i].matches(req.dynamicMetadata)) {
      push('dynamic_metadata', `${r.metadataMatchers[i].describe()} does not match`, undefined, (m.dynamic_metadata as object[] | undefined)?.[i]);
      return;
    }
  }
  if (r.hasFilterState) {
    push('filter_state', 'filter_state matchers never match in tsproxy (no filter state is kept)', 'filter_state', m);
    return;
  }
  push('unknown', 'did not match', undefined, r.config);
}

/** Records how a forward decision's cluster was resolved (and the virtual cluster, if any). */
export function traceCluster(d: ForwardDecision, trace: RouteTrace): void {
  const r = d.resolution;
  let reason: string;
  let nearMiss: string | undefined;
  switch (r.specifier) {
    case 'cluster':
      reason = `cluster "${d.cluster}"`;
      break;
    case 'cluster_header':
      reason = d.cluster === '' ? `cluster_header "${r.header}" is absent: cluster name is ""` : `cluster_header "${r.header}" names cluster "${d.cluster}"`;
      if (d.cluster === '') nearMiss = `header "${r.header}" is absent, so the cluster name is empty and the request gets 503 NC cluster_not_found`;
      break;
    case 'weighted_clusters': {
      const weights = r.clusters.map((c) => `${c.clusterHeader !== undefined ? `header:${c.clusterHeader}` : c.name}=${c.weight}`).join(', ');
      reason = `weighted_clusters [${weights}] total ${r.totalWeight}: ${r.valueSource} value ${r.value} % ${r.totalWeight} = ${r.selector} picks #${r.pickedIndex} "${d.cluster}"`;
      break;
    }
    case 'unsupported':
      reason = `${r.field} is not implemented by tsproxy: no cluster`;
      break;
  }
  const step: TraceStep = { kind: 'cluster', name: d.cluster, index: d.weightedCluster?.index ?? 0, matched: d.cluster !== '', predicate: r.specifier, reason };
  const pos = d.weightedCluster?.position ?? posOf(d.route.action);
  if (pos !== undefined) step.position = pos;
  if (nearMiss !== undefined) step.nearMiss = nearMiss;
  trace.steps.push(step);
  if (d.virtualClusterName !== undefined) {
    trace.steps.push({
      // An assignment, not a filter: the request always lands in a virtual cluster ("other" at worst).
      kind: 'virtual_cluster', name: d.virtualClusterName, index: 0, matched: true, predicate: 'virtual_cluster',
      reason: d.virtualClusterName === 'other' ? 'no virtual cluster matches: stats go to "other"' : `virtual cluster "${d.virtualClusterName}" matches`,
    });
  }
}
