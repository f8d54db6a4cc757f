/**
 * Headers nominated by `Connection` (Envoy's Http::Utility::sanitizeConnectionHeader,
 * source/common/http/utility.cc), which Envoy's HTTP/1 server codec applies to every request
 * carrying `Connection` that is not an upgrade (ServerConnectionImpl::onHeadersCompleteBase), so
 * no filter, route or upstream sees a header the client declared hop-by-hop. Pure.
 */
import { equalsIgnoreCase } from '../../header_chars.js';
import { teNamesTrailers } from '../headers.js';

/** Envoy's MAX_ALLOWED_NOMINATED_HEADERS: 10 or more tokens and the request is refused. */
const MAX_NOMINATED_HEADERS = 10;
/** Envoy's MAX_ALLOWED_TE_VALUE_SIZE: a nominated `te` this long or longer is refused. */
const MAX_TE_VALUE_SIZE = 256;

/**
 * Whether a `Connection` value may nominate headers: anything but `keep-alive` or `close` alone
 * (what nearly every client sends), checked without allocating.
 */
export function connectionNominatesHeaders(value: string): boolean {
  // The spellings clients send, compared whole first; then any case.
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return false;
  return !equalsIgnoreCase(value, 'keep-alive') && !equalsIgnoreCase(value, 'close');
}

/**
 * Removes from `headers` (lowercase names, one joined value each) the headers its `connection`
 * header nominates, as Envoy does. Returns false when Envoy refuses the request instead
 * (400 `http1.connection_header_rejected`): 10 or more tokens; `x-forwarded-for`,
 * `x-forwarded-host`, `x-forwarded-proto` or a pseudo-header (`:...`) nominated; a nominated `te`
 * of 256 characters or more. `close`, `keep-alive`, `upgrade` and `http2-settings` are left
 * alone; a nominated `connection` is kept (only its token goes); a nominated `te` naming
 * `trailers` is kept as `te: trailers`. The `connection` value is rewritten without the removed
 * tokens (trimmed, joined with ","), and removed when no token is left.
 */
export function sanitizeConnectionHeader(headers: Record<string, string>): boolean {
  const value = headers['connection'];
  if (value === undefined) return true;
  // StringUtil::splitToken(value, ",", keep_empty_string=false): empty tokens do not count.
  const tokens = value.split(',').filter((t) => t.length > 0);
  if (tokens.length >= MAX_NOMINATED_HEADERS) return false;
  let removed: Set<string> | undefined;
  for (const raw of tokens) {
    const token = raw.trim().toLowerCase();
    if (token === 'close' || token === 'keep-alive' || token === 'upgrade' || token === 'http2-settings') continue;
    if (token === 'connection') {
      // Self-nominated: the header stays, its token goes.
      (removed ??= new Set()).add(token);
      continue;
    }
    // Removing these would hide where the request came from; a pseudo-header is never nominated.
    if (token === 'x-forwarded-for' || token === 'x-forwarded-host' || token === 'x-forwarded-proto' || token.charCodeAt(0) === 58 /* : */) {
      return false;
    }
    const nominated = headers[token];
    // typeof: `constructor`, `toString`... are inherited from Object.prototype, never headers.
    if (token === 'te' && typeof nominated === 'string') {
      if (nominated.length >= MAX_TE_VALUE_SIZE) return false;
      if (teNamesTrailers(nominated)) {
        headers['te'] = 'trailers';
        continue;
      }
    }
    if (typeof nominated === 'string') delete headers[token];
    (removed ??= new Set()).add(token);
  }
  if (removed !== undefined) {
    // StringUtil::removeTokens(value, ",", removed, ","): the rest trimmed and joined with ",".
    const kept: string[] = [];
    for (const raw of tokens) {
      const t = raw.trim();
      if (t.length > 0 && !removed.has(t.toLowerCase())) kept.push(t);
    }
    if (kept.length === 0) delete headers['connection'];
    else headers['connection'] = kept.join(',');
  }
  return true;
}
