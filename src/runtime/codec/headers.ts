/**
 * Header helpers for the data plane: hop-by-hop sanitization (Envoy's
 * ConnectionManagerUtility / Http1 codec), conversion between node-style header objects and the
 * upstream HeaderList, and Envoy's header names. Stateless; safe to call from anywhere.
 */
import type { HeaderList } from '../upstream/types.js';
import { equalsIgnoreCase } from '../header_chars.js';

/** node-style header object: lowercase names, repeated headers as arrays. */
export type HeaderObject = Record<string, string | string[] | number | undefined>;

/**
 * Connection-specific headers never forwarded in either direction (RFC 9110 7.6.1; Envoy strips
 * them in the HTTP/1 codec and the connection manager). `te` is handled apart: Envoy keeps
 * `te: trailers` only.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  // Envoy answers `Expect: 100-continue` itself (proxy_100_continue defaults to false) and does
  // not forward it; the codec has already sent the 100 Continue by the time the router runs.
  'expect',
]);

/** Whether a `te` value lists the `trailers` token (comma-separated, case-insensitive). */
export function teNamesTrailers(value: string): boolean {
  if (equalsIgnoreCase(value, 'trailers')) return true;
  if (value.indexOf(',') === -1) return false;
  const parts = value.split(',');
  for (let i = 0; i < parts.length; i++) if (equalsIgnoreCase(parts[i]!.trim(), 'trailers')) return true;
  return false;
}

/**
 * Whether a request header must not go upstream. `te` goes only as `te: trailers`, and only when
 * its value names `trailers` (Envoy's ConnectionManagerUtility::sanitizeTEHeader keeps
 * `trailers` and drops every other transfer coding): see toUpstreamHeaderList.
 */
export function isHopByHopRequestHeader(name: string, value: string | string[] | undefined): boolean {
  if (HOP_BY_HOP.has(name)) return true;
  if (name === 'te') return typeof value !== 'string' || !teNamesTrailers(value);
  return false;
}

/** Whether a response header must not go downstream (the codec frames the response itself). */
export function isHopByHopResponseHeader(name: string): boolean {
  return name === 'connection' || name === 'keep-alive' || name === 'proxy-connection' ||
    name === 'transfer-encoding' || name === 'upgrade';
}

/**
 * The upstream header list from the final request headers: hop-by-hop and `host` (carried as
 * the :authority argument of encodeHeaders) removed; arrays become one entry per value.
 */
export function toUpstreamHeaderList(headers: HeaderObject): HeaderList {
  const out: HeaderList = [];
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || name === 'host') continue;
    if (typeof v === 'string') {
      // `te: trailers, deflate` goes upstream as `te: trailers` (sanitizeTEHeader).
      if (!isHopByHopRequestHeader(name, v)) out.push([name, name === 'te' ? 'trailers' : v]);
    } else if (typeof v === 'number') {
      out.push([name, String(v)]);
    } else if (!isHopByHopRequestHeader(name, v)) {
      for (const item of v) out.push([name, item]);
    }
  }
  return out;
}

/**
 * The downstream response header object from an upstream HeaderList: hop-by-hop removed,
 * repeated names (set-cookie) kept as arrays so each goes out as its own line.
 */
export function fromUpstreamHeaderList(list: HeaderList): HeaderObject {
  const out: HeaderObject = {};
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    const name = pair[0];
    if (isHopByHopResponseHeader(name)) continue;
    const prev = out[name];
    if (prev === undefined) out[name] = pair[1];
    else if (Array.isArray(prev)) prev.push(pair[1]);
    else out[name] = [String(prev), pair[1]];
  }
  return out;
}

/** First value of a header as a string, or undefined. */
export function headerValue(headers: HeaderObject, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return v[0];
}
