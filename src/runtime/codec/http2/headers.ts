/**
 * HTTP/2 header rules on top of what nghttp2 already enforces (node:http2 passes requests through
 * nghttp2's HTTP messaging checks: pseudo-header presence, order and uniqueness, uppercase names,
 * connection-specific headers, `te` other than `trailers`, content-length vs DATA — each a stream
 * error, RST_STREAM PROTOCOL_ERROR, before our code sees the stream). Here, as Envoy's
 * Http2::ConnectionImpl does: `:authority` <-> host, cookie crumbs joined with "; ",
 * headers_with_underscores_action, the header count/size limits, and the response/request heads
 * handed to node:http2 without connection-specific headers. Stateless.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import type { HeaderList, RequestHeaderMap, ResponseHeaderMap } from '../types.js';
import type { HeaderLimits } from './options.js';
import { isHeaderValue, isToken } from '../../header_chars.js';

/** Connection-specific headers: never sent on HTTP/2 (RFC 9113 8.2.2); node:http2 throws on them. */
export function isConnectionSpecificHeader(name: string): boolean {
  return name === 'connection' || name === 'keep-alive' || name === 'proxy-connection' || name === 'transfer-encoding' || name === 'upgrade';
}

/** Why a request head is refused before it becomes a stream (Envoy's codec-level stream resets). */
export type RequestHeadRejection = 'underscore' | 'header_overflow';

/** A decoded request head, or the reason it is refused. */
export type DecodedRequestHead =
  | { readonly ok: true; readonly headers: RequestHeaderMap; readonly droppedUnderscores: number }
  | { readonly ok: false; readonly rejection: RequestHeadRejection };

/**
 * The RequestHeaderMap of a request from node:http2's flat raw list ([name, value, ...], names
 * lowercase, pseudo-headers first, already validated by nghttp2). `:authority` wins over `host`
 * (Envoy's http2_discard_host_header); a `host` alone becomes the authority; `headers.host`
 * carries the authority either way. Cookie crumbs are joined with "; " (RFC 9113 8.2.3, Envoy's
 * reconstituteCrumbledCookies) and other repeated headers with ",". Limits are Envoy's: the
 * entries (pseudo-headers included, the cookies once) against max_headers_count and their
 * name+value bytes against max_request_headers_kb.
 */
export function decodeRequestHead(raw: readonly string[], limits: HeaderLimits): DecodedRequestHead {
  const headers: Record<string, string> = {};
  let method = '';
  let path = '';
  let scheme = '';
  let authority: string | undefined;
  let host: string | undefined;
  let cookie: string | undefined;
  let count = 0;
  let bytes = 0;
  let dropped = 0;
  const underscores = limits.headersWithUnderscoresAction;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    bytes += name.length + value.length;
    if (name.charCodeAt(0) === 58 /* : */) {
      count++;
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':scheme') scheme = value;
      else if (name === ':authority') authority = value;
      // :protocol (extended CONNECT) is not enabled: nghttp2 refuses it.
      continue;
    }
    if (underscores !== 'ALLOW' && name.indexOf('_') !== -1) {
      if (underscores === 'REJECT_REQUEST') return { ok: false, rejection: 'underscore' };
      dropped++;
      bytes -= name.length + value.length;
      continue;
    }
    if (name === 'cookie') {
      if (cookie === undefined) {
        count++;
        cookie = value;
      } else cookie += '; ' + value;
      continue;
    }
    count++;
    if (name === 'host') {
      if (host === undefined) host = value;
      continue;
    }
    const prev = headers[name];
    // typeof, not undefined: `constructor`, `toString`... are inherited from Object.prototype.
    headers[name] = typeof prev === 'string' ? prev + ',' + value : value;
  }
  if (count > limits.maxHeadersCount || bytes > limits.maxHeadersBytes) return { ok: false, rejection: 'header_overflow' };
  if (authority === undefined) authority = host;
  if (authority !== undefined) headers['host'] = authority;
  if (cookie !== undefined) headers['cookie'] = cookie;
  return { ok: true, headers: { method, path, authority, scheme, headers }, droppedUnderscores: dropped };
}

/** A HeaderList from a raw [name, value, ...] list, pseudo-headers left out (trailers, responses). */
export function headerListFromRaw(raw: readonly string[]): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 58) out.push([name, raw[i + 1]!]);
  }
  return out;
}

/** The `:status` of a response's raw header list, or 0 when it is missing or not a number. */
export function statusFromRaw(raw: readonly string[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] === ':status') {
      const n = Number(raw[i + 1]);
      return Number.isInteger(n) ? n : 0;
    }
  }
  return 0;
}

/** Whether a header can go on the wire (node:http2 checks names, not values: CR/LF/NUL pass). */
function writable(name: string, v: string | string[] | number): boolean {
  if (!isToken(name)) return false;
  if (typeof v === 'string') return isHeaderValue(v);
  if (typeof v === 'number') return true;
  for (let i = 0; i < v.length; i++) if (!isHeaderValue(v[i]!)) return false;
  return true;
}

/**
 * node:http2 response headers from a ResponseHeaderMap, connection-specific headers left out;
 * undefined when a header name or value cannot be written.
 */
export function responseHeadersForNode(h: ResponseHeaderMap): OutgoingHttpHeaders | undefined {
  const out: OutgoingHttpHeaders = { ':status': h.status };
  const headers = h.headers;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || isConnectionSpecificHeader(name)) continue;
    if (!writable(name, v)) return undefined;
    out[name] = v;
  }
  return out;
}

/** node:http2 headers from a HeaderList (trailers), connection-specific headers left out. */
export function headerListForNode(list: HeaderList, into: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  for (let i = 0; i < list.length; i++) {
    const [name, value] = list[i]!;
    if (isConnectionSpecificHeader(name) || name.charCodeAt(0) === 58) continue;
    // node:http2 refuses `te` other than `trailers` (RFC 9113 8.2.2).
    if (name === 'te' && value !== 'trailers') continue;
    const prev = into[name];
    if (prev === undefined) into[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else into[name] = [String(prev), value];
  }
  return into;
}

/**
 * node:http2 request headers for an upstream request: pseudo-headers first (CONNECT carries only
 * `:method` and `:authority`, RFC 9113 8.5), then `list` without connection-specific headers.
 */
export function requestHeadersForNode(method: string, path: string, authority: string, scheme: string, list: HeaderList): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders =
    method === 'CONNECT' ? { ':method': method, ':authority': authority } : { ':method': method, ':scheme': scheme, ':path': path, ':authority': authority };
  return headerListForNode(list, out);
}
