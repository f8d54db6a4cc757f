/**
 * The connection manager's `:path` normalisation (Envoy's ConnectionManagerUtility::
 * maybeNormalizePath over PathUtil), applied before routing, so the route table AND the upstream
 * see the normalised path. `serve` and `match`/`explain` call the same function. Pure.
 *
 * Envoy's order (conn_manager_utility.cc, current source; an older summary had normalize first):
 *   1. a fragment (`#`) in the path                     -> reject (http_reject_path_with_fragment)
 *   2. `path_with_escaped_slashes_action` (not KEEP_UNCHANGED): `%2F`/`%5C` (any case) in the path
 *      part are unescaped; if there were any: REJECT_REQUEST -> reject, UNESCAPE_AND_REDIRECT ->
 *      redirect (decided now, answered after 3 and 4), UNESCAPE_AND_FORWARD -> go on
 *   3. `normalize_path`: PathUtil::canonicalPath (RFC 3986 dot segments, decoding of %-escaped
 *      unreserved characters, as Chromium's URL library (googleurl, the copy Envoy builds) does);
 *      a path it cannot canonicalise (a NUL, `%00`) -> reject
 *   4. `merge_slashes`: runs of `/` in the path part become one
 * The query string (from the first `?`) is never touched.
 */

/** `HttpConnectionManager.path_with_escaped_slashes_action` after IMPLEMENTATION_SPECIFIC_DEFAULT is resolved. */
export type EscapedSlashesAction = 'KEEP_UNCHANGED' | 'REJECT_REQUEST' | 'UNESCAPE_AND_REDIRECT' | 'UNESCAPE_AND_FORWARD';

/** What normalisation an HCM applies (all off is Envoy's default). */
export interface PathNormalizationConfig {
  /** `normalize_path` (default false: Envoy's runtime `http_connection_manager.normalize_path` default 0). */
  readonly normalizePath: boolean;
  /** `merge_slashes` (default false). */
  readonly mergeSlashes: boolean;
  /** `path_with_escaped_slashes_action` (Envoy's default: KEEP_UNCHANGED). */
  readonly escapedSlashesAction: EscapedSlashesAction;
}

/** Why a path was refused. */
export type PathRejectReason = 'fragment' | 'escaped_slashes' | 'invalid_path';

/** A path the connection manager does not forward: 400, or 307 to the normalised path. */
export interface PathNormalizationFailure {
  readonly action: 'reject' | 'redirect';
  /** The path as far as it was normalised (the Location of a redirect). */
  readonly path: string;
  /** For a reject. */
  readonly reason: PathRejectReason | undefined;
}

/** One operation that changed the path (explain shows them in order). */
export interface PathNormalizationStep {
  readonly op: 'unescape_slashes' | 'normalize_path' | 'merge_slashes';
  readonly before: string;
  readonly after: string;
}

/**
 * Envoy's maybeNormalizePath. Returns the path to route and forward (the very same string when
 * nothing changed: no allocation on the common path), or a failure. `steps`, when given,
 * receives every operation that changed the path.
 */
export function maybeNormalizePath(
  path: string,
  config: PathNormalizationConfig | undefined,
  steps?: PathNormalizationStep[],
): string | PathNormalizationFailure {
  if (path.indexOf('#') !== -1) return { action: 'reject', path, reason: 'fragment' };
  if (config === undefined) return path;
  let p = path;
  let redirect = false;
  if (config.escapedSlashesAction !== 'KEEP_UNCHANGED') {
    const unescaped = unescapeSlashes(p);
    if (unescaped !== p) {
      steps?.push({ op: 'unescape_slashes', before: p, after: unescaped });
      if (config.escapedSlashesAction === 'REJECT_REQUEST') return { action: 'reject', path: unescaped, reason: 'escaped_slashes' };
      if (config.escapedSlashesAction === 'UNESCAPE_AND_REDIRECT') redirect = true;
      p = unescaped;
    }
  }
  if (config.normalizePath) {
    const canonical = canonicalPath(p);
    if (canonical === undefined) return { action: 'reject', path: p, reason: 'invalid_path' };
    if (canonical !== p) steps?.push({ op: 'normalize_path', before: p, after: canonical });
    p = canonical;
  }
  if (config.mergeSlashes) {
    const merged = mergeSlashes(p);
    if (merged !== p) steps?.push({ op: 'merge_slashes', before: p, after: merged });
    p = merged;
  }
  return redirect ? { action: 'redirect', path: p, reason: undefined } : p;
}

/** Splits `path?query` at the first `?` (the query keeps its `?`). */
function splitQuery(path: string): [string, string] {
  const q = path.indexOf('?');
  return q === -1 ? [path, ''] : [path.slice(0, q), path.slice(q)];
}

/**
 * PathUtil::unescapeSlashes: `%2F`/`%2f` -> `/` and `%5C`/`%5c` -> `\` in the path part,
 * left to right. Returns the same string when there was none.
 */
export function unescapeSlashes(path: string): string {
  const [p, query] = splitQuery(path);
  if (p.indexOf('%') === -1) return path;
  const out = p.replace(/%(2[fF]|5[cC])/g, (_m, hex: string) => (hex === '2f' || hex === '2F' ? '/' : '\\'));
  return out.length === p.length ? path : out + query;
}

/**
 * PathUtil::mergeSlashes: when the path part holds `//`, its non-empty segments joined by one
 * `/`, keeping one leading and one trailing `/` when there was one (so `//` stays `//`, as in
 * Envoy). Returns the same string when there is nothing to merge.
 */
export function mergeSlashes(path: string): string {
  const [p, query] = splitQuery(path);
  if (p.indexOf('//') === -1) return path;
  const segments = p.split('/').filter((s) => s !== '');
  return (p.startsWith('/') ? '/' : '') + segments.join('/') + (p.endsWith('/') ? '/' : '') + query;
}

/**
 * PathUtil::stripParametersFromDotSegments (CVE fix, on by default in current Envoy:
 * `envoy.reloadable_features.strip_dotdot_segments_with_parameters`): `..;params` and `.;params`
 * segments before the query or fragment become `..` and `.`, so canonicalisation resolves them.
 */
export function stripParametersFromDotSegments(path: string): string {
  let end = path.length;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  const p = path.slice(0, end);
  if (p.indexOf('.;') === -1) return path;
  const segments = p.split('/').map((s) => (s.startsWith('..;') ? '..' : s.startsWith('.;') ? '.' : s));
  return segments.join('/') + path.slice(end);
}

/**
 * PathUtil::canonicalPath: dot-parameter stripping, then the path part canonicalised as
 * googleurl's CanonicalizePath does (below); the query is appended unchanged. Undefined when the
 * path cannot be canonicalised (Envoy answers 400).
 */
export function canonicalPath(path: string): string | undefined {
  const stripped = stripParametersFromDotSegments(path);
  const [p, query] = splitQuery(stripped);
  const canonical = canonicalizePathComponent(p);
  if (canonical === undefined) return undefined;
  return canonical + query;
}

// --- googleurl's CanonicalizePath (url_canon_path.cc, the IE-compatible table Envoy builds) ------

const PASS = 0;
const SPECIAL = 1;
const ESCAPE = 2 | SPECIAL;
const UNESCAPE = 4;
const INVALID = 8 | SPECIAL;

/**
 * Per-byte handling: pass through, escape as %XX, decode when found %-escaped (unreserved: ALPHA,
 * DIGIT, `-`, `_`, `~`), special handling (`.`, `%`, `\`), invalid (NUL).
 */
const PATH_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(ESCAPE);
  t[0] = INVALID;
  for (const c of "!$&'()*+,/:;=@[]") t[c.charCodeAt(0)] = PASS;
  for (let c = 48; c <= 57; c++) t[c] = UNESCAPE;
  for (let c = 65; c <= 90; c++) t[c] = UNESCAPE;
  for (let c = 97; c <= 122; c++) t[c] = UNESCAPE;
  for (const c of '-_~') t[c.charCodeAt(0)] = UNESCAPE;
  t[46 /* . */] = SPECIAL;
  // Escaped in the canonical form (or, `%` and `\`, special): space " # % < > ? \ ^ ` { | } DEL,
  // controls and every byte >= 0x80 keep the table's default.
  return t;
})();

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function escaped(byte: number): string {
  return '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
}

function isSlash(c: number): boolean {
  return c === 47 /* / */ || c === 92 /* \ */;
}

/** Length of a dot at `i`: `.` is 1, `%2e`/`%2E` is 3, anything else 0 (googleurl IsDot). */
function dotLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 46) return 1;
  if (c === 37 && i + 3 <= s.length && s.charCodeAt(i + 1) === 50 && (s.charCodeAt(i + 2) | 0x20) === 101) return 3;
  return 0;
}

/**
 * The bytes of `s`: header text is one char per byte (latin1, as the codec hands it over); a
 * character above 0xFF (text given to the offline commands) is taken as its UTF-8 bytes.
 */
function bytesOf(s: string): number[] | undefined {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) return [...new TextEncoder().encode(s)];
  }
  return undefined;
}

/** googleurl DoPath + DoPartialPath for narrow input. */
function canonicalizePathComponent(input: string): string | undefined {
  const wide = bytesOf(input);
  const s = wide === undefined ? input : String.fromCharCode(...wide);
  if (s.length === 0) return '/';
  let out = isSlash(s.charCodeAt(0)) ? '' : '/';
  let ok = true;
  const end = s.length;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const flags = PATH_CHARS[c]!;
    if ((flags & SPECIAL) === 0) {
      out += s[i];
      continue;
    }
    const dot = dotLength(s, i);
    if (dot > 0) {
      if (out.length > 0 && out.charCodeAt(out.length - 1) === 47) {
        // A dot right after a slash: `.` or `..` as a whole segment is a directory reference.
        const after = i + dot;
        let consumed = 0;
        let kind: 'file' | 'current' | 'up' = 'file';
        if (after === end) kind = 'current';
        else if (isSlash(s.charCodeAt(after))) {
          kind = 'current';
          consumed = 1;
        } else {
          const dot2 = dotLength(s, after);
          if (dot2 > 0) {
            const after2 = after + dot2;
            if (after2 === end) {
              kind = 'up';
              consumed = dot2;
            } else if (isSlash(s.charCodeAt(after2))) {
              kind = 'up';
              consumed = dot2 + 1;
            }
          }
        }
        if (kind === 'file') {
          out += '.';
          i += dot - 1;
        } else {
          if (kind === 'up') out = backUpToPreviousSlash(out);
          i += dot + consumed - 1;
        }
      } else {
        out += '.';
        i += dot - 1;
      }
    } else if (c === 92 /* \ */) {
      out += '/';
    } else if (c === 37 /* % */) {
      const hi = i + 2 < end ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (lo < 0) {
        // Not an escape sequence: the `%` is kept (googleurl is permissive here).
        out += '%';
        continue;
      }
      const value = hi * 16 + lo;
      const vflags = PATH_CHARS[value]!;
      if ((vflags & UNESCAPE) !== 0) out += String.fromCharCode(value);
      else {
        // Kept escaped exactly as written (the hex case is not changed).
        out += s.slice(i, i + 3);
        if ((vflags & 8) !== 0) ok = false;
      }
      i += 2;
    } else if ((flags & 8) !== 0) {
      out += escaped(c);
      ok = false;
    } else {
      out += escaped(c);
    }
  }
  return ok ? out : undefined;
}

/** Drops the last segment: the output ends with `/`; never goes above the first slash. */
function backUpToPreviousSlash(out: string): string {
  let i = out.length - 1;
  if (i === 0) return out;
  i--;
  while (i > 0 && out.charCodeAt(i) !== 47) i--;
  return out.slice(0, i + 1);
}
