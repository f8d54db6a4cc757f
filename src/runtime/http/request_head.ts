/**
 * A request head as the downstream HTTP/1 codec hands it to the connection manager, built from
 * llhttp's flat raw header list: lowercase names, repeated headers joined as Envoy's header map
 * joins them, absolute-form targets reduced to their path. Pure.
 */
import { lowerHeaderName } from '../header_chars.js';

/** One parsed request head. */
export interface RequestHead {
  readonly method: string;
  /**
   * The request target: as received in origin form (`/path?query`); an absolute-form target
   * (`http://host/path`) is reduced to its path here and its authority set in `absoluteAuthority`.
   */
  readonly url: string;
  /** The authority of an absolute-form target, which replaces Host (RFC 9112 section 3.2.2). */
  readonly absoluteAuthority: string | undefined;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Lowercase names; repeated headers joined with "," (`cookie` with "; "). */
  readonly headers: Record<string, string>;
  /** Header lines received (for max_headers_count). */
  readonly headerCount: number;
  /** More than one Host header (RFC 9112 section 3.2: answered with 400). */
  readonly duplicateHost: boolean;
  /** An Upgrade or CONNECT request. */
  readonly upgrade: boolean;
  /** llhttp's keep-alive verdict (false for `connection: close`, HTTP/1.0 without keep-alive). */
  readonly keepAlive: boolean;
  /** A body follows (content-length > 0 or transfer-encoding). */
  readonly hasBody: boolean;
}

/** An absolute-form request target: scheme, a non-empty authority, the rest. */
const ABSOLUTE_URL = /^https?:\/\/([^/?#]+)(.*)$/i;

/**
 * The RequestHead of a parsed request. `raw` is llhttp's [name, value, ...] list; `url` the
 * target as received. Repeated headers are joined with "," (`cookie` with "; "); a second Host
 * only sets `duplicateHost`. An absolute-form target (Envoy's allow_absolute_url, default true)
 * becomes its path, and its authority replaces Host.
 */
export function buildRequestHead(
  versionMajor: number,
  versionMinor: number,
  raw: readonly string[],
  method: string,
  url: string,
  upgrade: boolean,
  keepAlive: boolean,
): RequestHead {
  const headers: Record<string, string> = {};
  let duplicateHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = lowerHeaderName(raw[i]!);
    const value = raw[i + 1]!;
    const prev = headers[name];
    // typeof, not undefined: `constructor`, `toString`... are inherited from Object.prototype.
    if (typeof prev !== 'string') headers[name] = value;
    else if (name === 'host') duplicateHost = true;
    else headers[name] = prev + (name === 'cookie' ? '; ' : ',') + value;
  }
  const cl = headers['content-length'];
  let target = url;
  let absoluteAuthority: string | undefined;
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
    const m = ABSOLUTE_URL.exec(target);
    if (m !== null) {
      absoluteAuthority = m[1]!;
      headers['host'] = absoluteAuthority;
      const rest = m[2]!;
      target = rest === '' ? '/' : rest.charCodeAt(0) === 47 ? rest : '/' + rest;
    }
  }
  return {
    method,
    url: target,
    absoluteAuthority,
    versionMajor,
    versionMinor,
    headers,
    headerCount: raw.length >> 1,
    duplicateHost,
    upgrade,
    keepAlive,
    hasBody: headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0'),
  };
}
