/**
 * The matcher messages of Envoy's v3 config as tsproxy decodes them (envoy.type.matcher.v3 and
 * the route's HeaderMatcher / QueryParameterMatcher). Contract: types.ts. types.ts re-exports them.
 */


/** `envoy.type.matcher.v3.RegexMatcher`. `google_re2` is accepted and ignored. */
export interface RegexMatcher {
  regex: string;
  google_re2?: { max_program_size?: number };
}

/** `envoy.type.matcher.v3.StringMatcher` (exactly one of exact/prefix/suffix/safe_regex/contains). */
export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: RegexMatcher;
  ignore_case?: boolean;
}

/** `envoy.type.v3.Int64Range`: [start, end). */
export interface Int64Range {
  start: bigint;
  end: bigint;
}

/** `envoy.config.route.v3.HeaderMatcher`. Deprecated `exact_match` etc. still load. */
export interface HeaderMatcher {
  name: string;
  exact_match?: string;
  safe_regex_match?: RegexMatcher;
  range_match?: Int64Range;
  present_match?: boolean;
  prefix_match?: string;
  suffix_match?: string;
  contains_match?: string;
  string_match?: StringMatcher;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
}

/** `envoy.config.route.v3.QueryParameterMatcher`. */
export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}
