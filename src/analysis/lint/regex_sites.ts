/**
 * Every `RegexMatcher` in the route tree, with where it sits: route path matchers, header and
 * query parameter matchers, virtual cluster headers, regex rewrites and hash policy rewrites.
 */
import type { HeaderMatcher, QueryParameterMatcher, RegexMatcher, StringMatcher } from '../../config/types.js';
import type { ConfigModel } from './model.js';
import { routeLabel, vhostLabel, virtualHosts, routesOf } from './walk.js';

export interface RegexSite {
  readonly matcher: RegexMatcher;
  /** JSON path of the RegexMatcher. */
  readonly path: string;
  /** Human description of the owner, for messages. */
  readonly where: string;
}

function isRegex(m: unknown): m is RegexMatcher {
  return typeof m === 'object' && m !== null && typeof (m as RegexMatcher).regex === 'string';
}

function stringMatcher(out: RegexSite[], m: StringMatcher | undefined, path: string, where: string): void {
  if (m && isRegex(m.safe_regex)) out.push({ matcher: m.safe_regex, path: `${path}.safe_regex`, where });
}

function headers(out: RegexSite[], hs: HeaderMatcher[] | undefined, path: string, where: string): void {
  (hs ?? []).forEach((h, i) => {
    const p = `${path}[${i}]`;
    const w = `${where}, header matcher "${h.name}"`;
    if (isRegex(h.safe_regex_match)) out.push({ matcher: h.safe_regex_match, path: `${p}.safe_regex_match`, where: w });
    stringMatcher(out, h.string_match, `${p}.string_match`, w);
  });
}

function queries(out: RegexSite[], qs: QueryParameterMatcher[] | undefined, path: string, where: string): void {
  (qs ?? []).forEach((q, i) => stringMatcher(out, q.string_match, `${path}[${i}].string_match`, `${where}, query parameter "${q.name}"`));
}

/** Collects the regex sites of every route configuration in the model (file order). */
export function collectRegexSites(model: ConfigModel): RegexSite[] {
  const out: RegexSite[] = [];
  for (const vh of virtualHosts(model)) {
    (vh.vhost.virtual_clusters ?? []).forEach((vc, i) =>
      headers(out, vc.headers, `${vh.path}.virtual_clusters[${i}].headers`, `${vhostLabel(vh)}, virtual cluster "${vc.name}"`));
    for (const r of routesOf(vh)) {
      const where = `${routeLabel(r)} in ${vhostLabel(vh)}`;
      const m = r.route.match;
      if (m) {
        if (isRegex(m.safe_regex)) out.push({ matcher: m.safe_regex, path: `${r.path}.match.safe_regex`, where });
        headers(out, m.headers, `${r.path}.match.headers`, where);
        queries(out, m.query_parameters, `${r.path}.match.query_parameters`, where);
      }
      const a = r.route.route;
      if (a) {
        if (isRegex(a.regex_rewrite?.pattern)) out.push({ matcher: a.regex_rewrite.pattern, path: `${r.path}.route.regex_rewrite.pattern`, where: `${where}, regex_rewrite` });
        if (isRegex(a.host_rewrite_path_regex?.pattern)) {
          out.push({ matcher: a.host_rewrite_path_regex.pattern, path: `${r.path}.route.host_rewrite_path_regex.pattern`, where: `${where}, host_rewrite_path_regex` });
        }
        (a.hash_policy ?? []).forEach((h, i) => {
          const p = h.header?.regex_rewrite?.pattern;
          if (isRegex(p)) out.push({ matcher: p, path: `${r.path}.route.hash_policy[${i}].header.regex_rewrite.pattern`, where: `${where}, hash policy` });
        });
        headers(out, a.retry_policy?.retriable_headers, `${r.path}.route.retry_policy.retriable_headers`, `${where}, retriable header`);
      }
      const rr = r.route.redirect?.regex_rewrite?.pattern;
      if (isRegex(rr)) out.push({ matcher: rr, path: `${r.path}.redirect.regex_rewrite.pattern`, where: `${where}, redirect regex_rewrite` });
    }
  }
  return out;
}
