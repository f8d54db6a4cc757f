/**
 * The connection manager's request and response header mutation, as Envoy's
 * ConnectionManagerUtility::mutateRequestHeaders / cleanInternalHeaders / mutateResponseHeaders
 * (conn_manager_utility.cc) and ActiveStream::encodeHeaders (the `server` header). Pure: the
 * request id comes from an injected source. Hop-by-hop headers (`connection`, `keep-alive`,
 * `proxy-connection`, `transfer-encoding`, `upgrade`) are dropped by the codec layer when the
 * request is encoded upstream, not here.
 *
 * Internal vs external, exactly as Envoy decides it:
 *  - `use_remote_address: true`: the trusted client address is the XFF entry
 *    `xff_num_trusted_hops` from the right (before the append), else the peer; the peer is
 *    appended to XFF (Envoy's own address for a loopback peer) unless `skip_xff_append`; the
 *    request can be internal only when it arrived WITHOUT an XFF.
 *  - `use_remote_address: false` (default): the client address is the XFF entry
 *    `xff_num_trusted_hops` from the right; the request can be internal only when XFF holds that
 *    single address (no trusted hops) — without XFF it is external.
 *  - internal additionally needs the address to be internal per `internal_address_config`
 *    (internal_address.ts: by default nothing is, since Envoy 1.33).
 * Every request loses a client-sent `x-envoy-internal`; a request that is not internal loses the
 * `x-envoy-*` control headers below and the route configuration's `internal_only_headers`; an
 * edge request (not internal, `use_remote_address`) also loses the decorator/downstream-service
 * headers and gets `x-envoy-external-address`.
 */
import type { InternalAddressConfig, IpAddress } from './internal_address.js';
import { isInternalAddress, isLoopbackAddress, parseIpAddress } from './internal_address.js';
import { DEFAULT_XFCC_CONFIG, mutateXfccRequestHeader, type DownstreamTlsFacts, type XfccConfig } from './xfcc.js';

type Headers = Record<string, string | string[] | undefined>;

/** Headers cleanInternalHeaders removes from every request that is not internal (current Envoy). */
export const ENVOY_CONTROL_REQUEST_HEADERS: readonly string[] = [
  'x-envoy-retriable-status-codes',
  'x-envoy-retriable-header-names',
  'x-envoy-retry-on',
  'x-envoy-retry-grpc-on',
  'x-envoy-max-retries',
  'x-envoy-upstream-alt-stat-name',
  'x-envoy-upstream-rq-timeout-ms',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-upstream-rq-timeout-alt-response',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-force-trace',
  'x-envoy-ip-tags',
  'x-envoy-original-url',
  'x-envoy-hedge-on-per-try-timeout',
];

/** Removed from edge requests only. */
export const ENVOY_EDGE_REQUEST_HEADERS: readonly string[] = [
  'x-envoy-decorator-operation',
  'x-envoy-downstream-service-cluster',
  'x-envoy-downstream-service-node',
];

/** The HCM fields mutateRequestHeaders reads, compiled. */
export interface RequestMutationConfig {
  readonly useRemoteAddress: boolean;
  readonly xffNumTrustedHops: number;
  readonly skipXffAppend: boolean;
  readonly internalAddresses: InternalAddressConfig | undefined;
  /** `via` ('' when unset): appended to the request's and the response's `via`. */
  readonly via: string;
  readonly generateRequestId: boolean;
  readonly preserveExternalRequestId: boolean;
  /** `scheme_header_transformation.scheme_to_overwrite`: sets `:scheme` and x-forwarded-proto. */
  readonly schemeToOverwrite: string | undefined;
  /** Route configuration `internal_only_headers`, lowercase. */
  readonly internalOnlyHeaders: readonly string[];
  readonly appendXForwardedPort: boolean;
  /**
   * Envoy's own address (its local_info address: the first non-loopback IPv4 of the host),
   * appended to XFF instead of a loopback peer's 127.0.0.1.
   */
  readonly serverAddress: string;
  /** `forward_client_cert_details` / `set_current_client_cert_details` (xfcc.ts); default SANITIZE. */
  readonly xfcc?: XfccConfig;
}

/** The connection a request arrived on. */
export interface DownstreamPeer {
  /** Peer IP without port (`::ffff:` already stripped). */
  readonly remoteAddress: string;
  /** The port the connection arrived on (x-forwarded-port). */
  readonly localPort?: number | undefined;
  /** The TLS facts of the connection (peer certificate, for XFCC); undefined for plaintext. */
  readonly transport?: DownstreamTlsFacts | undefined;
}

/** The request fields mutateRequestHeaders edits (RouteRequest and RequestHeaderMap both fit). */
export interface MutableRequest {
  scheme: string;
  headers: Headers;
}

/** What mutateRequestHeaders decided. Shared constants: the hot path allocates nothing. */
export interface RequestTrust {
  /** Internal (trusted) request: `x-envoy-internal: true` was set, control headers kept. */
  readonly internal: boolean;
  /** External request under `use_remote_address`: Envoy is its first hop. */
  readonly edge: boolean;
}
const INTERNAL: RequestTrust = Object.freeze({ internal: true, edge: false });
const EXTERNAL: RequestTrust = Object.freeze({ internal: false, edge: false });
const EDGE: RequestTrust = Object.freeze({ internal: false, edge: true });

/** Envoy's request id source (UUIDRequestIDExtension). */
export interface RequestIdSource {
  uuid(): string;
}

/** One header value as text (a list joined as the codec joins repeats). */
function text(v: string | string[] | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
}

/**
 * Utility::getLastAddressFromXFF: the XFF entry `skip` from the right, trimmed, if it is an IP
 * literal; `single` when XFF holds only that one entry (and nothing was skipped).
 */
export function lastAddressFromXff(xff: string | undefined, skip: number): XffAddress {
  if (xff === undefined) return NO_XFF_ADDRESS;
  let s = xff;
  for (let i = 0; i < skip; i++) {
    const comma = s.lastIndexOf(',');
    if (comma === -1) return NO_XFF_ADDRESS;
    s = s.slice(0, comma);
  }
  const comma = s.lastIndexOf(',');
  if (comma !== -1 && comma + 1 < s.length) s = s.slice(comma + 1);
  s = s.trim();
  const address = parseIpAddress(s);
  return address === undefined ? NO_XFF_ADDRESS : { address, text: s, single: comma === -1 && skip === 0 };
}

/** An address taken from x-forwarded-for. */
export interface XffAddress {
  readonly address: IpAddress | undefined;
  readonly text: string;
  readonly single: boolean;
}
/** No usable XFF entry (shared: most requests carry no XFF). */
const NO_XFF_ADDRESS: XffAddress = Object.freeze({ address: undefined, text: '', single: false });

/** HeaderUtility::schemeIsValid: http or https, any case. */
function schemeIsValid(s: string | undefined): s is string {
  if (s === 'http' || s === 'https') return true;
  if (s === undefined || (s.length !== 4 && s.length !== 5)) return false;
  const l = s.toLowerCase();
  return l === 'http' || l === 'https';
}

/**
 * Envoy keeps a `referer` only when it parses as an absolute URL (Utility::Url::initialize over
 * http_parser: a scheme of letters, `://`, a non-empty authority, no whitespace or controls) and
 * appears once.
 */
function refererIsValid(v: string | string[]): boolean {
  if (typeof v !== 'string') return false;
  return /^[A-Za-z]+:\/\/[^\x00-\x20\x7f/?#]+[^\x00-\x20\x7f]*$/.test(v);
}

/**
 * mutateRequestHeaders. `tls` is the downstream transport. Mutates `request` in place; returns
 * whether it is internal / edge.
 */
export function mutateRequestHeaders(
  request: MutableRequest,
  peer: DownstreamPeer,
  tls: boolean,
  config: RequestMutationConfig,
  ids: RequestIdSource,
): RequestTrust {
  const headers = request.headers;
  if (headers['x-envoy-internal'] !== undefined) delete headers['x-envoy-internal'];
  const referer = headers['referer'];
  if (referer !== undefined && !refererIsValid(referer)) delete headers['referer'];

  const hops = config.xffNumTrustedHops;
  const ownScheme = tls ? 'https' : 'http';
  let finalAddress: IpAddress | undefined;
  let finalText = '';
  let allowTrusted: boolean;
  if (config.useRemoteAddress) {
    const xff = text(headers['x-forwarded-for']);
    allowTrusted = xff === undefined;
    if (hops > 0) {
      const r = lastAddressFromXff(xff, hops - 1);
      finalAddress = r.address;
      finalText = r.text;
    }
    if (finalAddress === undefined) {
      finalAddress = parseIpAddress(peer.remoteAddress);
      finalText = peer.remoteAddress;
    }
    if (!config.skipXffAppend && peer.remoteAddress !== '') {
      const own = isLoopbackAddress(peer.remoteAddress) ? config.serverAddress : peer.remoteAddress;
      headers['x-forwarded-for'] = xff === undefined || xff === '' ? own : `${xff},${own}`;
    }
    // The prior hop is not trusted: its x-forwarded-proto (and -port) are overwritten.
    if (hops === 0 || headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = ownScheme;
    if (config.appendXForwardedPort && peer.localPort !== undefined && (hops === 0 || headers['x-forwarded-port'] === undefined)) {
      headers['x-forwarded-port'] = String(peer.localPort);
    }
  } else {
    const r = lastAddressFromXff(text(headers['x-forwarded-for']), hops);
    finalAddress = r.address;
    finalText = r.text;
    allowTrusted = r.single;
  }
  if (headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = ownScheme;
  if (config.appendXForwardedPort && peer.localPort !== undefined && headers['x-forwarded-port'] === undefined) {
    headers['x-forwarded-port'] = String(peer.localPort);
  }
  if (config.schemeToOverwrite !== undefined) {
    request.scheme = config.schemeToOverwrite;
    headers['x-forwarded-proto'] = config.schemeToOverwrite;
  } else {
    // An HTTP/1 request carries no :scheme: x-forwarded-proto when it is a valid scheme, else the
    // transport's (X-Forwarded-Proto and :scheme may still differ).
    const xfp = text(headers['x-forwarded-proto']);
    request.scheme = schemeIsValid(xfp) ? xfp : ownScheme;
  }

  const internal = allowTrusted && finalAddress !== undefined && isInternalAddress(finalAddress, config.internalAddresses);
  if (finalAddress === undefined) finalText = peer.remoteAddress;
  const edge = !internal && config.useRemoteAddress;
  if (internal) headers['x-envoy-internal'] = 'true';
  else cleanInternalHeaders(headers, edge, config.internalOnlyHeaders);

  if (config.via !== '') appendVia(headers, config.via);
  if (edge && finalText !== '') headers['x-envoy-external-address'] = finalText;

  if (config.generateRequestId) setRequestId(headers, edge, config.preserveExternalRequestId, ids);
  mutateXfccRequestHeader(headers, peer.transport, config.xfcc ?? DEFAULT_XFCC_CONFIG);
  return internal ? INTERNAL : edge ? EDGE : EXTERNAL;
}

/** x-envoy-* name -> removed from every request that is not internal (true) or from edge requests only (false). */
const CLEANED: ReadonlyMap<string, boolean> = new Map([
  ...ENVOY_CONTROL_REQUEST_HEADERS.map((n) => [n, true] as const),
  ...ENVOY_EDGE_REQUEST_HEADERS.map((n) => [n, false] as const),
]);

/**
 * ConnectionManagerUtility::cleanInternalHeaders. Walks the request's own headers (a handful)
 * rather than probing every name on the list: this runs on most requests.
 */
export function cleanInternalHeaders(headers: Headers, edge: boolean, internalOnlyHeaders: readonly string[]): void {
  for (const name in headers) {
    // `x-envoy-` only: one char test rejects nearly every other header.
    if (name.charCodeAt(0) !== 120 /* x */ || !name.startsWith('x-envoy-')) continue;
    const always = CLEANED.get(name);
    if (always === true || (always === false && edge)) delete headers[name];
  }
  for (let i = 0; i < internalOnlyHeaders.length; i++) {
    const name = internalOnlyHeaders[i]!;
    if (headers[name] !== undefined) delete headers[name];
  }
}

/** Utility::appendVia: `, `-separated. */
function appendVia(headers: Record<string, string | string[] | number | undefined>, via: string): void {
  const prev = headers['via'];
  const p = prev === undefined ? '' : Array.isArray(prev) ? prev.join(', ') : String(prev);
  headers['via'] = p === '' ? via : `${p}, ${via}`;
}

/** UUID character Envoy packs the trace decision into; `4` is "not traceable". */
const TRACE_BYTE_POSITION = 14;

/**
 * UUIDRequestIDExtension::set: a request without x-request-id gets one; an edge request's own id
 * is replaced unless `preserve_external_request_id`, in which case its trace byte is reset.
 */
function setRequestId(headers: Headers, edge: boolean, preserve: boolean, ids: RequestIdSource): void {
  const rid = headers['x-request-id'];
  if (rid === undefined) {
    headers['x-request-id'] = ids.uuid();
    return;
  }
  if (!edge) return;
  if (!preserve) {
    headers['x-request-id'] = ids.uuid();
    return;
  }
  if (typeof rid === 'string' && rid.length === 36) {
    headers['x-request-id'] = rid.slice(0, TRACE_BYTE_POSITION) + '4' + rid.slice(TRACE_BYTE_POSITION + 1);
  }
}

/** The HCM fields that shape every response. */
export interface ResponseMutationConfig {
  /** `server_name` (default "envoy"). */
  readonly serverName: string;
  /** `server_header_transformation` (default OVERWRITE). */
  readonly serverHeaderTransformation: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  readonly alwaysSetRequestIdInResponse: boolean;
  readonly via: string;
}

/**
 * The response header mutation of ActiveStream::encodeHeaders + mutateResponseHeaders: `server`
 * per server_header_transformation; `x-request-id` copied from the request with
 * `always_set_request_id_in_response` (or when the request carries x-envoy-force-trace); `via`
 * appended.
 */
export function mutateResponseHeaders(
  response: Record<string, string | string[] | number | undefined>,
  requestHeaders: Headers | undefined,
  config: ResponseMutationConfig,
): void {
  const t = config.serverHeaderTransformation;
  if (t === 'OVERWRITE' || (t === 'APPEND_IF_ABSENT' && response['server'] === undefined)) response['server'] = config.serverName;
  if (requestHeaders !== undefined && (config.alwaysSetRequestIdInResponse || requestHeaders['x-envoy-force-trace'] !== undefined)) {
    const rid = requestHeaders['x-request-id'];
    if (rid !== undefined) response['x-request-id'] = rid;
  }
  if (config.via !== '') appendVia(response, config.via);
}
