/**
 * A request head as the downstream HTTP/1 codec hands it to the connection manager, built from
 * llhttp's flat raw header list: lowercase names, repeated headers joined as Envoy's header map
 * joins them, absolute-form targets reduced to their path, and the checks Envoy's HTTP/1 server
 * codec (source/common/http/http1/codec_impl.cc) makes once a head is parsed: headers with
 * underscores, Transfer-Encoding, Connection-nominated headers, the request target. Pure.
 */
import { equalsIgnoreCase, lowerHeaderName } from '../../header_chars.js';
import { connectionNominatesHeaders, sanitizeConnectionHeader } from './connection_header.js';

/** `HttpProtocolOptions.headers_with_underscores_action` (Envoy's default: ALLOW). */
export type HeadersWithUnderscoresAction = 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';

/**
 * A request Envoy's HTTP/1 codec refuses once its head is parsed (sendProtocolError): the local
 * reply's status and response-code details. The reply closes the connection (a codec protocol
 * error: DPE, `downstream_cx_protocol_error`).
 */
export interface CodecRejection {
  readonly status: number;
  readonly details: string;
}

/** The refusals, with Envoy's Http1ResponseCodeDetails. */
export const CodecRejections = {
  /** headers_with_underscores_action REJECT_REQUEST (checkHeaderNameForUnderscores). */
  UnexpectedUnderscore: { status: 400, details: 'http1.unexpected_underscore' },
  /** CONNECT with a non-zero content-length (RFC 9110 9.3.6: no defined semantics). */
  BodyDisallowed: { status: 400, details: 'http1.body_disallowed' },
  /** transfer-encoding other than exactly `chunked`, or on CONNECT (RFC 9112 6.1): 501. */
  InvalidTransferEncoding: { status: 501, details: 'http1.invalid_transfer_encoding' },
  /** Utility::sanitizeConnectionHeader refused the Connection header (see connection_header.ts). */
  ConnectionHeaderRejected: { status: 400, details: 'http1.connection_header_rejected' },
  /** A request target that is neither origin-form, `*` for OPTIONS, nor an absolute URL. */
  InvalidUrl: { status: 400, details: 'http1.invalid_url' },
  /** An absolute-form target whose scheme is not http or https. */
  InvalidScheme: { status: 400, details: 'http1.invalid_scheme' },
  /** An `https://` absolute-form target on a plaintext edge listener (validate_scheme). */
  HttpsInPlaintext: { status: 403, details: 'http1.https_url_on_plaintext_connection' },
} as const satisfies Record<string, CodecRejection>;

/** The codec settings the head checks depend on. */
export interface RequestHeadOptions {
  readonly headersWithUnderscoresAction: HeadersWithUnderscoresAction;
  /**
   * Envoy's Http1Settings.validate_scheme, which the HCM sets for an edge listener
   * (`use_remote_address` with `xff_num_trusted_hops` 0): an `https://` absolute-form target on
   * a plaintext connection is refused with 403.
   */
  readonly validateScheme: boolean;
}

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
  /**
   * Header lines received and kept (for max_headers_count): those DROP_HEADER dropped do not
   * count, so `raw.length / 2 - headerCount` of them were dropped.
   */
  readonly headerCount: number;
  /** More than one Host header (RFC 9112 section 3.2: answered with 400). */
  readonly duplicateHost: boolean;
  /** An Upgrade or CONNECT request. */
  readonly upgrade: boolean;
  /** llhttp's keep-alive verdict (false for `connection: close`, HTTP/1.0 without keep-alive). */
  readonly keepAlive: boolean;
  /** A body follows (content-length > 0 or transfer-encoding). */
  readonly hasBody: boolean;
  /** Why Envoy's codec refuses this request, or undefined (the usual case). */
  readonly rejection: CodecRejection | undefined;
}

/** An absolute-form request target: scheme, authority (possibly empty), the rest. */
const ABSOLUTE_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;

/**
 * The RequestHead of a parsed request. `raw` is llhttp's [name, value, ...] list; `url` the
 * target as received. Repeated headers are joined with "," (`cookie` with "; "); a second Host
 * only sets `duplicateHost`. An absolute-form target (Envoy's allow_absolute_url, default true)
 * becomes its path, and its authority replaces Host. `rejection` is set, in the order Envoy's
 * codec checks, by: a header name with `_` (REJECT_REQUEST; DROP_HEADER drops it instead),
 * CONNECT with a body, a transfer-encoding other than `chunked`, a refused Connection header, an
 * invalid request target. Connection-nominated headers are removed (not for upgrades, as Envoy).
 */
export function buildRequestHead(
  versionMajor: number,
  versionMinor: number,
  raw: readonly string[],
  method: string,
  url: string,
  upgrade: boolean,
  keepAlive: boolean,
  options: RequestHeadOptions,
): RequestHead {
  const headers: Record<string, string> = {};
  let duplicateHost = false;
  let rejection: CodecRejection | undefined;
  let dropped = 0;
  // ALLOW (the default) never looks at the names.
  const underscores = options.headersWithUnderscoresAction;
  const checkUnderscores = underscores !== 'ALLOW';
  for (let i = 0; i < raw.length; i += 2) {
    const name = lowerHeaderName(raw[i]!);
    if (checkUnderscores && name.indexOf('_') !== -1) {
      if (underscores === 'DROP_HEADER') {
        dropped++;
        continue;
      }
      // REJECT_REQUEST: the first such header refuses the request; the rest is not looked at.
      rejection = CodecRejections.UnexpectedUnderscore;
      break;
    }
    const value = raw[i + 1]!;
    const prev = headers[name];
    // typeof, not undefined: `constructor`, `toString`... are inherited from Object.prototype.
    if (typeof prev !== 'string') headers[name] = value;
    else if (name === 'host') duplicateHost = true;
    else headers[name] = prev + (name === 'cookie' ? '; ' : ',') + value;
  }
  const cl = headers['content-length'];
  const te = headers['transfer-encoding'];
  // Framing is llhttp's, decided before any header is removed below.
  const hasBody = te !== undefined || (cl !== undefined && cl !== '0');
  if (rejection === undefined) {
    if (method === 'CONNECT' && cl !== undefined && cl !== '0') rejection = CodecRejections.BodyDisallowed;
    // Envoy accepts only exactly `chunked` (case-insensitive); llhttp itself refuses some of
    // the rest before the head completes (HPE_INVALID_TRANSFER_ENCODING, also 501) but lets
    // `identity, chunked` or `gzip, chunked` through.
    else if (te !== undefined && (method === 'CONNECT' || !equalsIgnoreCase(te, 'chunked'))) rejection = CodecRejections.InvalidTransferEncoding;
  }
  const connection = headers['connection'];
  if (rejection === undefined && connection !== undefined && !upgrade && connectionNominatesHeaders(connection) && !sanitizeConnectionHeader(headers)) {
    rejection = CodecRejections.ConnectionHeaderRejected;
  }
  let target = url;
  let absoluteAuthority: string | undefined;
  if (method === 'CONNECT' && rejection === undefined) {
    // Authority-form: the target is the :authority, and a CONNECT has no :path (Envoy's codec).
    absoluteAuthority = target;
    target = '';
  }
  if (rejection === undefined && target.charCodeAt(0) !== 47 /* / */ && method !== 'CONNECT') {
    // ServerConnectionImpl::handlePath: `*` only for OPTIONS; else an absolute URL.
    if (target === '*') {
      if (method !== 'OPTIONS') rejection = CodecRejections.InvalidUrl;
    } else {
      const m = ABSOLUTE_URL.exec(target);
      if (m === null || m[2] === '') rejection = CodecRejections.InvalidUrl;
      else {
        const scheme = m[1]!;
        const https = equalsIgnoreCase(scheme, 'https');
        if (!https && !equalsIgnoreCase(scheme, 'http')) rejection = CodecRejections.InvalidScheme;
        else if (https && options.validateScheme) rejection = CodecRejections.HttpsInPlaintext;
        else {
          absoluteAuthority = m[2]!;
          headers['host'] = absoluteAuthority;
          const rest = m[3]!;
          target = rest === '' ? '/' : rest.charCodeAt(0) === 47 ? rest : '/' + rest;
        }
      }
    }
  }
  return {
    method,
    url: target,
    absoluteAuthority,
    versionMajor,
    versionMinor,
    headers,
    headerCount: (raw.length >> 1) - dropped,
    duplicateHost,
    upgrade,
    keepAlive,
    hasBody,
    rejection,
  };
}
