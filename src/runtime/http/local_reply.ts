/**
 * Envoy's local replies: status text, response-code details and bodies exactly as Envoy writes
 * them (source/common/http/utility.cc sendLocalReply, source/common/router/router.cc,
 * source/common/http/http1/codec_impl.cc). Pure data and string building.
 */
import type { StreamResetReason, PoolFailureReason } from '../upstream/types.js';
import type { ResponseFlag } from '../stream_info.js';

export { statusText } from '../codec/status.js';

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
  /** max_stream_duration reached (DT). */
  MaxDurationTimeout: 'max_duration_timeout',
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
