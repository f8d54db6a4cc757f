/**
 * The HTTP/2 codec's stats (Envoy's Http2::CodecStats, source/common/http/http2/codec_stats.h):
 * `http2.<name>` in the scope the codec is built in — the server's root scope for downstream
 * connections (so `http2.rx_reset`, shared by every HTTP connection manager, as Envoy), and
 * `cluster.<name>.` for upstream connections (`cluster.web.http2.rx_reset`). Every stat of
 * Envoy's list exists; those tsproxy cannot observe through node:http2 never move
 * (docs/http2.md says which).
 */
import type { Counter, Gauge, StatsScope } from '../../stats/store.js';

export interface Http2CodecStats {
  readonly dropped_headers_with_underscores: Counter;
  /** GOAWAY frames we sent with NO_ERROR and the last stream id (goAway()). */
  readonly goaway_sent: Counter;
  /** Graceful-drain GOAWAY frames we sent with the maximum stream id (shutdownNotice()). */
  readonly goaway_graceful_sent: Counter;
  /** A request's header list went over max_request_headers_kb / max_headers_count. */
  readonly header_overflow: Counter;
  readonly headers_cb_no_stream: Counter;
  /** Too many frames with an empty payload (Node's invalid-frame limit, see docs/http2.md). */
  readonly inbound_empty_frames_flood: Counter;
  readonly inbound_priority_frames_flood: Counter;
  readonly inbound_window_update_frames_flood: Counter;
  /** connection_keepalive: a PING was not answered within its timeout. */
  readonly keepalive_timeout: Counter;
  readonly metadata_empty_frames: Counter;
  /** The peer does not read and control frames (PING/SETTINGS ACKs) piled up (nghttp2's check). */
  readonly outbound_control_flood: Counter;
  readonly outbound_flood: Counter;
  readonly requests_rejected_with_underscores_in_headers: Counter;
  readonly rx_messaging_error: Counter;
  /** RST_STREAM frames received for streams we knew. */
  readonly rx_reset: Counter;
  readonly stream_refused_errors: Counter;
  /** Request trailers received (server connections). */
  readonly trailers: Counter;
  readonly tx_flush_timeout: Counter;
  /** RST_STREAM frames we sent. */
  readonly tx_reset: Counter;
  readonly streams_active: Gauge;
  /** Body bytes written to streams and not yet taken by nghttp2 (waiting for flow-control window). */
  readonly pending_send_bytes: Gauge;
  readonly deferred_stream_close: Gauge;
  readonly outbound_frames_active: Gauge;
  readonly outbound_control_frames_active: Gauge;
}

const COUNTERS = [
  'dropped_headers_with_underscores',
  'goaway_sent',
  'goaway_graceful_sent',
  'header_overflow',
  'headers_cb_no_stream',
  'inbound_empty_frames_flood',
  'inbound_priority_frames_flood',
  'inbound_window_update_frames_flood',
  'keepalive_timeout',
  'metadata_empty_frames',
  'outbound_control_flood',
  'outbound_flood',
  'requests_rejected_with_underscores_in_headers',
  'rx_messaging_error',
  'rx_reset',
  'stream_refused_errors',
  'trailers',
  'tx_flush_timeout',
  'tx_reset',
] as const;

const GAUGES = ['streams_active', 'pending_send_bytes', 'deferred_stream_close', 'outbound_frames_active', 'outbound_control_frames_active'] as const;

/** Every `http2.*` stat name, as Envoy lists them (for tests and the stat-name check). */
export const HTTP2_CODEC_STAT_NAMES: { readonly counters: readonly string[]; readonly gauges: readonly string[] } = { counters: COUNTERS, gauges: GAUGES };

const cache = new WeakMap<object, Map<string, Http2CodecStats>>();

/** The `http2.*` stats under `scope` (created on first use, as Envoy's CodecStats::atomicGet). */
export function http2CodecStats(scope: StatsScope): Http2CodecStats {
  let byPrefix = cache.get(scope.store);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    cache.set(scope.store, byPrefix);
  }
  let s = byPrefix.get(scope.prefix);
  if (s === undefined) {
    const h = scope.scope('http2.');
    const out: Record<string, Counter | Gauge> = {};
    for (const n of COUNTERS) out[n] = h.counter(n);
    for (const n of GAUGES) out[n] = h.gauge(n);
    s = out as unknown as Http2CodecStats;
    byPrefix.set(scope.prefix, s);
  }
  return s;
}
