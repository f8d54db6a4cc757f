/**
 * The downstream HTTP/1 codec's stats (Envoy's Http1::CodecStats, source/common/http/http1/
 * codec_stats.h). Envoy creates them in the HCM's factory-context scope, which for a listener
 * is the server's root scope, with the prefix `http1.`: so they are `http1.<name>`, shared by
 * every HTTP connection manager (not `http.<stat_prefix>.`, not `listener.<address>.`). Upstream
 * codecs root theirs at `cluster.<name>.http1.` instead (not kept by tsproxy).
 */
import type { Counter, StatsStore } from '../../stats/store.js';

/** `http1.*` counters, resolved once per stats store. */
export interface Http1CodecStats {
  /** Request headers dropped for an underscore in their name (headers_with_underscores_action DROP_HEADER). */
  readonly dropped_headers_with_underscores: Counter;
  /** Never moves in tsproxy (no METADATA on HTTP/1). */
  readonly metadata_not_supported_error: Counter;
  /** Requests refused for an underscore in a header name (REJECT_REQUEST). */
  readonly requests_rejected_with_underscores_in_headers: Counter;
  /** Never moves in tsproxy (pipelined requests are queued with reading paused instead). */
  readonly response_flood: Counter;
}

const byStore = new WeakMap<StatsStore, Http1CodecStats>();

/** The `http1.*` counters of `store` (created on first use, as Envoy's CodecStats::atomicGet). */
export function http1CodecStats(store: StatsStore): Http1CodecStats {
  let s = byStore.get(store);
  if (s === undefined) {
    s = {
      dropped_headers_with_underscores: store.counter('http1.dropped_headers_with_underscores'),
      metadata_not_supported_error: store.counter('http1.metadata_not_supported_error'),
      requests_rejected_with_underscores_in_headers: store.counter('http1.requests_rejected_with_underscores_in_headers'),
      response_flood: store.counter('http1.response_flood'),
    };
    byStore.set(store, s);
  }
  return s;
}
