/**
 * HTTP protocol options (envoy.config.core.v3 Http1/Http2/HttpProtocolOptions), shared by the
 * connection manager and clusters. Contract: types.ts, which re-exports them.
 */
import type { DurationMs } from './base_types.js';

/** `envoy.config.core.v3.Http1ProtocolOptions`. */
export interface Http1ProtocolOptions {
  allow_absolute_url?: boolean;
  accept_http_10?: boolean;
  default_host_for_http_10?: string;
  header_key_format?: unknown;
  enable_trailers?: boolean;
  allow_chunked_length?: boolean;
  override_stream_error_on_invalid_http_message?: boolean;
}

/** `envoy.config.core.v3.HttpProtocolOptions`. */
export interface HttpProtocolOptions {
  idle_timeout?: DurationMs;
  max_connection_duration?: DurationMs;
  /** Default 100. */
  max_headers_count?: number;
  max_stream_duration?: DurationMs;
  headers_with_underscores_action?: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
  max_requests_per_connection?: number;
}

/** envoy.config.core.v3.Http2ProtocolOptions as decoded (durations in ms, Percent as a number). */
export interface Http2ProtocolOptions {
  hpack_table_size?: number;
  max_concurrent_streams?: number;
  initial_stream_window_size?: number;
  initial_connection_window_size?: number;
  max_outbound_frames?: number;
  max_outbound_control_frames?: number;
  max_consecutive_inbound_frames_with_empty_payload?: number;
  max_inbound_priority_frames_per_stream?: number;
  max_inbound_window_update_frames_per_data_frame_sent?: number;
  stream_error_on_invalid_http_messaging?: boolean;
  override_stream_error_on_invalid_http_message?: boolean;
  connection_keepalive?: { interval?: number; timeout?: number; interval_jitter?: number; connection_idle_interval?: number };
  use_oghttp2_codec?: boolean;
  max_metadata_size?: bigint | number;
  allow_connect?: unknown;
  allow_metadata?: unknown;
  custom_settings_parameters?: unknown;
}
