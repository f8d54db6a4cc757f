/**
 * Access log formatters (Envoy's SubstitutionFormatString): a text format string or a JSON
 * dictionary, parsed ONCE at config time into literal pieces and compiled operator extractors.
 * Formatting a stream is then a loop of string concatenations: no regex, no parsing per request.
 *
 * Text: unset values print `-` (or nothing with `omit_empty_values`); the format carries its
 * own newline. JSON (`json_format`): one object per line; a value that is exactly one operator
 * keeps its type (`"status": 200`), unset is `null` (or the key is omitted with
 * `omit_empty_values`); a value mixing text and operators is a string; nested objects recurse.
 */
import type { StreamInfo } from '../stream_info.js';
import { compileOperator, type FieldExtractor, type FieldValue, type OperatorContext } from './operators.js';

/** Formats one stream into one log line (including its trailing newline, if any). */
export interface AccessLogFormatter {
  format(info: StreamInfo): string;
}

/** Envoy's default format (REFERENCE.md "Default access log format"). */
export const DEFAULT_ACCESS_LOG_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

/** Result of compiling a format: the formatter, or the errors (config errors in Envoy). */
export interface FormatCompileResult {
  formatter?: AccessLogFormatter;
  errors: string[];
  warnings: string[];
}

/** A parsed text template: lits.length === ops.length + 1. */
interface Template {
  lits: string[];
  ops: FieldExtractor[];
}

// `%COMMAND(SUBCOMMAND):LENGTH%`: COMMAND of A-Z, 0-9, _; SUBCOMMAND without `)`.
const COMMAND = /^%([A-Z0-9_]+)(?:\(([^)]*)\))?(?::(\d+))?%/;

function parseTemplate(fmt: string, ctx: OperatorContext, errors: string[], warnings: string[]): Template {
  const lits: string[] = [];
  const ops: FieldExtractor[] = [];
  let lit = '';
  for (let pos = 0; pos < fmt.length; pos++) {
    const c = fmt[pos]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    // `%%` is a literal percent sign.
    if (fmt[pos + 1] === '%') {
      lit += '%';
      pos++;
      continue;
    }
    const m = COMMAND.exec(fmt.slice(pos));
    if (!m) {
      errors.push(`Incorrect configuration: ${fmt}. Couldn't find valid command at position ${pos}`);
      return { lits: [lit], ops: [] };
    }
    const [whole, name, arg, len] = m;
    const compiled = compileOperator(name!, arg, len === undefined ? undefined : Number(len), ctx);
    if (!compiled.ok) {
      errors.push(compiled.error);
      return { lits: [lit], ops: [] };
    }
    if (compiled.warning && !warnings.includes(compiled.warning)) warnings.push(compiled.warning);
    lits.push(lit);
    ops.push(compiled.extract);
    lit = '';
    pos += whole.length - 1;
  }
  lits.push(lit);
  return { lits, ops };
}

function renderTemplate(t: Template, info: StreamInfo, unset: string): string {
  const { lits, ops } = t;
  let out = lits[0]!;
  for (let i = 0; i < ops.length; i++) {
    const v = ops[i]!(info);
    // Only an absent value prints the unset marker; a present empty header prints nothing, as in Envoy.
    out += (v === undefined ? unset : v) + lits[i + 1]!;
  }
  return out;
}

/** Compiles a text format string (`format`, `text_format`, `text_format_source.inline_string`). */
export function compileTextFormat(
  fmt: string,
  ctx: OperatorContext,
  options: { omitEmptyValues?: boolean } = {},
): FormatCompileResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const t = parseTemplate(fmt, ctx, errors, warnings);
  if (errors.length) return { errors, warnings };
  const unset = options.omitEmptyValues ? '' : '-';
  // A format without operators is a constant line.
  if (t.ops.length === 0) {
    const constant = t.lits[0]!;
    return { formatter: { format: () => constant }, errors, warnings };
  }
  return { formatter: { format: compileRenderer(t, unset) }, errors, warnings };
}

/** Templates with more operators than this use the generic loop. */
const MAX_UNROLLED_OPS = 64;

/**
 * The template as one straight-line function (one call site per operator, so each stays
 * monomorphic and inlinable) — the same extractors and concatenation as renderTemplate, built
 * once at config time. The generated code holds no config text: literals, extractors and the
 * unset marker are passed in as arguments.
 */
function compileRenderer(t: Template, unset: string): (info: StreamInfo) => string {
  const n = t.ops.length;
  if (n > MAX_UNROLLED_OPS) return (info) => renderTemplate(t, info, unset);
  let body = 'return function render(info) {\n  let v;\n  let out = L[0];\n';
  for (let i = 0; i < n; i++) {
    body += `  v = O[${i}](info);\n  out += (v === undefined ? U : v) + L[${i + 1}];\n`;
  }
  body += '  return out;\n};';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('L', 'O', 'U', body) as (l: readonly string[], o: readonly FieldExtractor[], u: string) => (info: StreamInfo) => string;
  return make(t.lits.slice(), t.ops.slice(), unset);
}

/** One compiled JSON value. */
type JsonNode =
  | { kind: 'const'; json: string }
  | { kind: 'typed'; extract: FieldExtractor }
  | { kind: 'template'; template: Template }
  | { kind: 'object'; keys: string[]; keyJson: string[]; values: JsonNode[] };

function compileJsonValue(
  value: unknown,
  path: string,
  ctx: OperatorContext,
  errors: string[],
  warnings: string[],
  sort: boolean,
): JsonNode | undefined {
  if (typeof value === 'string') {
    const t = parseTemplate(value, ctx, errors, warnings);
    if (t.ops.length === 0) return { kind: 'const', json: JSON.stringify(t.lits[0]) };
    if (t.ops.length === 1 && t.lits[0] === '' && t.lits[1] === '') return { kind: 'typed', extract: t.ops[0]! };
    return { kind: 'template', template: t };
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return { kind: 'const', json: JSON.stringify(value) };
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value as object);
    if (sort) keys.sort();
    const values: JsonNode[] = [];
    for (const k of keys) {
      const v = compileJsonValue((value as Record<string, unknown>)[k], `${path}.${k}`, ctx, errors, warnings, sort);
      if (v) values.push(v);
    }
    return { kind: 'object', keys, keyJson: keys.map((k) => JSON.stringify(k)), values };
  }
  errors.push(`json_format ${path}: only string, number, boolean and nested struct values are supported`);
  return undefined;
}

function renderJson(node: JsonNode, info: StreamInfo, omitEmpty: boolean): string | undefined {
  switch (node.kind) {
    case 'const':
      return node.json;
    case 'typed': {
      const v: FieldValue = node.extract(info);
      if (v === undefined) return undefined;
      return typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v);
    }
    case 'template':
      return JSON.stringify(renderTemplate(node.template, info, omitEmpty ? '' : '-'));
    case 'object': {
      let out = '{';
      let first = true;
      for (let i = 0; i < node.values.length; i++) {
        const v = renderJson(node.values[i]!, info, omitEmpty);
        if (v === undefined) {
          if (omitEmpty) continue;
        }
        out += (first ? '' : ',') + node.keyJson[i] + ':' + (v ?? 'null');
        first = false;
      }
      return out + '}';
    }
  }
}

/** Compiles a `json_format` Struct. Each line is one JSON object followed by `\n`. */
export function compileJsonFormat(
  struct: Record<string, unknown>,
  ctx: OperatorContext,
  options: { omitEmptyValues?: boolean; sortProperties?: boolean } = {},
): FormatCompileResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const node = compileJsonValue(struct, '$', ctx, errors, warnings, options.sortProperties === true);
  if (errors.length || !node) return { errors, warnings };
  const omit = options.omitEmptyValues === true;
  return { formatter: { format: (info) => (renderJson(node, info, omit) ?? '{}') + '\n' }, errors, warnings };
}
