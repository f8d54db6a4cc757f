/**
 * Every `RegexMatcher` in the route tree, with where it sits: route path matchers, header and
 * query parameter matchers, virtual cluster headers, retriable headers, CORS origins, regex
 * rewrites and hash policy rewrites.
 */
import type { CorsPolicy, HeaderMatcher, QueryParameterMatcher, RegexMatcher, StringMatcher } from '../../config/types.js';
import { checkRegex } from '../../core/regex.js';
import type { ConfigModel } from './model.js';
import { routeLabel, vhostLabel, virtualHosts, routesOf } from './walk.js';

export interface RegexSite {
  readonly matcher: RegexMatcher;
  /** JSON path of the RegexMatcher (built on demand: most sites never get a finding). */
  path(): string;
  /** Human description of the owner, for messages. */
  where(): string;
}

type Lazy = () => string;

/** The RE2 verdict on a pattern under a runtime, computed once per distinct pattern. */
export function regexVerdict(
  cache: Map<string, ReturnType<typeof checkRegex>>,
  pattern: string,
  runtime: Readonly<Record<string, unknown>>,
): ReturnType<typeof checkRegex> {
  let v = cache.get(pattern);
  if (v === undefined) {
    v = checkRegex(pattern, runtime);
    cache.set(pattern, v);
  }
  return v;
}

function isRegex(m: unknown): m is RegexMatcher {
  return typeof m === 'object' && m !== null && typeof (m as RegexMatcher).regex === 'string';
}

function site(out: RegexSite[], matcher: RegexMatcher, path: Lazy, where: Lazy): void {
  out.push({ matcher, path, where });
}

function stringMatcher(out: RegexSite[], m: StringMatcher | undefined, path: Lazy, where: Lazy): void {
  if (m && isRegex(m.safe_regex)) site(out, m.safe_regex, () => `${path()}.safe_regex`, where);
}

function headers(out: RegexSite[], hs: HeaderMatcher[] | undefined, path: Lazy, where: Lazy): void {
  if (!hs) return;
  hs.forEach((h, i) => {
    const p = () => `${path()}[${i}]`;
    const w = () => `${where()}, header matcher "${h.name}"`;
    if (isRegex(h.safe_regex_match)) site(out, h.safe_regex_match, () => `${p()}.safe_regex_match`, w);
    stringMatcher(out, h.string_match, () => `${p()}.string_match`, w);
  });
}

function queries(out: RegexSite[], qs: QueryParameterMatcher[] | undefined, path: Lazy, where: Lazy): void {
  if (!qs) return;
  qs.forEach((q, i) => stringMatcher(out, q.string_match, () => `${path()}[${i}].string_match`, () => `${where()}, query parameter "${q.name}"`));
}

function cors(out: RegexSite[], c: CorsPolicy | undefined, path: Lazy, where: Lazy): void {
  c?.allow_origin_string_match?.forEach((m, i) =>
    stringMatcher(out, m, () => `${path()}.allow_origin_string_match[${i}]`, () => `${where()}, CORS allowed origin`));
}

const siteCache = new WeakMap<ConfigModel, RegexSite[]>();

/** Collects the regex sites of every route configuration in the model (file order; computed once per model). */
export function collectRegexSites(model: ConfigModel): RegexSite[] {
  const cached = siteCache.get(model);
  if (cached) return cached;
  const out: RegexSite[] = [];
  siteCache.set(model, out);
  for (const vh of virtualHosts(model)) {
    cors(out, vh.vhost.cors, () => `${vh.path}.cors`, () => vhostLabel(vh));
    (vh.vhost.virtual_clusters ?? []).forEach((vc, i) =>
      headers(out, vc.headers, () => `${vh.path}.virtual_clusters[${i}].headers`, () => `${vhostLabel(vh)}, virtual cluster "${vc.name}"`));
    for (const r of routesOf(vh)) {
      const where = () => `${routeLabel(r)} in ${vhostLabel(vh)}`;
      const m = r.route.match;
      if (m) {
        if (isRegex(m.safe_regex)) site(out, m.safe_regex, () => `${r.path}.match.safe_regex`, where);
        headers(out, m.headers, () => `${r.path}.match.headers`, where);
        queries(out, m.query_parameters, () => `${r.path}.match.query_parameters`, where);
      }
      const a = r.route.route;
      if (a) {
        if (isRegex(a.regex_rewrite?.pattern)) site(out, a.regex_rewrite.pattern, () => `${r.path}.route.regex_rewrite.pattern`, () => `${where()}, regex_rewrite`);
        if (isRegex(a.host_rewrite_path_regex?.pattern)) {
          site(out, a.host_rewrite_path_regex.pattern, () => `${r.path}.route.host_rewrite_path_regex.pattern`, () => `${where()}, host_rewrite_path_regex`);
        }
        a.hash_policy?.forEach((h, i) => {
          const p = h.header?.regex_rewrite?.pattern;
          if (isRegex(p)) site(out, p, () => `${r.path}.route.hash_policy[${i}].header.regex_rewrite.pattern`, () => `${where()}, hash policy`);
        });
        headers(out, a.retry_policy?.retriable_headers, () => `${r.path}.route.retry_policy.retriable_headers`, () => `${where()}, retriable header`);
        headers(out, a.retry_policy?.retriable_request_headers, () => `${r.path}.route.retry_policy.retriable_request_headers`, () => `${where()}, retriable request header`);
        cors(out, a.cors, () => `${r.path}.route.cors`, where);
      }
      const rr = r.route.redirect?.regex_rewrite?.pattern;
      if (isRegex(rr)) site(out, rr, () => `${r.path}.redirect.regex_rewrite.pattern`, () => `${where()}, redirect regex_rewrite`);
    }
  }
  return out;
}
