/**
 * URI templates, as Envoy's `envoy.path.match.uri_template.uri_template_matcher` and
 * `envoy.path.rewrite.uri_template.uri_template_rewriter` read them
 * (source/extensions/path/uri_template_lib): a match template such as
 * `/videos/{id}/{rest=**}.m3u8` becomes an anchored regular expression over the path (query and
 * fragment removed), and a rewrite template such as `/v2/{rest}/{id}` is spliced from its
 * captures.
 *
 * Match template syntax: a `/`-separated list of segments, each a literal (RFC 3986 pchar without
 * `*` and `=`), `*` (one non-empty segment), `**` (any text, `/` included), or a variable
 * `{name}` / `{name=segments}` whose segments are literals, `*` and `**`; an optional literal
 * suffix after the last segment (`/**.m3u8`); a single trailing `/`. At most 5 variables, names
 * of 1-16 characters, no repeated name, and no `*` or `**` after a `**`.
 *
 * Pure: the same compiled template serves `match`, `explain`, `test` and `serve`.
 */

/** RFC 3986 pchar without `*` and `=` (Envoy's kLiteral). */
const LITERAL_CHARS = "a-zA-Z0-9\\-._~%!$&'()+,;:@";
const LITERAL = new RegExp(`^[${LITERAL_CHARS}]+$`);
const REWRITE_LITERAL = new RegExp(`^[${LITERAL_CHARS}/]+$`);
const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const PATH_GLOB = `[${LITERAL_CHARS}]+`;
const TEXT_GLOB = `[${LITERAL_CHARS}/]*`;
const MAX_VARIABLES = 5;
const MAX_VARIABLE_NAME = 16;

/** A template that does not parse: Envoy's reason, and the 0-based offset in the template. */
export interface UriTemplateError {
  readonly ok: false;
  readonly error: string;
  readonly offset: number;
}

/** A compiled match template. */
export interface UriMatchTemplate {
  readonly ok: true;
  readonly template: string;
  /** Anchored; named groups are the variables. */
  readonly regex: RegExp;
  /** Variable names in order. */
  readonly variables: readonly string[];
}

type Piece = { k: 'lit'; v: string } | { k: 'op'; v: '*' | '**' } | { k: 'var'; name: string; match: ({ k: 'lit'; v: string } | { k: 'op'; v: '*' | '**' })[] };

const fail = (error: string, offset: number): UriTemplateError => ({ ok: false, error, offset });

function escapeLiteral(s: string): string {
  // Envoy escapes `$ ( ) + .`; the other pchars are not special in a regex either.
  return s.replace(/[$()+.]/g, (c) => `\\${c}`);
}

/** Parses and compiles a match template (Envoy's parseURLPatternSyntax + toRegexPattern). */
export function compileUriMatchTemplate(template: string): UriMatchTemplate | UriTemplateError {
  if (!/^\/[\x21-\x7e]*$/.test(template)) {
    const bad = template.startsWith('/') ? [...template].findIndex((c) => c < '!' || c > '~') : 0;
    return fail(template.startsWith('/') ? 'a path template is printable ASCII without spaces' : 'a path template starts with "/"', Math.max(0, bad));
  }
  const segments: Piece[] = [];
  let suffix = '';
  let i = 1;
  const n = template.length;
  const readLiteral = (from: number): { v: string; end: number } => {
    let end = template.indexOf('/', from);
    if (end < 0) end = n;
    return { v: template.slice(from, end), end };
  };
  while (i < n) {
    const c = template[i];
    if (c === '*') {
      const op = template.startsWith('**', i) ? '**' : '*';
      segments.push({ k: 'op', v: op });
      i += op.length;
    } else if (c === '{') {
      const close = template.indexOf('}', i + 1);
      if (close < 0) return fail('unmatched variable bracket "{"', i);
      const body = template.slice(i + 1, close);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      if (!VARIABLE_NAME.test(name)) return fail(`invalid variable name "${name}" (a letter, then letters, digits or _)`, i + 1);
      const match: ({ k: 'lit'; v: string } | { k: 'op'; v: '*' | '**' })[] = [];
      if (eq >= 0) {
        let j = eq + 1;
        if (j === body.length) return fail(`empty match in variable "${name}"`, i + 1 + j);
        while (j < body.length) {
          if (body[j] === '*') {
            const op = body.startsWith('**', j) ? '**' : '*';
            match.push({ k: 'op', v: op });
            j += op.length;
          } else {
            let end = body.indexOf('/', j);
            if (end < 0) end = body.length;
            const lit = body.slice(j, end);
            if (!LITERAL.test(lit)) return fail(`invalid literal "${lit}" in variable "${name}"`, i + 1 + j);
            match.push({ k: 'lit', v: lit });
            j = end;
          }
          if (j < body.length) {
            if (body[j] !== '/' || j === body.length - 1) return fail(`invalid match in variable "${name}"`, i + 1 + j);
            j++;
          }
        }
      }
      segments.push({ k: 'var', name, match });
      i = close + 1;
    } else {
      const lit = readLiteral(i);
      if (!LITERAL.test(lit.v)) {
        const bad = [...lit.v].findIndex((ch) => !LITERAL.test(ch));
        return fail(lit.v === '' ? 'empty segment ("//")' : `invalid character "${lit.v[Math.max(0, bad)]}" in literal "${lit.v}"`, i + Math.max(0, bad));
      }
      segments.push({ k: 'lit', v: lit.v });
      i = lit.end;
    }
    if (i < n) {
      if (template[i] === '/') {
        if (i === n - 1) {
          segments.push({ k: 'lit', v: '' }); // a single trailing "/"
          break;
        }
        i++;
      } else {
        // Text right after an operator or variable: the suffix, which must end the template.
        const lit = readLiteral(i);
        if (!LITERAL.test(lit.v)) return fail(`invalid suffix "${lit.v}"`, i);
        if (lit.end < n) return fail('a suffix after an operator or variable must end the template (prefix match is not supported)', lit.end);
        suffix = lit.v;
        break;
      }
    }
  }
  const variables: string[] = [];
  for (const s of segments) {
    if (s.k !== 'var') continue;
    const at = template.indexOf(`{${s.name}`) + 1;
    if (variables.length >= MAX_VARIABLES) return fail(`more than ${MAX_VARIABLES} variables`, at);
    if (s.name.length > MAX_VARIABLE_NAME) return fail(`variable name "${s.name}" is longer than ${MAX_VARIABLE_NAME} characters`, at);
    if (variables.includes(s.name)) return fail(`variable "${s.name}" is repeated`, template.lastIndexOf(`{${s.name}`) + 1);
    variables.push(s.name);
  }
  let textGlob = false;
  for (const s of segments) {
    const ops = s.k === 'op' ? [s.v] : s.k === 'var' ? (s.match.length === 0 ? ['implicit'] : s.match.filter((m) => m.k === 'op').map((m) => m.v)) : [];
    for (const op of ops) {
      if (textGlob) {
        const at = s.k === 'var' ? template.indexOf(`{${s.name}`) : template.lastIndexOf('*');
        return fail(op === 'implicit' ? `variable "${(s as { name: string }).name}" (an implicit "*") after "**"` : `"${op}" after "**": "**" must be the last operator`, Math.max(0, at));
      }
      textGlob = op === '**';
    }
  }
  const piece = (p: { k: 'lit'; v: string } | { k: 'op'; v: '*' | '**' }): string => (p.k === 'lit' ? escapeLiteral(p.v) : p.v === '*' ? PATH_GLOB : TEXT_GLOB);
  const body = segments.map((s) => (s.k === 'var' ? `(?<${s.name}>${s.match.length === 0 ? PATH_GLOB : s.match.map(piece).join('/')})` : piece(s))).join('/');
  return { ok: true, template, regex: new RegExp(`^/${body}${escapeLiteral(suffix)}$`), variables };
}

/** Whether `pathOnly` (no query, no fragment) matches the template. */
export function uriTemplateMatches(t: UriMatchTemplate, pathOnly: string): boolean {
  return t.regex.test(pathOnly);
}

/** The variables a path captures (for explain), or undefined when it does not match. */
export function uriTemplateCaptures(t: UriMatchTemplate, pathOnly: string): Readonly<Record<string, string>> | undefined {
  const m = t.regex.exec(pathOnly);
  return m ? { ...(m.groups ?? {}) } : undefined;
}

/** A compiled rewrite template: literal text and variable references, in order. */
export interface UriRewriteTemplate {
  readonly ok: true;
  readonly template: string;
  readonly segments: readonly ({ readonly literal: string } | { readonly variable: string })[];
}

/**
 * Parses a rewrite template (Envoy's parseRewritePattern), checking its variables against the
 * match template's when given (isValidSharedVariableSet).
 */
export function compileUriRewriteTemplate(template: string, match?: UriMatchTemplate): UriRewriteTemplate | UriTemplateError {
  if (!template.startsWith('/')) return fail('a rewrite template starts with "/"', 0);
  const dbl = template.indexOf('//');
  if (dbl >= 0) return fail('a rewrite template may not contain "//"', dbl);
  const segments: ({ literal: string } | { variable: string })[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const lit = template.slice(i, open < 0 ? template.length : open);
    if (lit !== '') {
      if (!REWRITE_LITERAL.test(lit)) {
        const bad = [...lit].findIndex((ch) => !REWRITE_LITERAL.test(ch));
        return fail(`invalid character "${lit[bad]}" in rewrite literal "${lit}"`, i + bad);
      }
      segments.push({ literal: lit });
    }
    if (open < 0) break;
    const close = template.indexOf('}', open + 1);
    if (close < 0) return fail('unmatched variable bracket "{"', open);
    const name = template.slice(open + 1, close);
    if (!VARIABLE_NAME.test(name)) return fail(`invalid variable name "${name}"`, open + 1);
    if (match && !match.variables.includes(name)) {
      return fail(`variable "${name}" is not captured by path_match_policy "${match.template}" (it captures ${match.variables.length ? match.variables.map((v) => `"${v}"`).join(', ') : 'no variable'})`, open + 1);
    }
    segments.push({ variable: name });
    i = close + 1;
  }
  return { ok: true, template, segments };
}

/**
 * Envoy's UriTemplateRewriter::rewritePath: the new path for `pathOnly` (no query), or undefined
 * when the match template does not match it or the result is empty (the path is then left as it is).
 */
export function rewriteUriTemplate(rewrite: UriRewriteTemplate, match: UriMatchTemplate, pathOnly: string): string | undefined {
  const m = match.regex.exec(pathOnly);
  if (!m) return undefined;
  let out = '';
  for (const s of rewrite.segments) out += 'literal' in s ? s.literal : (m.groups?.[s.variable] ?? '');
  return out === '' ? undefined : out;
}
