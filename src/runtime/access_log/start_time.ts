/**
 * %START_TIME(fmt)% formatting: a strftime-like format compiled once at config time.
 *
 * Envoy formats START_TIME with absl::FormatTime in UTC plus its own extensions:
 * `%f` (fractional seconds, 9 digits), `%1f`..`%9f` (that many digits), `%s` (epoch seconds),
 * and absl's `%E#S` / `%E*S` (seconds with # fractional digits). Without a format the output is
 * `%Y-%m-%dT%H:%M:%S.%3fZ`, e.g. `2016-04-15T20:17:00.310Z`.
 *
 * Everything down to the second is cached per second, so formatting a burst of requests in the
 * same second builds one small string per request.
 */

/** Envoy's default START_TIME format. */
export const DEFAULT_START_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%3fZ';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** A piece of the compiled format: literal text, a per-second field, or sub-second digits. */
type Piece =
  | { kind: 'lit'; text: string }
  | { kind: 'sec'; fn: (d: Date, epochSec: number) => string }
  | { kind: 'frac'; digits: number; dot: boolean };

function pad(n: number, width: number, fill = '0'): string {
  let s = String(n);
  while (s.length < width) s = fill + s;
  return s;
}

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86_400_000) + 1;
}

/** Per-second conversions, keyed by the character after `%`. */
const SECOND_FIELDS: Record<string, (d: Date, epochSec: number) => string> = {
  Y: (d) => String(d.getUTCFullYear()),
  y: (d) => pad(d.getUTCFullYear() % 100, 2),
  C: (d) => pad(Math.floor(d.getUTCFullYear() / 100), 2),
  m: (d) => pad(d.getUTCMonth() + 1, 2),
  d: (d) => pad(d.getUTCDate(), 2),
  e: (d) => pad(d.getUTCDate(), 2, ' '),
  H: (d) => pad(d.getUTCHours(), 2),
  I: (d) => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, 2),
  M: (d) => pad(d.getUTCMinutes(), 2),
  S: (d) => pad(d.getUTCSeconds(), 2),
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  j: (d) => pad(dayOfYear(d), 3),
  a: (d) => DAYS[d.getUTCDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getUTCDay()]!,
  b: (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3),
  h: (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getUTCMonth()]!,
  u: (d) => String(d.getUTCDay() === 0 ? 7 : d.getUTCDay()),
  w: (d) => String(d.getUTCDay()),
  F: (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`,
  T: (d) => `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`,
  R: (d) => `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}`,
  D: (d) => `${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${pad(d.getUTCFullYear() % 100, 2)}`,
  // Envoy always formats in UTC.
  z: () => '+0000',
  Z: () => 'UTC',
  s: (_d, epochSec) => String(epochSec),
};

/** '000'..'999'. */
const MS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

const LITERALS: Record<string, string> = { n: '\n', t: '\t', '%': '%' };

/** A compiled START_TIME format. */
export interface StartTimeFormatter {
  /** Formats epoch milliseconds (may be fractional). */
  format(epochMs: number): string;
}

/**
 * Compiles a START_TIME format. Unknown conversions are kept literally (absl does the same).
 * Returns a formatter with a one-second cache.
 */
export function compileStartTime(fmt: string | undefined): StartTimeFormatter {
  const pieces = parse(fmt === undefined || fmt === '' ? DEFAULT_START_TIME_FORMAT : fmt);
  const fracs = pieces.filter((p): p is Extract<Piece, { kind: 'frac' }> => p.kind === 'frac');
  let cachedSec = Number.NaN;
  // Per-second text between the sub-second pieces: segs.length === fracs.length + 1.
  let segs: string[] = [];
  let lastMs = Number.NaN;
  let lastOut = '';
  return {
    format(epochMs: number): string {
      if (epochMs === lastMs) return lastOut;
      const sec = Math.floor(epochMs / 1000);
      if (sec !== cachedSec) {
        cachedSec = sec;
        const d = new Date(sec * 1000);
        segs = [''];
        for (const p of pieces) {
          if (p.kind === 'frac') segs.push('');
          else segs[segs.length - 1] += p.kind === 'lit' ? p.text : p.fn(d, sec);
        }
      }
      lastMs = epochMs;
      let out = segs[0]!;
      if (fracs.length > 0) {
        // Only millisecond precision is real; the common <= 3 digit case is a table lookup
        // (this runs once per logged request).
        const msInSec = epochMs - sec * 1000;
        let nineDigits: string | undefined;
        for (let i = 0; i < fracs.length; i++) {
          const p = fracs[i]!;
          let digits = '';
          if (p.digits > 0) {
            if (p.digits <= 3 && Number.isInteger(msInSec)) digits = MS3[msInSec]!.slice(0, p.digits);
            else {
              nineDigits ??= pad(Math.min(Math.round(msInSec * 1e6), 999_999_999), 9);
              digits = nineDigits.slice(0, p.digits);
            }
            if (p.dot) digits = '.' + digits;
          }
          out += digits + segs[i + 1]!;
        }
      }
      lastOut = out;
      return out;
    },
  };
}

function parse(fmt: string): Piece[] {
  const pieces: Piece[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) pieces.push({ kind: 'lit', text: lit });
    lit = '';
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%' || i + 1 >= fmt.length) {
      lit += c;
      continue;
    }
    const n = fmt[i + 1]!;
    // %f: 9 digits; %1f..%9f: that many (Envoy's extension).
    if (n === 'f') {
      flush();
      pieces.push({ kind: 'frac', digits: 9, dot: false });
      i += 1;
      continue;
    }
    if (n >= '1' && n <= '9' && fmt[i + 2] === 'f') {
      flush();
      pieces.push({ kind: 'frac', digits: Number(n), dot: false });
      i += 2;
      continue;
    }
    // absl: %E#S (# fractional digits), %E*S (full precision), %Ez (+00:00), %E4Y.
    if (n === 'E') {
      const m = /^%E(\d|\*)S/.exec(fmt.slice(i));
      if (m) {
        flush();
        pieces.push({ kind: 'sec', fn: SECOND_FIELDS['S']! });
        const digits = m[1] === '*' ? 9 : Number(m[1]);
        pieces.push({ kind: 'frac', digits, dot: digits > 0 });
        i += m[0].length - 1;
        continue;
      }
      if (fmt[i + 2] === 'z') {
        flush();
        pieces.push({ kind: 'sec', fn: () => '+00:00' });
        i += 2;
        continue;
      }
      if (fmt[i + 2] === '4' && fmt[i + 3] === 'Y') {
        flush();
        pieces.push({ kind: 'sec', fn: (d) => pad(d.getUTCFullYear(), 4) });
        i += 3;
        continue;
      }
    }
    const field = SECOND_FIELDS[n];
    if (field) {
      flush();
      pieces.push({ kind: 'sec', fn: field });
      i += 1;
      continue;
    }
    const l = LITERALS[n];
    if (l !== undefined) {
      lit += l;
      i += 1;
      continue;
    }
    lit += c;
  }
  flush();
  return pieces;
}
