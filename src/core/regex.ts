/**
 * `safe_regex` on RE2, as Envoy (Regex::GoogleReEngine / CompiledGoogleReMatcher). Patterns are
 * compiled once at config time; a pattern that does not compile, or whose program is larger
 * than `re2.max_program_size.error_level` (runtime, default 100), is a config error returned as
 * a value, never thrown at route() time.
 *
 * Program size: Envoy checks `RE2::ProgramSize()`, the instruction count of RE2's compiled
 * program. The npm `re2` binding does not expose it, so `estimateProgramSize()` computes it from
 * the pattern with RE2's compilation rules (see re2_program_size.ts). DEVIATION: an estimate,
 * not the exact count; it agrees on the order of magnitude and on the structure that drives it
 * (repetition counts expand, character classes cost per range, `.` costs its UTF-8 ranges).
 */
import RE2 from 're2';
import type { RuntimeValues } from './route_types.js';
import { estimateProgramSize } from './re2_program_size.js';

// The binding warns on stderr about the 'u' flag otherwise; RE2 is always UTF-8 aware.
RE2.unicodeWarningLevel = 'nothing';

/** Envoy's defaults for the runtime keys `re2.max_program_size.error_level` / `.warn_level`. */
export const RE2_MAX_PROGRAM_SIZE_ERROR_LEVEL_DEFAULT = 100;

/** A compiled safe_regex. */
export class CompiledRegex {
  private globalRe: RE2 | undefined;
  private groups: number | undefined;
  /**
   * A literal every full match starts with (see literalPrefix), for a cheap startsWith check
   * before calling into RE2; "" when none.
   */
  readonly literalPrefix: string;
  constructor(
    readonly pattern: string,
    /** Anchored `^(?:pattern)$`: Envoy's safe_regex match is a full match (RE2::FullMatch). */
    readonly full: RE2,
    readonly programSize: number,
  ) {
    this.literalPrefix = literalPrefix(pattern);
  }
  /** Global, unanchored: for regex_rewrite (RE2::GlobalReplace). Compiled on first use. */
  get global(): RE2 {
    return (this.globalRe ??= new RE2(this.pattern, 'g'));
  }
  /** Number of capturing groups (RE2::NumberOfCapturingGroups). Computed on first use. */
  get groupCount(): number {
    if (this.groups === undefined) {
      // `(?:p)|` matches "" at 0 and reports every group of p (unset): the group count.
      const probe = new RE2(`(?:${this.pattern})|`).exec('');
      this.groups = probe === null ? 0 : probe.length - 1;
    }
    return this.groups;
  }
}

const META = new Set(['.', '[', ']', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$', '\\']);
const QUANT = new Set(['*', '+', '?', '{']);

/**
 * The literal text every match of `pattern` must start with, computed conservatively: the
 * leading run of plain characters (and escaped punctuation) before any metacharacter, minus
 * the last one when a quantifier follows it. "" for patterns with `|`, flags or a leading
 * class/group. Used only as a pre-filter: RE2 still decides.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let i = pattern.startsWith('^') ? 1 : 0;
  let out = '';
  let lastLen = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined || /[A-Za-z0-9]/.test(n)) break;
      lastLen = 1;
      out += n;
      i += 2;
      continue;
    }
    if (META.has(c)) break;
    const cp = pattern.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    lastLen = ch.length;
    out += ch;
    i += ch.length;
  }
  if (i < pattern.length && QUANT.has(pattern[i])) out = out.slice(0, out.length - lastLen);
  return out;
}

export type RegexCompileResult =
  | { ok: true; regex: CompiledRegex; warning?: string }
  | { ok: false; error: string };

function runtimeNumber(runtime: RuntimeValues | undefined, key: string): number | undefined {
  const v = runtime?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/**
 * Compiles `pattern` as Envoy would for a `RegexMatcher` with the default engine.
 * `maxProgramSize` is the deprecated `google_re2.max_program_size` (it replaces the runtime
 * error level when set, as in Envoy).
 */
export function compileRegex(pattern: string, runtime?: RuntimeValues, maxProgramSize?: number): RegexCompileResult {
  let full: RE2;
  try {
    full = new RE2(`^(?:${pattern})$`);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, error: `invalid regex '${pattern}': ${msg}` };
  }
  const programSize = estimateProgramSize(pattern);
  const errorLevel = maxProgramSize ?? runtimeNumber(runtime, 're2.max_program_size.error_level') ?? RE2_MAX_PROGRAM_SIZE_ERROR_LEVEL_DEFAULT;
  if (programSize > errorLevel) {
    return {
      ok: false,
      error:
        `regex '${pattern}' RE2 program size of ${programSize} > max program size of ${errorLevel} set for the error ` +
        `level threshold. Increase configured max program size if necessary.`,
    };
  }
  const warnLevel = runtimeNumber(runtime, 're2.max_program_size.warn_level');
  const regex = new CompiledRegex(pattern, full, programSize);
  if (warnLevel !== undefined && programSize > warnLevel) {
    return {
      ok: true,
      regex,
      warning:
        `regex '${pattern}' RE2 program size of ${programSize} > max program size of ${warnLevel} set for the warn ` +
        `level threshold. Increase configured max program size if necessary.`,
    };
  }
  return { ok: true, regex };
}

/** Lint's entry point: does `pattern` compile in RE2 within the program size limit? */
export function checkRegex(
  pattern: string,
  runtime?: RuntimeValues,
): { ok: true; programSize: number; warning?: string } | { ok: false; error: string } {
  const r = compileRegex(pattern, runtime);
  if (!r.ok) return r;
  return r.warning !== undefined
    ? { ok: true, programSize: r.regex.programSize, warning: r.warning }
    : { ok: true, programSize: r.regex.programSize };
}

/** RE2::FullMatch (after a literal-prefix pre-check that cannot change the result). */
export function regexFullMatch(r: CompiledRegex, s: string): boolean {
  if (r.literalPrefix !== '' && !s.startsWith(r.literalPrefix)) return false;
  return r.full.test(s);
}

/**
 * The leftmost unanchored match of the pattern in `s` (RE2::PartialMatch's span), for explain:
 * what a `safe_regex` that must match the whole string did match. Undefined when none.
 */
export function regexFirstMatch(r: CompiledRegex, s: string): { readonly index: number; readonly text: string } | undefined {
  const g = r.global;
  g.lastIndex = 0;
  const m = g.exec(s);
  g.lastIndex = 0;
  return m === null ? undefined : { index: m.index, text: m[0] };
}

/**
 * RE2::GlobalReplace(s, regex, substitution): every non-overlapping match replaced;
 * `\0`..`\9` in the substitution are capture groups, `\\` a backslash.
 */
export function regexReplaceAll(r: CompiledRegex, s: string, substitution: string): string {
  // RE2::Rewrite rejects a substitution naming a missing group or a bad escape: GlobalReplace
  // then replaces nothing.
  if (!validRewrite(substitution, r.groupCount)) return s;
  r.global.lastIndex = 0;
  if (!/\\/.test(substitution)) {
    // No group references: a plain replacement; escape `$` from JS replacement semantics.
    return r.global.replace(s, () => substitution) as string;
  }
  return r.global.replace(s, (match: string, ...rest: unknown[]) => {
    let out = '';
    for (let i = 0; i < substitution.length; i++) {
      const c = substitution[i];
      if (c === '\\' && i + 1 < substitution.length) {
        const n = substitution[i + 1];
        if (n >= '0' && n <= '9') {
          const g = n === '0' ? match : rest[Number(n) - 1];
          out += typeof g === 'string' ? g : '';
          i++;
          continue;
        }
        if (n === '\\') {
          out += '\\';
          i++;
          continue;
        }
      }
      out += c;
    }
    return out;
  }) as string;
}

/** RE2::CheckRewriteString: `\N` must name an existing group; the only escapes are `\0`-`\9` and `\\`. */
export function validRewrite(substitution: string, groupCount: number): boolean {
  for (let i = 0; i < substitution.length; i++) {
    if (substitution[i] !== '\\') continue;
    const n = substitution[i + 1];
    if (n === undefined) return false;
    if (n === '\\') {
      i++;
      continue;
    }
    if (n < '0' || n > '9' || Number(n) > groupCount) return false;
    i++;
  }
  return true;
}
