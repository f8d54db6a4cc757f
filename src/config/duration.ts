/**
 * `google.protobuf.Duration` in its JSON form: a decimal number of seconds with an `s` suffix
 * (`"1.5s"`, `"0.250s"`, `"-2s"`), at most nanosecond precision. Decoded to milliseconds.
 */

const DURATION_RE = /^(-)?(\d+)(?:\.(\d{0,9}))?s$/;

/** Milliseconds of a JSON Duration string, or undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const seconds = Number(m[2]);
  const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
  const ms = durationFromParts(seconds, nanos);
  return m[1] ? -ms : ms;
}

/** Milliseconds of `{seconds, nanos}` (may be fractional: 1 ns = 1e-6 ms). */
export function durationFromParts(seconds: number, nanos: number): number {
  return seconds * 1000 + nanos / 1e6;
}

/** Formats milliseconds back as a JSON Duration (`1500` -> `"1.5s"`), for messages and dumps. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(9))}s`;
}
