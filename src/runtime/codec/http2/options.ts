/**
 * Envoy's `http2_protocol_options` (config.core.v3.Http2ProtocolOptions) with Envoy's defaults,
 * and their mapping onto node:http2 session options. Each field says who enforces it:
 * nghttp2 (inside node:http2), our codec, or nobody (and why); docs/http2.md has the table.
 */
import type { ServerSessionOptions, ClientSessionOptions, Settings } from 'node:http2';
/** The decoded config message (config/types.ts), as the HCM and clusters carry it. */
import type { Http2ProtocolOptions as Http2ProtocolOptionsConfig } from '../../../config/types.js';

/** `connection_keepalive` (KeepaliveSettings); durations in ms. */
export interface Http2KeepaliveSettings {
  /** Send a PING this often (0: only `connectionIdleIntervalMs` pings). */
  readonly intervalMs: number;
  /** Close the connection when a PING is not acknowledged within this. Required by Envoy. */
  readonly timeoutMs: number;
  /** Jitter added to each interval, in percent of it (Envoy's default 15). */
  readonly intervalJitterPercent: number;
  /** Client connections: PING before a new stream when the connection was idle this long (0: off). */
  readonly connectionIdleIntervalMs: number;
}

/** Resolved HTTP/2 protocol options (camelCase, defaults applied). */
export interface Http2ProtocolOptions {
  /** `hpack_table_size` (4096): SETTINGS_HEADER_TABLE_SIZE; nghttp2 enforces. */
  readonly hpackTableSize: number;
  /** `max_concurrent_streams` (2147483647): SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 refuses more. */
  readonly maxConcurrentStreams: number;
  /** `initial_stream_window_size` (256 MiB): SETTINGS_INITIAL_WINDOW_SIZE. */
  readonly initialStreamWindowSize: number;
  /** `initial_connection_window_size` (256 MiB): a connection-level WINDOW_UPDATE at start. */
  readonly initialConnectionWindowSize: number;
  /** `max_outbound_frames` (10000): not enforced per frame (node:http2 hides the queue); see docs. */
  readonly maxOutboundFrames: number;
  /** `max_outbound_control_frames` (1000): nghttp2's own ACK-queue limit (1000) enforces it. */
  readonly maxOutboundControlFrames: number;
  /** `max_consecutive_inbound_frames_with_empty_payload` (1): Node's invalid-frame limit. */
  readonly maxConsecutiveInboundFramesWithEmptyPayload: number;
  /** `max_inbound_priority_frames_per_stream` (100): not enforced (PRIORITY frames are invisible to JS). */
  readonly maxInboundPriorityFramesPerStream: number;
  /** `max_inbound_window_update_frames_per_data_frame_sent` (10): not enforced. */
  readonly maxInboundWindowUpdateFramesPerDataFrameSent: number;
  /**
   * `stream_error_on_invalid_http_messaging` / `override_stream_error_on_invalid_http_message`
   * (false). nghttp2 always answers an invalid request with a stream error (RST_STREAM
   * PROTOCOL_ERROR); with false, Node's invalid-frame limit is kept at Envoy's empty-frame
   * value so a second invalid frame closes the connection (Envoy closes at the first).
   */
  readonly streamErrorOnInvalidHttpMessaging: boolean;
  /** `connection_keepalive`, or undefined (no PINGs: Envoy's default). */
  readonly connectionKeepalive: Http2KeepaliveSettings | undefined;
  /**
   * `allow_connect` (false): SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441) on downstream
   * connections, so clients may open extended CONNECT streams (`:protocol`, e.g. WebSocket);
   * without it nghttp2 refuses them.
   */
  readonly allowConnect: boolean;
}

/** Envoy's defaults (Http2::Utility::OptionsLimits and protocol.proto). */
export const DEFAULT_HTTP2_PROTOCOL_OPTIONS: Http2ProtocolOptions = Object.freeze({
  hpackTableSize: 4096,
  maxConcurrentStreams: 2147483647,
  initialStreamWindowSize: 268435456,
  initialConnectionWindowSize: 268435456,
  maxOutboundFrames: 10000,
  maxOutboundControlFrames: 1000,
  maxConsecutiveInboundFramesWithEmptyPayload: 1,
  maxInboundPriorityFramesPerStream: 100,
  maxInboundWindowUpdateFramesPerDataFrameSent: 10,
  streamErrorOnInvalidHttpMessaging: false,
  connectionKeepalive: undefined,
  allowConnect: false,
});

/** Resolves a decoded `http2_protocol_options` (or nothing) with Envoy's defaults. */
export function http2ProtocolOptions(config?: Http2ProtocolOptionsConfig, hcmStreamErrorOnInvalidHttpMessage?: boolean): Http2ProtocolOptions {
  const d = DEFAULT_HTTP2_PROTOCOL_OPTIONS;
  if (config === undefined && hcmStreamErrorOnInvalidHttpMessage === undefined) return d;
  const c = config ?? {};
  const ka = c.connection_keepalive;
  return {
    hpackTableSize: c.hpack_table_size ?? d.hpackTableSize,
    maxConcurrentStreams: c.max_concurrent_streams ?? d.maxConcurrentStreams,
    initialStreamWindowSize: c.initial_stream_window_size ?? d.initialStreamWindowSize,
    initialConnectionWindowSize: c.initial_connection_window_size ?? d.initialConnectionWindowSize,
    maxOutboundFrames: c.max_outbound_frames ?? d.maxOutboundFrames,
    maxOutboundControlFrames: c.max_outbound_control_frames ?? d.maxOutboundControlFrames,
    maxConsecutiveInboundFramesWithEmptyPayload: c.max_consecutive_inbound_frames_with_empty_payload ?? d.maxConsecutiveInboundFramesWithEmptyPayload,
    maxInboundPriorityFramesPerStream: c.max_inbound_priority_frames_per_stream ?? d.maxInboundPriorityFramesPerStream,
    maxInboundWindowUpdateFramesPerDataFrameSent: c.max_inbound_window_update_frames_per_data_frame_sent ?? d.maxInboundWindowUpdateFramesPerDataFrameSent,
    // Envoy's Http2::Utility::initializeAndValidateOptions: the override wins, then the HCM's
    // stream_error_on_invalid_http_message, then the deprecated field.
    streamErrorOnInvalidHttpMessaging:
      c.override_stream_error_on_invalid_http_message ?? hcmStreamErrorOnInvalidHttpMessage ?? c.stream_error_on_invalid_http_messaging ?? d.streamErrorOnInvalidHttpMessaging,
    connectionKeepalive:
      ka === undefined
        ? undefined
        : {
            intervalMs: ka.interval ?? 0,
            timeoutMs: ka.timeout ?? 0,
            intervalJitterPercent: ka.interval_jitter ?? 15,
            connectionIdleIntervalMs: ka.connection_idle_interval ?? 0,
          },
    allowConnect: c.allow_connect === true,
  };
}

/** `headers_with_underscores_action` (HttpProtocolOptions; Envoy's default ALLOW). */
export type HeadersWithUnderscoresAction = 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';

/** Header limits from the HTTP connection manager / cluster (Envoy's max_*_headers_kb and count). */
export interface HeaderLimits {
  /** max_request_headers_kb (or max_response_headers_kb) * 1024. */
  readonly maxHeadersBytes: number;
  /** common_http_protocol_options.max_headers_count (100). */
  readonly maxHeadersCount: number;
  /** headers_with_underscores_action (ALLOW). */
  readonly headersWithUnderscoresAction: HeadersWithUnderscoresAction;
}

export const DEFAULT_HEADER_LIMITS: HeaderLimits = Object.freeze({ maxHeadersBytes: 60 * 1024, maxHeadersCount: 100, headersWithUnderscoresAction: 'ALLOW' });

/** Node's own header limits sit above ours, so our codec sees (and counts) an overflow first. */
function nodeHeaderLimits(limits: HeaderLimits): { maxHeaderListPairs: number; maxHeaderListSize: number } {
  return {
    // Pseudo-headers count in Node's pairs; ours counts them too (Envoy's header map holds them).
    maxHeaderListPairs: limits.maxHeadersCount * 2 + 8,
    maxHeaderListSize: Math.min(0xffffffff, Math.max(65535, limits.maxHeadersBytes * 2)),
  };
}

function settingsOf(o: Http2ProtocolOptions, limits: HeaderLimits): Settings {
  return {
    headerTableSize: o.hpackTableSize,
    maxConcurrentStreams: o.maxConcurrentStreams,
    initialWindowSize: o.initialStreamWindowSize,
    maxHeaderListSize: nodeHeaderLimits(limits).maxHeaderListSize,
  };
}

/** node:http2 options for a downstream session (http2.performServerHandshake). */
export function serverSessionOptions(o: Http2ProtocolOptions, limits: HeaderLimits): ServerSessionOptions {
  return {
    settings: o.allowConnect ? { ...settingsOf(o, limits), enableConnectProtocol: true } : settingsOf(o, limits),
    maxHeaderListPairs: nodeHeaderLimits(limits).maxHeaderListPairs,
    // Envoy disables nghttp2's RFC 9113 leading/trailing whitespace check (it would drop such
    // header fields silently): so do we.
    strictFieldWhitespaceValidation: false,
    // Envoy sets an "arbitrarily high" send limit and checks sizes itself.
    maxSendHeaderBlockLength: 0x2000000,
    // Node counts every invalid inbound frame (empty DATA frames, and each request nghttp2
    // refuses) and destroys the session past the limit: our
    // max_consecutive_inbound_frames_with_empty_payload. "> limit" in Node means the
    // (limit+1)th frame, hence -1, as Envoy's "more than max consecutive". With
    // stream_error_on_invalid_http_messaging true a bad request must not cost the connection:
    // Node's default (1000) stays.
    maxSessionInvalidFrames: o.streamErrorOnInvalidHttpMessaging ? 1000 : Math.max(0, o.maxConsecutiveInboundFramesWithEmptyPayload - 1),
  };
}

/** node:http2 options for an upstream session (http2.connect). */
export function clientSessionOptions(o: Http2ProtocolOptions, limits: HeaderLimits): ClientSessionOptions {
  // maxSessionInvalidFrames applies to client sessions too (node's typings list it for servers only).
  const options: ClientSessionOptions & { maxSessionInvalidFrames: number } = {
    // Envoy's client SETTINGS carry ENABLE_PUSH 0 (push is never proxied).
    settings: { ...settingsOf(o, limits), enablePush: false },
    maxHeaderListPairs: nodeHeaderLimits(limits).maxHeaderListPairs,
    strictFieldWhitespaceValidation: false,
    maxSendHeaderBlockLength: 0x2000000,
    // Before the server's SETTINGS arrive, as many streams as we allow ourselves (Envoy lifts
    // nghttp2's initial 100 the same way); the pool then follows the peer's value.
    peerMaxConcurrentStreams: o.maxConcurrentStreams,
    maxSessionInvalidFrames: o.streamErrorOnInvalidHttpMessaging ? 1000 : Math.max(0, o.maxConsecutiveInboundFramesWithEmptyPayload - 1),
    maxReservedRemoteStreams: 0,
  };
  return options;
}
