/**
 * Failure lines exactly as Envoy's router_check_tool prints them (router.cc `reportFailure` and
 * `matchHeaderField`):
 *
 *   expected: [X], actual: [Y], test type: cluster_name
 *   expected: [content-type: text/plain], actual: NOT [content-type: text/plain], test type: response_header_matches.string_match.exact
 *   expected: [has(x-pong-response):true], actual: [has(x-pong-response):false], test type: response_header_matches.present_match
 *   actual: [content-length: 25], test type: response_header_matches.range_match
 *
 * Pure.
 */
import type { HeaderMatcher } from '../../config/types.js';

/** One failed assertion, machine-readable, with the line Envoy prints for it. */
export interface ValidationFailure {
  /** `cluster_name`, `response_header_matches.string_match.exact`, `timeout`, ... */
  type: string;
  /** What the test expected, when Envoy's line names it. */
  expected?: string;
  actual: string;
  /** True when the line says `actual: NOT [...]` (an inverted exact match that matched). */
  negated?: boolean;
  /** The line as Envoy prints it. */
  line: string;
}

/** Envoy's `reportFailure`: `expected: [E], actual: [NOT ][A], test type: T`. */
export function reportFailure(actual: string, expected: string, type: string, expectMatch = true): ValidationFailure {
  return {
    type,
    expected,
    actual,
    ...(expectMatch ? {} : { negated: true }),
    line: `expected: [${expected}], actual: ${expectMatch ? '' : 'NOT '}[${actual}], test type: ${type}`,
  };
}

/** Envoy's `compareResults`: a failure when `expected !== actual`, else undefined. */
export function compareResults(actual: string | number, expected: string | number, type: string): ValidationFailure | undefined {
  return expected === actual ? undefined : reportFailure(String(actual), String(expected), type);
}

/**
 * The header-matcher kind as the tool names it in `test type`: `exact_match`, `range_match`,
 * `present_match` (also for a name-only matcher), `string_match.exact`, ...
 */
export function headerMatcherTypeName(h: HeaderMatcher): string {
  if (h.exact_match !== undefined) return 'exact_match';
  if (h.safe_regex_match !== undefined) return 'safe_regex_match';
  if (h.range_match !== undefined) return 'range_match';
  if (h.present_match !== undefined) return 'present_match';
  if (h.prefix_match !== undefined) return 'prefix_match';
  if (h.suffix_match !== undefined) return 'suffix_match';
  if (h.contains_match !== undefined) return 'contains_match';
  if (h.string_match !== undefined) {
    const sm = h.string_match;
    const pattern =
      sm.exact !== undefined
        ? 'exact'
        : sm.prefix !== undefined
          ? 'prefix'
          : sm.suffix !== undefined
            ? 'suffix'
            : sm.safe_regex !== undefined
              ? 'safe_regex'
              : sm.contains !== undefined
                ? 'contains'
                : 'match_pattern_not_set';
    return `string_match.${pattern}`;
  }
  return 'present_match';
}

/**
 * The failure line of a header matcher that did not match. `firstValue` is the header's first
 * value (`undefined` when absent, printed `NULL` as Envoy does).
 */
export function headerMatchFailure(h: HeaderMatcher, firstValue: string | undefined, prefix: string): ValidationFailure {
  const kind = headerMatcherTypeName(h);
  const type = `${prefix}.${kind}`;
  const shown = firstValue ?? 'NULL';
  const invert = h.invert_match === true;
  if (kind === 'present_match') {
    // Envoy prints the expectation from invert_match alone, whatever present_match says.
    return reportFailure(`has(${h.name}):${invert ? 'true' : 'false'}`, `has(${h.name}):${invert ? 'false' : 'true'}`, type);
  }
  if (kind === 'string_match.exact') {
    return reportFailure(`${h.name}: ${shown}`, `${h.name}: ${h.string_match!.exact!}`, type, !invert);
  }
  const actual = `${h.name}: ${shown}`;
  return { type, actual, line: `actual: [${actual}], test type: ${type}` };
}
