/**
 * `envoy.config.core.v3.Http2ProtocolOptions` (protocol.proto), decoded: the upstream HTTP/2
 * settings of a cluster (Cluster.http2_protocol_options, HttpProtocolOptions
 * explicit_http_config / use_downstream_protocol_config) and of the HCM (downstream). Bounds are
 * Envoy's validate rules.
 */
import { bool, dur, message, msg, pct, raw, u32, u64, unsupported, type MessageDescriptor } from './descriptor.js';

const KEEPALIVE_SETTINGS: MessageDescriptor = message('envoy.config.core.v3.KeepaliveSettings', {
  interval: dur(),
  timeout: dur({ required: true }),
  interval_jitter: pct(),
  connection_idle_interval: dur(),
});

export const HTTP2_PROTOCOL_OPTIONS_MESSAGE: MessageDescriptor = message('envoy.config.core.v3.Http2ProtocolOptions', {
  hpack_table_size: u32(),
  max_concurrent_streams: u32({ check: { min: 1, max: 2147483647 } }),
  initial_stream_window_size: u32({ check: { min: 65535, max: 2147483647 } }),
  initial_connection_window_size: u32({ check: { min: 65535, max: 2147483647 } }),
  allow_connect: bool(),
  allow_metadata: unsupported('HTTP/2 METADATA frames (allow_metadata)'),
  max_outbound_frames: u32({ check: { min: 1 } }),
  max_outbound_control_frames: u32({ check: { min: 1 } }),
  max_consecutive_inbound_frames_with_empty_payload: u32(),
  max_inbound_priority_frames_per_stream: u32(),
  max_inbound_window_update_frames_per_data_frame_sent: u32({ check: { min: 1 } }),
  stream_error_on_invalid_http_messaging: bool({ deprecated: 'use override_stream_error_on_invalid_http_message' }),
  override_stream_error_on_invalid_http_message: bool(),
  custom_settings_parameters: unsupported('custom HTTP/2 SETTINGS parameters', { repeated: true }),
  connection_keepalive: msg(() => KEEPALIVE_SETTINGS),
  use_oghttp2_codec: bool(),
  max_metadata_size: u64(),
  enable_huffman_encoding: raw(),
});
