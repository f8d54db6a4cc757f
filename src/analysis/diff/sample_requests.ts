/**
 * Requests derived from a config's routes, one (or two) per route: a request that satisfies
 * every matcher of the route — the Host from its virtual host's domains, a path its prefix /
 * path / path_separated_prefix / safe_regex (regex_sample.ts, checked with RE2) matches, the
 * headers and query parameters its matchers require, CONNECT for connect_matcher, gRPC's
 * content-type — sent to every listener port whose connection manager uses the route
 * configuration; and, for a route with header or query matchers, the same request without them
 * (where requests lacking them go). `diff` routes these through both configs. Pure.
 */
import type { HeaderMatcher, LoadedConfig, QueryParameterMatcher, Route, RouteConfiguration, StringMatcher, VirtualHost } from '../../config/types.js';
import { findHttpConnectionManager } from '../../core/listener_match.js';
import { compileRegex, regexFullMatch } from '../../core/regex.js';
import type { RouterInput } from '../replay/request_router.js';
import { sampleRegex } from './regex_sample.js';
import { routeKey } from './structure.js';

/** A generated request and the route it was made for. */
export interface SampleRequest {
  readonly input: RouterInput;
  /** `route_config/vhost/route` in the config it comes from. */
  readonly origin: string;
  /** `matching` (all matchers satisfied) or `without headers` (header and query matchers dropped). */
  readonly variant: 'matching' | 'without headers';
}

/** Routes no request could be derived for, and why. */
export interface NotProbed {
  readonly route: string;
  readonly reason: string;
}

/** A Host a virtual host's domains accept: an exact one, else a wildcard filled in. */
export function sampleHost(vh: VirtualHost): string {
  const domains = vh.domains ?? [];
  const exact = domains.find((d) => !d.includes('*'));
  if (exact !== undefined) return exact;
  const d = domains[0] ?? '*';
  if (d === '*') return 'diff-probe.example';
  return d.startsWith('*') ? `diff-probe${d.slice(1)}` : `${d.slice(0, -1)}diff-probe`;
}

function regexSample(pattern: string): string | undefined {
  const s = sampleRegex(pattern);
  if (s === undefined) return undefined;
  const c = compileRegex(pattern);
  return c.ok && regexFullMatch(c.regex, s) ? s : undefined;
}

/** A value a StringMatcher accepts. */
function stringSample(m: StringMatcher | undefined): string | undefined {
  if (m === undefined) return 'x';
  if (m.exact !== undefined) return m.exact;
  if (m.prefix !== undefined) return m.prefix === '' ? 'x' : m.prefix;
  if (m.suffix !== undefined) return m.suffix === '' ? 'x' : m.suffix;
  if (m.contains !== undefined) return m.contains === '' ? 'x' : m.contains;
  if (m.safe_regex !== undefined) return regexSample(m.safe_regex.regex ?? '');
  return undefined;
}

/** The header value a matcher accepts; `null` when the header must be absent; undefined when unknown. */
function headerSample(h: HeaderMatcher): string | null | undefined {
  const invert = h.invert_match === true;
  if (h.present_match !== undefined) return h.present_match !== invert ? 'x' : null;
  let v: string | undefined;
  if (h.exact_match !== undefined) v = h.exact_match === '' ? 'x' : h.exact_match;
  else if (h.safe_regex_match !== undefined) v = regexSample(h.safe_regex_match.regex ?? '');
  else if (h.range_match !== undefined) v = String(h.range_match.start ?? 0);
  else if (h.prefix_match !== undefined) v = h.prefix_match || 'x';
  else if (h.suffix_match !== undefined) v = h.suffix_match || 'x';
  else if (h.contains_match !== undefined) v = h.contains_match || 'x';
  else if (h.string_match !== undefined) v = stringSample(h.string_match);
  else v = 'x'; // name only: presence
  if (invert) return v === 'tsproxy-diff-probe' ? 'x' : 'tsproxy-diff-probe';
  return v;
}

function querySample(q: QueryParameterMatcher): string | undefined {
  if (q.present_match !== undefined) return q.present_match ? `${q.name}=x` : '';
  const v = stringSample(q.string_match);
  return v === undefined ? undefined : `${q.name}=${v}`;
}

/** The path a route's path matcher accepts, or a reason it has none. */
function pathSample(r: Route): { path: string; method?: string } | string {
  const m = r.match ?? {};
  if (m.prefix !== undefined) return { path: m.prefix.startsWith('/') ? m.prefix : `/${m.prefix}` };
  if (m.path !== undefined) return { path: m.path };
  if (m.path_separated_prefix !== undefined) return { path: m.path_separated_prefix };
  if (m.safe_regex !== undefined) {
    const s = regexSample(m.safe_regex.regex ?? '');
    return s === undefined ? `no path was derived from the regex ${JSON.stringify(m.safe_regex.regex)}` : { path: s };
  }
  if (m.connect_matcher !== undefined) return { path: '', method: 'CONNECT' };
  return 'the route has no path matcher tsproxy models (path_match_policy)';
}

/** Listener ports whose HTTP connection manager uses `rc` (inline or by rds name). */
function portsUsing(config: LoadedConfig, rc: RouteConfiguration): (number | undefined)[] {
  if (config.listeners.length === 0) return [undefined];
  const ports = new Set<number | undefined>();
  for (const l of config.listeners) {
    for (const chain of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      const hcm = findHttpConnectionManager(chain)?.hcm;
      if (hcm !== undefined && (hcm.route_config === rc || (hcm.rds !== undefined && hcm.rds.route_config_name === rc.name))) {
        ports.add(l.address?.socket_address?.port_value);
      }
    }
  }
  return [...ports];
}

/** A request satisfying every matcher of a route (for diff's probes and lint's shadowing message). */
export interface RouteRequestSample {
  readonly method: string;
  readonly authority: string | undefined;
  readonly scheme: string;
  /** The path without the query. */
  readonly path: string;
  readonly headers: [string, string][];
  /** `name=value` query parameters the route requires. */
  readonly query: string[];
  /** A header or query matcher no value was derived for (the sample then misses the route). */
  readonly unknown: string | undefined;
  readonly connect: boolean;
}

/**
 * A request a route matches: its path matcher's path, the header and query values its matchers
 * require, CONNECT for connect_matcher, gRPC's content-type; or why no path could be derived.
 */
export function sampleRouteRequest(r: Route, host: string | undefined, tls = false): RouteRequestSample | string {
  const p = pathSample(r);
  if (typeof p === 'string') return p;
  const headers: [string, string][] = [];
  let method = p.method ?? 'GET';
  let authority: string | undefined = host;
  let scheme = tls ? 'https' : 'http';
  let unknown: string | undefined;
  for (const h of r.match?.headers ?? []) {
    const v = headerSample(h);
    const name = (h.name ?? '').toLowerCase();
    if (v === undefined) unknown = `no value was derived for header ${name}`;
    else if (v === null) continue;
    else if (name === ':method') method = v;
    else if (name === ':authority' || name === 'host') authority = v;
    else if (name === ':scheme') scheme = v;
    else if (name !== ':path') headers.push([name, v]);
  }
  const query: string[] = [];
  for (const q of r.match?.query_parameters ?? []) {
    const s = querySample(q);
    if (s === undefined) unknown = `no value was derived for query parameter ${q.name}`;
    else if (s !== '') query.push(s);
  }
  if (r.match?.grpc !== undefined) {
    headers.push(['content-type', 'application/grpc']);
    method = 'POST';
  }
  return { method, authority, scheme, path: p.path, headers, query, unknown, connect: p.method === 'CONNECT' };
}

/** Requests for every route of `config`, and the routes none could be derived for. */
export function sampleRequests(config: LoadedConfig, side: 'old' | 'new'): { requests: SampleRequest[]; notProbed: NotProbed[] } {
  const requests: SampleRequest[] = [];
  const notProbed: NotProbed[] = [];
  config.routeConfigurations.forEach((rc, ri) => {
    const ports = portsUsing(config, rc);
    const rcName = rc.name ?? `#${ri}`;
    for (const vh of rc.virtual_hosts ?? []) {
      const host = sampleHost(vh);
      const tls = vh.require_tls !== undefined && vh.require_tls !== 'NONE';
      (vh.routes ?? []).forEach((r, i) => {
        const origin = `${side}:${rcName}/${vh.name}/${routeKey(r, i)}`;
        const sample = sampleRouteRequest(r, host, tls);
        if (typeof sample === 'string') {
          notProbed.push({ route: origin, reason: sample });
          return;
        }
        const { method, authority, scheme, headers, query, unknown } = sample;
        const p = { path: sample.path, method: sample.connect ? 'CONNECT' : undefined };
        if (unknown !== undefined) notProbed.push({ route: origin, reason: unknown });
        const path = query.length > 0 ? `${p.path}${p.path.includes('?') ? '&' : '?'}${query.join('&')}` : p.path;
        const hasConditions = (r.match?.headers?.length ?? 0) > 0 || query.length > 0 || r.match?.grpc !== undefined;
        // require_tls is judged on x-forwarded-proto: an https probe says so, as match --scheme https does.
        if (scheme === 'https' && !headers.some(([k]) => k === 'x-forwarded-proto')) headers.push(['x-forwarded-proto', 'https']);
        for (const port of ports) {
          const base = { host: authority, method, scheme, randomValue: 0, ...(port !== undefined ? { localPort: port } : {}) };
          if (unknown === undefined) requests.push({ input: { ...base, path, headers: [...headers] }, origin, variant: 'matching' });
          if (hasConditions) requests.push({ input: { ...base, host, method: p.method ?? 'GET', path: p.path, headers: scheme === 'https' ? [['x-forwarded-proto', 'https']] : [] }, origin, variant: 'without headers' });
        }
      });
    }
  });
  return { requests, notProbed };
}

/** A request's identity, to send each distinct request once. */
export function requestKey(i: RouterInput): string {
  return `${i.localPort ?? ''}|${i.scheme}|${i.method}|${i.host ?? ''}|${i.path}|${i.headers.map(([k, v]) => `${k}:${v}`).join('\u0000')}`;
}
