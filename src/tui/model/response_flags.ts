/**
 * Response flags, derived from stats. Envoy keeps no per-flag counter (flags live in access logs
 * and spans), but most flags are set exactly where Envoy increments a documented counter; this
 * table names that counter for each flag it can honestly show, and says where the count is per
 * connection or per attempt rather than per request. Flags with no such counter (LR, RL, IH, ...)
 * are not shown. docs/top.md and the help screen print this table.
 */
import { counterDelta, type AdminSample, statValue } from './sample.js';

/** Where a flag's counters live: under every cluster, or under every HTTP connection manager. */
export type FlagScope = 'cluster' | 'http';

export interface ResponseFlagSource {
  /** Envoy's short flag, as `%RESPONSE_FLAGS%` prints it. */
  readonly flag: string;
  /** `%RESPONSE_FLAGS_LONG%`. */
  readonly long: string;
  /** What happened to the request. */
  readonly meaning: string;
  readonly scope: FlagScope;
  /** Counters (relative to `cluster.<name>.` or `http.<stat_prefix>.`) summed for this flag. */
  readonly stats: readonly string[];
  /** How the count differs from "requests with this flag", when it does. */
  readonly caveat?: string;
}

export const RESPONSE_FLAG_SOURCES: readonly ResponseFlagSource[] = [
  { flag: 'NR', long: 'NoRouteFound', meaning: 'no virtual host or route matched (404)', scope: 'http', stats: ['no_route'] },
  { flag: 'NC', long: 'NoClusterFound', meaning: "the route's cluster does not exist (503)", scope: 'http', stats: ['no_cluster'] },
  { flag: 'UH', long: 'NoHealthyUpstream', meaning: 'no healthy host in the cluster (503)', scope: 'cluster', stats: ['upstream_cx_none_healthy'] },
  {
    flag: 'UF',
    long: 'UpstreamConnectionFailure',
    meaning: 'connecting to the upstream failed: refused, reset or connect_timeout (503)',
    scope: 'cluster',
    stats: ['upstream_cx_connect_fail'],
    caveat: 'per connection attempt: a failure a retry then recovered is counted too',
  },
  {
    flag: 'UO',
    long: 'UpstreamOverflow',
    meaning: 'a circuit breaker was full, or maintenance mode (503, x-envoy-overloaded)',
    scope: 'cluster',
    stats: ['upstream_rq_pending_overflow', 'upstream_rq_active_overflow', 'upstream_rq_maintenance_mode'],
  },
  { flag: 'UT', long: 'UpstreamRequestTimeout', meaning: 'the route timeout elapsed before the upstream answered (504)', scope: 'cluster', stats: ['upstream_rq_timeout'] },
  {
    flag: 'URX',
    long: 'UpstreamRetryLimitExceeded',
    meaning: 'retries exhausted: the last attempt failed and max_retries was reached',
    scope: 'cluster',
    stats: ['upstream_rq_retry_limit_exceeded'],
  },
  {
    flag: 'UC',
    long: 'UpstreamConnectionTermination',
    meaning: 'the upstream closed the connection mid-request (503)',
    scope: 'cluster',
    stats: ['upstream_cx_destroy_remote_with_active_rq'],
    caveat: 'per connection, not per request',
  },
  { flag: 'UR', long: 'UpstreamRemoteReset', meaning: 'the upstream reset the stream (503)', scope: 'cluster', stats: ['upstream_rq_rx_reset'] },
  { flag: 'UPE', long: 'UpstreamProtocolError', meaning: 'the upstream sent malformed HTTP (502/503)', scope: 'cluster', stats: ['upstream_cx_protocol_error'], caveat: 'per connection' },
  { flag: 'UMSDR', long: 'UpstreamMaxStreamDurationReached', meaning: "the upstream stream hit the route's max_stream_duration", scope: 'cluster', stats: ['upstream_rq_max_duration_reached'] },
  {
    flag: 'DC',
    long: 'DownstreamConnectionTermination',
    meaning: 'the client went away before the response was complete',
    scope: 'http',
    stats: ['downstream_cx_destroy_remote_active_rq', 'downstream_rq_rx_reset'],
    caveat: 'HTTP/1: per connection closed with a request in flight; HTTP/2: per stream reset',
  },
  { flag: 'DPE', long: 'DownstreamProtocolError', meaning: 'the client sent malformed HTTP (400)', scope: 'http', stats: ['downstream_cx_protocol_error'], caveat: 'per connection' },
  { flag: 'SI', long: 'StreamIdleTimeout', meaning: 'stream_idle_timeout elapsed (408 or reset)', scope: 'http', stats: ['downstream_rq_idle_timeout'] },
  { flag: 'DT', long: 'DurationTimeout', meaning: 'the stream hit max_stream_duration', scope: 'http', stats: ['downstream_rq_max_duration_reached'] },
  { flag: 'FI', long: 'FaultInjected', meaning: 'the fault filter aborted the request', scope: 'http', stats: ['fault.aborts_injected'] },
  { flag: 'DI', long: 'DelayInjected', meaning: 'the fault filter delayed the request', scope: 'http', stats: ['fault.delays_injected'] },
];

/** A flag's activity: per second between the last two samples, and in total since start. */
export interface FlagReading {
  readonly source: ResponseFlagSource;
  /** Per second over the last poll; null on the first poll or after a counter reset. */
  readonly rate: number | null;
  /** Sum of the counters now (since the server started or counters were reset). */
  readonly total: number;
  /** The cluster or connection manager contributing most: in the last poll, then since start. */
  readonly topScope?: string;
}

/** Full stat names of a flag's counters under one scope name. */
export function flagStatNames(source: ResponseFlagSource, scopeName: string): string[] {
  const root = source.scope === 'cluster' ? 'cluster' : 'http';
  return source.stats.map((s) => `${root}.${scopeName}.${s}`);
}

/**
 * Every flag's reading. `clusters` are cluster stat names, `httpPrefixes` connection manager
 * stat prefixes; `seconds` the time between the samples (null on the first poll).
 */
export function readFlags(
  prev: AdminSample | undefined,
  cur: AdminSample,
  seconds: number | null,
  clusters: readonly string[],
  httpPrefixes: readonly string[],
): FlagReading[] {
  return RESPONSE_FLAG_SOURCES.map((source) => {
    const scopes = source.scope === 'cluster' ? clusters : httpPrefixes;
    let total = 0;
    let delta: number | null = seconds === null ? null : 0;
    let top: { name: string; delta: number; total: number } | undefined;
    for (const scope of scopes) {
      let scopeTotal = 0;
      let scopeDelta: number | null = 0;
      for (const name of flagStatNames(source, scope)) {
        scopeTotal += statValue(cur, name);
        const d = counterDelta(prev, cur, name);
        scopeDelta = d === null || scopeDelta === null ? null : scopeDelta + d;
      }
      total += scopeTotal;
      if (delta !== null) delta = scopeDelta === null ? null : delta + scopeDelta;
      const d = scopeDelta ?? 0;
      if (scopeTotal > 0 && (!top || d > top.delta || (d === top.delta && scopeTotal > top.total))) top = { name: scope, delta: d, total: scopeTotal };
    }
    const rate = delta === null || seconds === null ? null : delta / seconds;
    return top ? { source, rate, total, topScope: top.name } : { source, rate, total };
  });
}

/**
 * The flags worth showing, busiest first: those that moved in the last poll (by rate), then
 * those seen since start (by total). Flags never seen are dropped.
 */
export function topFlags(readings: readonly FlagReading[], limit: number): FlagReading[] {
  return readings
    .filter((r) => r.total > 0 || (r.rate ?? 0) > 0)
    .sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0) || b.total - a.total || a.source.flag.localeCompare(b.source.flag))
    .slice(0, limit);
}
