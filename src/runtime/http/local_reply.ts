/**
 * Envoy's local replies: status text, response-code details and bodies exactly as Envoy writes
 * them (source/common/http/utility.cc sendLocalReply, source/common/router/router.cc,
 * source/common/http/http1/codec_impl.cc). Pure data and string building.
 */
import type { StreamResetReason, PoolFailureReason } from '../upstream/types.js';
import type { ResponseFlag } from '../stream_info.js';

/** Envoy's CodeUtility::toString for the codes a proxy sends itself; body of codec errors. */
export function statusText(code: number): string {
  switch (code) {
    case 100: return 'Continue';
    case 200: return 'OK';
    case 201: return 'Created';
    case 202: return 'Accepted';
    case 203: return 'Non-Authoritative Information';
    case 204: return 'No Content';
    case 205: return 'Reset Content';
    case 206: return 'Partial Content';
    case 207: return 'Multi-Status';
    case 208: return 'Already Reported';
    case 226: return 'IM Used';
    case 300: return 'Multiple Choices';
    case 301: return 'Moved Permanently';
    case 302: return 'Found';
    case 303: return 'See Other';
    case 304: return 'Not Modified';
    case 305: return 'Use Proxy';
    case 307: return 'Temporary Redirect';
    case 308: return 'Permanent Redirect';
    case 400: return 'Bad Request';
    case 401: return 'Unauthorized';
    case 402: return 'Payment Required';
    case 403: return 'Forbidden';
    case 404: return 'Not Found';
    case 405: return 'Method Not Allowed';
    case 406: return 'Not Acceptable';
    case 407: return 'Proxy Authentication Required';
    case 408: return 'Request Timeout';
    case 409: return 'Conflict';
    case 410: return 'Gone';
    case 411: return 'Length Required';
    case 412: return 'Precondition Failed';
    case 413: return 'Payload Too Large';
    case 414: return 'URI Too Long';
    case 415: return 'Unsupported Media Type';
    case 416: return 'Range Not Satisfiable';
    case 417: return 'Expectation Failed';
    case 421: return 'Misdirected Request';
    case 422: return 'Unprocessable Entity';
    case 423: return 'Locked';
    case 424: return 'Failed Dependency';
    case 426: return 'Upgrade Required';
    case 428: return 'Precondition Required';
    case 429: return 'Too Many Requests';
    case 431: return 'Request Header Fields Too Large';
    case 500: return 'Internal Server Error';
    case 501: return 'Not Implemented';
    case 502: return 'Bad Gateway';
    case 503: return 'Service Unavailable';
    case 504: return 'Gateway Timeout';
    case 505: return 'HTTP Version Not Supported';
    case 506: return 'Variant Also Negotiates';
    case 507: return 'Insufficient Storage';
    case 508: return 'Loop Detected';
    case 510: return 'Not Extended';
    case 511: return 'Network Authentication Required';
    default: return 'Unknown';
  }
}

/** Response code details Envoy uses (StreamInfo::ResponseCodeDetails, Http1ResponseCodeDetails). */
export const Details = {
  RouteNotFound: 'route_not_found',
  ClusterNotFound: 'cluster_not_found',
  DirectResponse: 'direct_response',
  MaintenanceMode: 'maintenance_mode',
  NoHealthyUpstream: 'no_healthy_upstream',
  ResponseTimeout: 'response_timeout',
  UpstreamPerTryTimeout: 'upstream_per_try_timeout',
  ViaUpstream: 'via_upstream',
  StreamIdleTimeout: 'stream_idle_timeout',
  RequestOverallTimeout: 'request_overall_timeout',
  LowVersion: 'low_version',
  MissingHost: 'missing_host_header',
  UpgradeFailed: 'upgrade_failed',
  TooManyHeaders: 'http1.too_many_headers',
  HeadersTooLarge: 'http1.headers_too_large',
  HttpCodecError: 'http1.codec_error',
  InvalidCharacters: 'http1.invalid_characters',
  InvalidUrl: 'http1.invalid_url',
  DownstreamRemoteDisconnect: 'downstream_remote_disconnect',
  DownstreamLocalDisconnect: 'downstream_local_disconnect',
  /** The client reset an HTTP/2 stream (RST_STREAM): flag DR (Http2ResponseCodeDetails). */
  Http2RemoteReset: 'http2.remote_reset',
  RequestHeaderTimeout: 'request_header_timeout',
  EarlyUpstreamReset: 'upstream_reset_before_response_started',
  LateUpstreamReset: 'upstream_reset_after_response_started',
} as const;

/** Envoy's Http::Utility::resetReasonToString. */
export function resetReasonToString(reason: EnvoyResetReason): string {
  switch (reason) {
    case 'local_connection_failure': return 'local connection failure';
    case 'remote_connection_failure': return 'remote connection failure';
    case 'connection_timeout': return 'connection timeout';
    case 'connection_termination': return 'connection termination';
    case 'local_reset': return 'local reset';
    case 'overflow': return 'overflow';
    case 'remote_reset': return 'remote reset';
    case 'protocol_error': return 'protocol error';
  }
}

/** Envoy's Http::StreamResetReason values tsproxy produces. */
export type EnvoyResetReason =
  | 'local_connection_failure'
  | 'remote_connection_failure'
  | 'connection_timeout'
  | 'connection_termination'
  | 'local_reset'
  | 'overflow'
  | 'remote_reset'
  | 'protocol_error';

/** The upstream contract's reset reason -> Envoy's. */
export function fromStreamResetReason(r: StreamResetReason): EnvoyResetReason {
  switch (r) {
    case 'connection_failure': return 'remote_connection_failure';
    case 'connection_termination': return 'connection_termination';
    case 'remote_reset': return 'remote_reset';
    case 'local_reset': return 'local_reset';
    case 'overflow': return 'overflow';
    case 'protocol_error': return 'protocol_error';
  }
}

/** Pool failure -> reset reason, as Envoy's UpstreamRequest::onPoolFailure maps it. */
export function fromPoolFailureReason(r: PoolFailureReason): EnvoyResetReason {
  switch (r) {
    case 'overflow': return 'overflow';
    case 'local_connection_failure': return 'local_connection_failure';
    case 'remote_connection_failure': return 'remote_connection_failure';
    case 'timeout': return 'connection_timeout';
  }
}

/** Router::Filter::streamResetReasonToResponseFlag. */
export function resetReasonToResponseFlag(r: EnvoyResetReason): ResponseFlag {
  switch (r) {
    case 'local_connection_failure':
    case 'remote_connection_failure':
    case 'connection_timeout':
      return 'UF';
    case 'connection_termination': return 'UC';
    case 'local_reset': return 'LR';
    case 'overflow': return 'UO';
    case 'remote_reset': return 'UR';
    case 'protocol_error': return 'UPE';
  }
}

/**
 * Body of the router's reset local reply:
 * `upstream connect error or disconnect/reset before headers. [retried and the latest ]reset
 * reason: <reason>[, transport failure reason: <tfr>]`.
 */
export function upstreamResetBody(r: EnvoyResetReason, transportFailureReason: string, retried: boolean): string {
  return (
    'upstream connect error or disconnect/reset before headers. ' +
    (retried ? 'retried and the latest ' : '') +
    'reset reason: ' +
    resetReasonToString(r) +
    (transportFailureReason ? ', transport failure reason: ' + transportFailureReason : '')
  );
}

/**
 * Details of the router's reset local reply, spaces replaced by `_` (StringUtil::replaceAllEmptySpace):
 * `upstream_reset_before_response_started{remote_connection_failure[,tfr]}`.
 */
export function upstreamResetDetails(r: EnvoyResetReason, transportFailureReason: string, late: boolean): string {
  const s =
    (late ? Details.LateUpstreamReset : Details.EarlyUpstreamReset) +
    '{' +
    resetReasonToString(r) +
    (transportFailureReason ? ',' + transportFailureReason : '') +
    '}';
  return s.replace(/\s/g, '_');
}
