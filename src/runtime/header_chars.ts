/**
 * HTTP/1 header text rules shared by the downstream and upstream codecs: RFC 9110 tokens and
 * field values, and the lowercasing of header names as they arrive from llhttp. Stateless but
 * for a bounded cache of lowercased names.
 */

/** RFC 9110 token (methods, field names). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Anything outside HTAB, SP, VCHAR, obs-text (RFC 9110 field-value). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Whether `name` is an RFC 9110 token (a valid method or header name). */
export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

/** Whether `value` can be written as a header value (no CR, LF, NUL or other controls). */
export function isHeaderValue(value: string): boolean {
  return !INVALID_VALUE.test(value);
}

/**
 * Whether `value` equals `lower` (lowercase ASCII) ignoring ASCII case, without allocating
 * (Envoy's absl::EqualsIgnoreCase on header values).
 */
export function equalsIgnoreCase(value: string, lower: string): boolean {
  const n = lower.length;
  if (value.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    // 'A'..'Z' -> 'a'..'z'; nothing else changes.
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Lowercased header names by their wire spelling: peers repeat the same few. Bounded. */
const lowerNames = new Map<string, string>();
const LOWER_NAMES_MAX = 2048;

/** The lowercase form of a header name as received (cached). */
export function lowerHeaderName(raw: string): string {
  let l = lowerNames.get(raw);
  if (l === undefined) {
    l = raw.toLowerCase();
    if (lowerNames.size < LOWER_NAMES_MAX) lowerNames.set(raw, l);
  }
  return l;
}
