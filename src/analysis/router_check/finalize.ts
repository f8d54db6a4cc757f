/**
 * The headers router_check_tool looks at after routing (router.cc `finalizeHeaders` and
 * `sendLocalReply`), built with the core's finalization so offline answers equal `serve`'s:
 *
 * - forwarding route: the request after `finalizeRequest` (rewritten `:path` and `:authority`,
 *   request header mutations, `x-envoy-original-path`), and response headers made of the test's
 *   `additional_response_headers` plus the route's response header mutations;
 * - redirect or direct response: the request unchanged, and the local reply's headers appended
 *   to `additional_response_headers` — `:status`, plus `content-length` and
 *   `content-type: text/plain` when the body is not empty (Envoy's Utility::sendLocalReply) — then
 *   the route's response header mutations (`append: false` replaces the content type, the default
 *   append adds a second value, read back as `text/plain,application/json`);
 * - `newUri`: the redirect's Location, or for a direct response the request's own URL
 *   (`scheme://authority/path`), as Envoy's DirectResponseEntry::newUri returns it.
 *
 * Pure.
 */
import { applyRequestHeaders, finalizeRequest, finalizeResponseHeaders } from '../../core/finalize.js';
import type { FormatterContext } from '../../core/formatter.js';
import { applyHeaderMutations, type MutableHeaders } from '../../core/header_mutation.js';
import type { RouteDecision, RouteRequest } from '../../core/route_types.js';
import type { TestHeaderValue } from './spec.js';

/** Values of a header (lowercase name; pseudo-headers `:path`, `:authority`...), undefined when absent. */
export type HeaderLookup = (name: string) => readonly string[] | undefined;

export interface FinalizedTestHeaders {
  request: HeaderLookup;
  response: HeaderLookup;
  /** Location of a redirect, URL of a direct response; "" otherwise. */
  newUri: string;
}

/**
 * Finalizes the headers of one routed test request. `bodyFiles` holds the contents of
 * `direct_response.body.filename` files (read by the CLI: the analysis layer does no I/O).
 */
export function finalizeForTest(
  decision: RouteDecision,
  req: RouteRequest,
  additionalResponseHeaders: readonly TestHeaderValue[],
  bodyFiles: ReadonlyMap<string, string> = new Map(),
): FinalizedTestHeaders {
  let path = req.path;
  let authority = req.authority ?? '';
  const requestHeaders: MutableHeaders = { ...req.headers };
  const responseHeaders: MutableHeaders = {};
  for (const h of additionalResponseHeaders) append(responseHeaders, h.key.toLowerCase(), h.value);
  const ctx: FormatterContext = {
    requestHeaders,
    authority,
    path,
    method: req.method,
    scheme: req.scheme,
    protocol: 'HTTP/1.1',
    ...(req.remoteAddress !== undefined ? { remoteAddress: req.remoteAddress } : {}),
    ...(req.dynamicMetadata !== undefined ? { dynamicMetadata: req.dynamicMetadata } : {}),
  };
  let newUri = '';
  switch (decision.kind) {
    case 'forward': {
      const fin = finalizeRequest(decision, req);
      applyRequestHeaders(fin, requestHeaders, ctx);
      path = fin.path;
      authority = fin.authority;
      ctx.routeName = decision.route.name ?? '';
      ctx.upstreamCluster = decision.cluster;
      break;
    }
    case 'redirect':
      newUri = decision.location;
      append(responseHeaders, ':status', String(decision.status));
      break;
    case 'direct_response': {
      newUri = `${req.scheme}://${req.authority ?? ''}${req.path}`;
      append(responseHeaders, ':status', String(decision.status));
      const body = decision.body ?? (decision.bodyFilename !== undefined ? (bodyFiles.get(decision.bodyFilename) ?? '') : '');
      if (body !== '') {
        append(responseHeaders, 'content-length', String(new TextEncoder().encode(body).length));
        append(responseHeaders, 'content-type', 'text/plain');
      }
      break;
    }
    case 'no_route':
      break;
  }
  const responseMutations = finalizeResponseHeaders(decision);
  if (!responseMutations.empty) {
    applyHeaderMutations(responseMutations, responseHeaders, { ...ctx, responseHeaders, ...(decision.kind !== 'forward' && decision.kind !== 'no_route' ? { responseCode: decision.status } : {}) });
  }
  const finalPath = path;
  const finalAuthority = authority;
  return {
    request: (name) => {
      switch (name) {
        case ':path':
          return [finalPath];
        case ':authority':
        case 'host':
          return [finalAuthority];
        case ':method':
          return [req.method];
        case ':scheme':
          return [req.scheme];
      }
      return values(requestHeaders[name]);
    },
    response: (name) => values(responseHeaders[name]),
    newUri,
  };
}

function values(v: string | string[] | number | undefined): readonly string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [String(v)];
}

function append(headers: MutableHeaders, name: string, value: string): void {
  const cur = headers[name];
  if (cur === undefined) headers[name] = value;
  else headers[name] = Array.isArray(cur) ? [...cur, value] : [String(cur), value];
}
