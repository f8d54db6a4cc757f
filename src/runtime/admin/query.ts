/**
 * Query strings as Envoy's admin reads them (Http::Utility::parseAndDecodeQueryString): `&`
 * separated, `%XX` and `+` decoded, a name without `=` has an empty value, and the first value of
 * a repeated name wins.
 */
import type { QueryParams } from './types.js';

function decode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Parses `a=1&b&c=%2F` (no leading `?`). */
export function parseQuery(query: string): QueryParams {
  const out = new Map<string, string>();
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    if (!out.has(name)) out.set(name, eq < 0 ? '' : decode(part.slice(eq + 1)));
  }
  return out;
}

/** Envoy's Utility::queryParam: the value, or undefined when absent or empty. */
export function queryParam(q: QueryParams, name: string): string | undefined {
  const v = q.get(name);
  return v === undefined || v === '' ? undefined : v;
}
