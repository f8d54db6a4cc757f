/**
 * Response flags as %RESPONSE_FLAGS% and %RESPONSE_FLAGS_LONG% print them.
 *
 * Envoy prints the flags that are set in the order of its `ResponseFlag` enum
 * (ResponseFlagUtils::ALL_RESPONSE_STRINGS_FLAGS), not in the order they were set, joined by
 * commas; no flag prints `-`. So `UF,URX`, never `URX,UF`.
 */
import type { ResponseFlag } from '../stream_info.js';

/** Envoy's enum order: [short, long]. */
const FLAG_TABLE: ReadonlyArray<readonly [ResponseFlag | string, string]> = [
  ['LH', 'FailedLocalHealthCheck'],
  ['UH', 'NoHealthyUpstream'],
  ['UT', 'UpstreamRequestTimeout'],
  ['LR', 'LocalReset'],
  ['UR', 'UpstreamRemoteReset'],
  ['UF', 'UpstreamConnectionFailure'],
  ['UC', 'UpstreamConnectionTermination'],
  ['UO', 'UpstreamOverflow'],
  ['NR', 'NoRouteFound'],
  ['DI', 'DelayInjected'],
  ['FI', 'FaultInjected'],
  ['RL', 'RateLimited'],
  ['UAEX', 'UnauthorizedExternalService'],
  ['RLSE', 'RateLimitServiceError'],
  ['DC', 'DownstreamConnectionTermination'],
  ['URX', 'UpstreamRetryLimitExceeded'],
  ['SI', 'StreamIdleTimeout'],
  ['IH', 'InvalidEnvoyRequestHeaders'],
  ['DPE', 'DownstreamProtocolError'],
  ['UMSDR', 'UpstreamMaxStreamDurationReached'],
  ['RFCF', 'ResponseFromCacheFilter'],
  ['NFCF', 'NoFilterConfigFound'],
  ['DT', 'DurationTimeout'],
  ['UPE', 'UpstreamProtocolError'],
  ['NC', 'NoClusterFound'],
  ['OM', 'OverloadManager'],
  ['DF', 'DnsResolutionFailed'],
  ['DO', 'DropOverload'],
  ['DR', 'DownstreamRemoteReset'],
  ['UDO', 'UnconditionalDropOverload'],
];

const ORDER = new Map<string, number>(FLAG_TABLE.map(([s], i) => [s, i]));
const LONG = new Map<string, string>(FLAG_TABLE.map(([s, l]) => [s, l]));
const SHORT_BY_LONG = new Map<string, string>(FLAG_TABLE.map(([s, l]) => [l, s]));

/** Every short flag name Envoy knows (for config validation of `response_flag_filter`). */
export const KNOWN_RESPONSE_FLAGS: ReadonlySet<string> = new Set(FLAG_TABLE.map(([s]) => s));

/** Short name for a long one (`NoRouteFound` -> `NR`), or undefined. */
export function shortFlagOf(longName: string): string | undefined {
  return SHORT_BY_LONG.get(longName);
}

function ordered(flags: readonly string[]): readonly string[] {
  if (flags.length < 2) return flags;
  return [...new Set(flags)].sort((a, b) => (ORDER.get(a) ?? 999) - (ORDER.get(b) ?? 999));
}

/** `UF,URX`; `-` when none is set. */
export function responseFlagsShort(flags: readonly string[]): string {
  if (flags.length === 0) return '-';
  if (flags.length === 1) return flags[0]!;
  return ordered(flags).join(',');
}

/** `UpstreamConnectionFailure,UpstreamRetryLimitExceeded`; `-` when none is set. */
export function responseFlagsLong(flags: readonly string[]): string {
  if (flags.length === 0) return '-';
  return ordered(flags)
    .map((f) => LONG.get(f) ?? f)
    .join(',');
}
