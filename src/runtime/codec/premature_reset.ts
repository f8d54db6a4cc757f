/**
 * Envoy's premature-reset check (ConnectionManagerImpl::isPrematureRstStream and
 * maybeDrainDueToPrematureResets, the HTTP/2 rapid-reset mitigation of CVE-2023-44487): every
 * stream that closes is counted; one that lived no longer than
 * `overload.premature_reset_min_stream_lifetime_seconds` (1 s, compared in whole seconds) and
 * got no response is premature. Once `overload.premature_reset_total_stream_count` (500) streams
 * closed, the connection is closed when at least half were premature; before that, as soon as
 * premature ones reach half of that count (the ratio could no longer recover). Codec-neutral:
 * Envoy runs it in the connection manager; the HTTP/2 server codec runs it today.
 */

/** Envoy's runtime defaults. */
export const PREMATURE_RESET_TOTAL_STREAM_COUNT = 500;
export const PREMATURE_RESET_MIN_STREAM_LIFETIME_SECONDS = 1;

export class PrematureResetTracker {
  /** Streams closed on this connection. */
  closed = 0;
  /** Of them, premature. */
  premature = 0;

  constructor(
    private readonly totalStreamCount = PREMATURE_RESET_TOTAL_STREAM_COUNT,
    private readonly minLifetimeSeconds = PREMATURE_RESET_MIN_STREAM_LIFETIME_SECONDS,
  ) {}

  /** Whether a stream that lived `lifetimeMs` and got a response (or not) is premature. */
  isPremature(lifetimeMs: number, responded: boolean): boolean {
    if (Math.floor(lifetimeMs / 1000) > this.minLifetimeSeconds) return false;
    return !responded;
  }

  /** Counts a closed stream; true when the connection must now be closed. */
  onStreamClosed(premature: boolean): boolean {
    this.closed++;
    if (premature) this.premature++;
    if (this.closed < this.totalStreamCount) return this.premature * 2 >= this.totalStreamCount;
    return this.premature * 2 >= this.closed;
  }
}
