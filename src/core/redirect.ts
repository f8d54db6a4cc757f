/**
 * Redirect Location computation (Envoy's Http::Utility::newUri with the route's RedirectConfig,
 * after RouteEntryImplBase::finalizePathHeaderForRedirect applied the redirect's
 * prefix_rewrite / regex_rewrite to the path), and the vhost `require_tls` redirect
 * (Http::Utility::createSslRedirectPath). Pure.
 */
import type { RedirectAction, RedirectResponseCode } from '../config/types.js';
import type { RouteRequest } from './route_types.js';
import type { CompiledRegex } from './regex.js';
import { regexReplaceAll } from './regex.js';

/** RedirectAction.response_code -> HTTP status (default MOVED_PERMANENTLY). */
export function redirectStatus(code: RedirectResponseCode | undefined): number {
  switch (code) {
    case 'FOUND':
      return 302;
    case 'SEE_OTHER':
      return 303;
    case 'TEMPORARY_REDIRECT':
      return 307;
    case 'PERMANENT_REDIRECT':
      return 308;
    default:
      return 301;
  }
}

/** Compiled RedirectAction. */
export interface CompiledRedirect {
  readonly config: RedirectAction;
  readonly status: number;
  readonly schemeRedirect: string;
  readonly httpsRedirect: boolean;
  readonly hostRedirect: string;
  /** `:port` or "". */
  readonly portRedirect: string;
  readonly pathRedirect: string;
  readonly pathRedirectHasQuery: boolean;
  readonly prefixRewrite: string;
  readonly regexRewrite: CompiledRegex | undefined;
  readonly regexSubstitution: string;
  readonly stripQuery: boolean;
}

/** `x-forwarded-proto` (first value), else the request's scheme. */
function forwardedProto(req: RouteRequest): string {
  const v = req.headers['x-forwarded-proto'];
  if (v === undefined) return req.scheme;
  return typeof v === 'string' ? v : (v[0] ?? req.scheme);
}

/** Index of the end of the path part (first `?` or `#`), i.e. Envoy's removeQueryAndFragment. */
export function pathEnd(path: string): number {
  // Two native scans beat a JS loop over every character of long paths.
  const q = path.indexOf('?');
  const h = path.indexOf('#');
  if (q < 0) return h < 0 ? path.length : h;
  return h < 0 || q < h ? q : h;
}

/**
 * Envoy's rewritePathByPrefixOrRegex: with `prefixRewrite`, replace the first `matchedLength`
 * characters; with a regex, replace-all on the path without query, query kept. Returns
 * undefined when there is no rewrite or the regex result is empty.
 */
export function rewritePathByPrefixOrRegex(
  path: string,
  matchedLength: number,
  prefixRewrite: string,
  regex: CompiledRegex | undefined,
  substitution: string,
): string | undefined {
  if (prefixRewrite !== '') return prefixRewrite + path.slice(matchedLength);
  if (regex !== undefined) {
    const end = pathEnd(path);
    const rewritten = regexReplaceAll(regex, path.slice(0, end), substitution);
    if (rewritten === '') return undefined;
    return rewritten + path.slice(end);
  }
  return undefined;
}

/** Envoy's processRequestHost: drop the request's port when the redirect changes the port or scheme. */
function processRequestHost(host: string, requestProto: string, newScheme: string, newPort: string): string {
  if (host === '') return host;
  let hostEnd: number;
  if (host.startsWith('[')) {
    hostEnd = host.lastIndexOf(']:');
    if (hostEnd >= 0) hostEnd += 1;
  } else {
    hostEnd = host.lastIndexOf(':');
  }
  if (hostEnd < 0) return host;
  const requestPort = host.slice(hostEnd);
  let removePort = newPort !== '';
  if (newScheme !== requestProto) {
    removePort ||= requestProto === 'https' && requestPort === ':443';
    removePort ||= requestProto === 'http' && requestPort === ':80';
  }
  return removePort ? host.slice(0, hostEnd) : host;
}

/**
 * The Location of a redirect route. `matchedLength` is the length of the path the route's
 * matcher consumed (prefix/path: the config string; regex/connect: the whole path without query).
 */
export function redirectLocation(r: CompiledRedirect, req: RouteRequest, matchedLength: number): string {
  const scheme = r.schemeRedirect !== '' ? r.schemeRedirect : r.httpsRedirect ? 'https' : req.scheme;
  const port = r.portRedirect;
  let host: string;
  // host_redirect is used as written, even with port_redirect (Envoy's Utility::newUri).
  if (r.hostRedirect !== '') host = r.hostRedirect;
  else host = processRequestHost(req.authority ?? '', forwardedProto(req), scheme, port);

  // finalizePathHeaderForRedirect: the redirect's own prefix/regex rewrite of :path.
  let current = req.path;
  const rewritten = rewritePathByPrefixOrRegex(current, matchedLength, r.prefixRewrite, r.regexRewrite, r.regexSubstitution);
  if (rewritten !== undefined) current = rewritten;

  let finalPath: string;
  if (r.pathRedirect !== '') {
    if (r.pathRedirectHasQuery) finalPath = r.pathRedirect;
    else {
      const q = current.indexOf('?');
      finalPath = q >= 0 ? r.pathRedirect + current.slice(q) : r.pathRedirect;
    }
  } else {
    finalPath = current;
  }
  if (!finalPath.startsWith('/')) finalPath = '/' + finalPath;
  if (!r.pathRedirectHasQuery && r.stripQuery) {
    const q = finalPath.indexOf('?');
    if (q >= 0) finalPath = finalPath.slice(0, q);
  }
  return `${scheme}://${host}${port}${finalPath}`;
}

/** `require_tls` redirect: `https://<host><path>` (Envoy's createSslRedirectPath), 301. */
export function sslRedirectLocation(req: RouteRequest): string {
  return `https://${req.authority ?? ''}${req.path}`;
}
