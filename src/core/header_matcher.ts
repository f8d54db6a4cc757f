/**
 * `envoy.config.route.v3.HeaderMatcher`, compiled (Envoy's Http::HeaderUtility::HeaderData).
 *
 * Semantics follow Envoy's HeaderUtility::matchHeaders:
 * - all values of a header are joined with "," before matching;
 * - a matcher with only a name is a presence match; present-but-empty is present;
 * - a missing header fails every matcher, except `present_match` whose expectation (after
 *   `invert_match`) is "absent" — unless `treat_missing_header_as_empty`, which matches "";
 * - `range_match` is [start, end) over int64 (BigInt), the value parsed like absl::SimpleAtoi;
 * - `invert_match` negates the result for present headers.
 */
import type { HeaderMatcher } from '../config/types.js';
import type { RouteRequest } from './route_types.js';
import type { CompileContext } from './compile_context.js';
import { compileRegexMatcher, compileStringMatcher, CompiledStringMatcher } from './string_matcher.js';
import type { CompiledRegex } from './regex.js';
import { regexFullMatch } from './regex.js';

/** Which oneof the matcher uses, named as router_check prints it. */
export type HeaderMatchKind =
  | 'exact_match'
  | 'safe_regex_match'
  | 'range_match'
  | 'present_match'
  | 'prefix_match'
  | 'suffix_match'
  | 'contains_match'
  | 'string_match';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** absl::SimpleAtoi into int64: optional whitespace and sign, decimal digits; out of range fails. */
export function parseInt64(value: string): bigint | undefined {
  if (!INTEGER.test(value)) return undefined;
  const n = BigInt(value.trim());
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** The value of header `name` as header matchers see it (pseudo-headers from the request fields). */
export function requestHeaderValue(req: RouteRequest, name: string): string | undefined {
  switch (name) {
    case ':authority':
      return req.authority;
    case ':path':
      return req.path;
    case ':method':
      return req.method;
    case ':scheme':
      return req.scheme;
  }
  const v = req.headers[name];
  if (v === undefined || typeof v === 'string') return v;
  // Envoy: getAllOfHeaderAsString(headers, name, ",").
  if (Array.isArray(v)) return v.join(',');
  // Not a header: a member the object inherits (`constructor`, `__proto__`).
  return undefined;
}

export class CompiledHeaderMatcher {
  constructor(
    /** Lowercased header name. */
    readonly name: string,
    readonly kind: HeaderMatchKind,
    readonly config: HeaderMatcher,
    private readonly exact: string | undefined,
    private readonly regex: CompiledRegex | undefined,
    private readonly rangeStart: bigint,
    private readonly rangeEnd: bigint,
    private readonly present: boolean,
    private readonly literal: string | undefined,
    readonly stringMatcher: CompiledStringMatcher | undefined,
    readonly invert: boolean,
    readonly treatMissingAsEmpty: boolean,
    /** False when a regex failed to compile: the matcher never matches. */
    private readonly valid: boolean,
  ) {}

  /** Matches against a header value (undefined = header absent). */
  matchValue(value: string | undefined): boolean {
    if (value === undefined && !this.treatMissingAsEmpty) {
      return this.kind === 'present_match' && this.present === this.invert;
    }
    const v = value ?? '';
    let m: boolean;
    switch (this.kind) {
      case 'exact_match':
        // Deprecated exact_match: an empty value means "present".
        m = this.exact === '' || v === this.exact;
        break;
      case 'safe_regex_match':
        m = this.valid && this.regex !== undefined && regexFullMatch(this.regex, v);
        break;
      case 'range_match': {
        const n = parseInt64(v);
        m = n !== undefined && n >= this.rangeStart && n < this.rangeEnd;
        break;
      }
      case 'present_match':
        m = this.present;
        break;
      case 'prefix_match':
        m = v.startsWith(this.literal!);
        break;
      case 'suffix_match':
        m = v.endsWith(this.literal!);
        break;
      case 'contains_match':
        m = v.includes(this.literal!);
        break;
      case 'string_match':
        m = this.stringMatcher!.match(v);
        break;
    }
    return m !== this.invert;
  }

  matches(req: RouteRequest): boolean {
    return this.matchValue(requestHeaderValue(req, this.name));
  }

  /** `header "x-foo" exact_match "bar"`, for traces. */
  describe(): string {
    let what: string;
    switch (this.kind) {
      case 'exact_match':
        what = this.exact === '' ? 'present' : `exact_match ${JSON.stringify(this.exact)}`;
        break;
      case 'safe_regex_match':
        what = `safe_regex_match ${JSON.stringify(this.config.safe_regex_match?.regex ?? '')}`;
        break;
      case 'range_match':
        what = `range_match [${this.rangeStart}, ${this.rangeEnd})`;
        break;
      case 'present_match':
        what = this.present ? 'present' : 'absent';
        break;
      case 'string_match':
        what = `string_match ${this.stringMatcher!.describe()}`;
        break;
      default:
        what = `${this.kind} ${JSON.stringify(this.literal)}`;
    }
    return `header ${JSON.stringify(this.name)} ${this.invert ? 'NOT ' : ''}${what}${this.treatMissingAsEmpty ? ' (missing as empty)' : ''}`;
  }
}

export function compileHeaderMatcher(hm: HeaderMatcher, ctx: CompileContext, path: string): CompiledHeaderMatcher {
  const name = (hm.name ?? '').toLowerCase();
  const invert = hm.invert_match === true;
  const tmae = hm.treat_missing_header_as_empty === true;
  let valid = true;
  const mk = (
    kind: HeaderMatchKind,
    o: { exact?: string; regex?: CompiledRegex; start?: bigint; end?: bigint; present?: boolean; literal?: string; sm?: CompiledStringMatcher },
  ): CompiledHeaderMatcher =>
    new CompiledHeaderMatcher(name, kind, hm, o.exact, o.regex, o.start ?? 0n, o.end ?? 0n, o.present ?? true, o.literal, o.sm, invert, tmae, valid);
  if (hm.exact_match !== undefined) return mk('exact_match', { exact: hm.exact_match });
  if (hm.safe_regex_match !== undefined) {
    const regex = compileRegexMatcher(hm.safe_regex_match, ctx, `${path}.safe_regex_match`);
    valid = regex !== undefined;
    return mk('safe_regex_match', regex !== undefined ? { regex } : {});
  }
  if (hm.range_match !== undefined) {
    return mk('range_match', { start: BigInt(hm.range_match.start ?? 0), end: BigInt(hm.range_match.end ?? 0) });
  }
  if (hm.present_match !== undefined) return mk('present_match', { present: hm.present_match });
  if (hm.prefix_match !== undefined) return mk('prefix_match', { literal: hm.prefix_match });
  if (hm.suffix_match !== undefined) return mk('suffix_match', { literal: hm.suffix_match });
  if (hm.contains_match !== undefined) return mk('contains_match', { literal: hm.contains_match });
  if (hm.string_match !== undefined) return mk('string_match', { sm: compileStringMatcher(hm.string_match, ctx, `${path}.string_match`) });
  // Name only: presence (Envoy: HEADER_MATCH_SPECIFIER_NOT_SET -> present).
  return mk('present_match', { present: true });
}

/** All matchers must match (Envoy's HeaderUtility::matchHeaders over a list). */
export function matchAllHeaders(matchers: readonly CompiledHeaderMatcher[], req: RouteRequest): boolean {
  for (let i = 0; i < matchers.length; i++) if (!matchers[i].matches(req)) return false;
  return true;
}
