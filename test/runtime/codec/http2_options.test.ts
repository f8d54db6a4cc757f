// http2_protocol_options with Envoy's defaults, their mapping onto node:http2, the http2.* stat
// names (Envoy's source/common/http/http2/codec_stats.h) and the premature-reset thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientSessionOptions, DEFAULT_HEADER_LIMITS, DEFAULT_HTTP2_PROTOCOL_OPTIONS, http2ProtocolOptions, serverSessionOptions } from '../../../src/runtime/codec/http2/options.js';
import { HTTP2_CODEC_STAT_NAMES, http2CodecStats } from '../../../src/runtime/codec/http2/stats.js';
import { PrematureResetTracker } from '../../../src/runtime/codec/premature_reset.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';

test("Envoy's defaults", () => {
  const o = http2ProtocolOptions();
  assert.equal(o, DEFAULT_HTTP2_PROTOCOL_OPTIONS);
  assert.equal(o.maxConcurrentStreams, 2147483647);
  assert.equal(o.initialStreamWindowSize, 268435456);
  assert.equal(o.initialConnectionWindowSize, 268435456);
  assert.equal(o.maxOutboundFrames, 10000);
  assert.equal(o.maxOutboundControlFrames, 1000);
  assert.equal(o.maxConsecutiveInboundFramesWithEmptyPayload, 1);
  assert.equal(o.maxInboundPriorityFramesPerStream, 100);
  assert.equal(o.maxInboundWindowUpdateFramesPerDataFrameSent, 10);
  assert.equal(o.streamErrorOnInvalidHttpMessaging, false);
  assert.equal(o.connectionKeepalive, undefined);
});

test('stream error on invalid messaging: the override wins, then the HCM field, then the deprecated one', () => {
  assert.equal(http2ProtocolOptions({ stream_error_on_invalid_http_messaging: true }).streamErrorOnInvalidHttpMessaging, true);
  assert.equal(http2ProtocolOptions({ stream_error_on_invalid_http_messaging: true }, false).streamErrorOnInvalidHttpMessaging, false);
  assert.equal(http2ProtocolOptions({ override_stream_error_on_invalid_http_message: true }, false).streamErrorOnInvalidHttpMessaging, true);
  assert.equal(http2ProtocolOptions(undefined, true).streamErrorOnInvalidHttpMessaging, true);
});

test('connection_keepalive: durations in ms, interval_jitter defaults to 15 %', () => {
  const k = http2ProtocolOptions({ connection_keepalive: { interval: 30000, timeout: 5000 } }).connectionKeepalive!;
  assert.deepEqual(k, { intervalMs: 30000, timeoutMs: 5000, intervalJitterPercent: 15, connectionIdleIntervalMs: 0 });
});

test('the node:http2 session options', () => {
  const s = serverSessionOptions(DEFAULT_HTTP2_PROTOCOL_OPTIONS, DEFAULT_HEADER_LIMITS);
  assert.equal(s.settings!.maxConcurrentStreams, 2147483647);
  assert.equal(s.settings!.initialWindowSize, 268435456);
  assert.equal(s.settings!.headerTableSize, 4096);
  assert.equal(s.strictFieldWhitespaceValidation, false);
  // Node's own header limits sit above Envoy's 60 KiB / 100 headers, so ours are seen and counted.
  assert.ok(s.settings!.maxHeaderListSize! > 60 * 1024);
  assert.ok(s.maxHeaderListPairs! > 100);
  assert.equal(s.maxSessionInvalidFrames, 0);
  assert.equal(serverSessionOptions(http2ProtocolOptions({ override_stream_error_on_invalid_http_message: true }), DEFAULT_HEADER_LIMITS).maxSessionInvalidFrames, 1000);
  const c = clientSessionOptions(DEFAULT_HTTP2_PROTOCOL_OPTIONS, DEFAULT_HEADER_LIMITS);
  assert.equal(c.settings!.enablePush, false);
  assert.equal(c.peerMaxConcurrentStreams, 2147483647);
});

test("http2.* stats: Envoy's ALL_HTTP2_CODEC_STATS, rooted at http2. (downstream) or cluster.<name>.http2.", () => {
  assert.deepEqual([...HTTP2_CODEC_STAT_NAMES.counters].sort(), [
    'dropped_headers_with_underscores', 'goaway_graceful_sent', 'goaway_sent', 'header_overflow', 'headers_cb_no_stream',
    'inbound_empty_frames_flood', 'inbound_priority_frames_flood', 'inbound_window_update_frames_flood', 'keepalive_timeout',
    'metadata_empty_frames', 'outbound_control_flood', 'outbound_flood', 'requests_rejected_with_underscores_in_headers',
    'rx_messaging_error', 'rx_reset', 'stream_refused_errors', 'trailers', 'tx_flush_timeout', 'tx_reset',
  ]);
  assert.deepEqual([...HTTP2_CODEC_STAT_NAMES.gauges].sort(), ['deferred_stream_close', 'outbound_control_frames_active', 'outbound_frames_active', 'pending_send_bytes', 'streams_active']);
  const store = new StatsStore();
  const down = http2CodecStats(store.scope(''));
  const up = http2CodecStats(store.scope('cluster.web.'));
  assert.equal(down, http2CodecStats(store.scope('')));
  down.rx_reset.inc();
  up.tx_reset.inc(2);
  assert.equal(store.counterValue('http2.rx_reset'), 1);
  assert.equal(store.counterValue('cluster.web.http2.tx_reset'), 2);
  assert.ok(store.gauges.has('http2.streams_active'));
});

test("premature resets: Envoy's thresholds (half of 500 before 500 closed streams, then half of all)", () => {
  const t = new PrematureResetTracker();
  assert.equal(t.isPremature(999, false), true);
  assert.equal(t.isPremature(1999, false), true); // whole seconds: 1 s is not above 1 s
  assert.equal(t.isPremature(2000, false), false);
  assert.equal(t.isPremature(10, true), false);
  for (let i = 0; i < 249; i++) assert.equal(t.onStreamClosed(true), false);
  assert.equal(t.onStreamClosed(true), true);
  const u = new PrematureResetTracker();
  for (let i = 0; i < 600; i++) assert.equal(u.onStreamClosed(false), false);
  for (let i = 0; i < 599; i++) assert.equal(u.onStreamClosed(true), false);
  assert.equal(u.onStreamClosed(true), true);
});
