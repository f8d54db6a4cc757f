/**
 * `:authority` (HTTP/1 Host) validation as Envoy's HeaderUtility::authorityIsValid (the internal
 * validator, `envoy.reloadable_features.internal_authority_header_validator`, on by default): the
 * value may only hold the characters of RFC 3986's authority grammar, plus `@` because HTTP/1
 * allows `userinfo@host:port` (the userinfo is neither rejected nor stripped). Anything else — a
 * space, `/`, `#`, `?`, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, a control or non-ASCII
 * byte — fails, and the HTTP/1 codec answers 400 `http.invalid_authority` (a protocol error: DPE,
 * `downstream_cx_protocol_error`, the connection closes). An empty value is valid. Pure.
 */

/** %RESPONSE_CODE_DETAILS% of a request whose :authority fails authorityIsValid. */
export const INVALID_AUTHORITY_DETAILS = 'http.invalid_authority';

/** Bit per ASCII code: set when the character may appear in an authority. */
const VALID: Uint8Array = (() => {
  const t = new Uint8Array(128);
  const allow = "!$%&'()*+,-.:;=@[]_~";
  for (const c of allow) t[c.charCodeAt(0)] = 1;
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  return t;
})();

/** Whether `value` is a valid :authority (Host) for Envoy. */
export function authorityIsValid(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || VALID[c] === 0) return false;
  }
  return true;
}

/** The first character that makes `value` invalid, for explanations; undefined when valid. */
export function firstInvalidAuthorityChar(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || VALID[c] === 0) return value[i];
  }
  return undefined;
}
