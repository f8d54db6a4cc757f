/**
 * Prints a `RouteMatch` in protobuf text format, as Envoy's tool does in `--covall` output
 * (`Missing test for host: default, route: prefix: "/api/application_data"`): fields in field-number
 * order, proto3 defaults omitted (oneof members always printed), nested messages as
 * `name {` ... `}` indented by two spaces, strings C-escaped with non-ASCII bytes in octal, and a
 * newline after every field. Pure.
 */
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from '../../config/types.js';

type Line = string;

/**
 * The text format of `m`, each field on its own line, ending with a newline. With
 * `bumpZeroRuntimeNumerator` a runtime_fraction numerator of 0 prints as 1: router_check_tool
 * rewrites it so before it builds the table and its coverage report.
 */
export function routeMatchText(m: RouteMatch, bumpZeroRuntimeNumerator = false): string {
  const out: Line[] = [];
  routeMatch(m, out, '', bumpZeroRuntimeNumerator);
  return out.map((l) => l + '\n').join('');
}

function routeMatch(m: RouteMatch, out: Line[], ind: string, bump: boolean): void {
  str(out, ind, 'prefix', m.prefix, true);
  str(out, ind, 'path', m.path, true);
  if (m.case_sensitive !== undefined) msg(out, ind, 'case_sensitive', (o, i) => bool(o, i, 'value', m.case_sensitive));
  for (const h of m.headers ?? []) msg(out, ind, 'headers', (o, i) => headerMatcher(h, o, i));
  for (const q of m.query_parameters ?? []) msg(out, ind, 'query_parameters', (o, i) => queryMatcher(q, o, i));
  if (m.grpc !== undefined) msg(out, ind, 'grpc', () => undefined);
  if (m.runtime_fraction !== undefined) {
    const rf = m.runtime_fraction;
    msg(out, ind, 'runtime_fraction', (o, i) => {
      if (rf.default_value !== undefined) {
        msg(o, i, 'default_value', (o2, i2) => {
          num(o2, i2, 'numerator', bump && (rf.default_value.numerator ?? 0) === 0 ? 1 : rf.default_value.numerator);
          if (rf.default_value.denominator !== undefined && rf.default_value.denominator !== 'HUNDRED') o2.push(`${i2}denominator: ${rf.default_value.denominator}`);
        });
      }
      str(o, i, 'runtime_key', rf.runtime_key);
    });
  }
  if (m.safe_regex !== undefined) msg(out, ind, 'safe_regex', (o, i) => str(o, i, 'regex', m.safe_regex!.regex));
  if (m.tls_context !== undefined) {
    msg(out, ind, 'tls_context', (o, i) => {
      if (m.tls_context!.presented !== undefined) msg(o, i, 'presented', (o2, i2) => bool(o2, i2, 'value', m.tls_context!.presented));
      if (m.tls_context!.validated !== undefined) msg(o, i, 'validated', (o2, i2) => bool(o2, i2, 'value', m.tls_context!.validated));
    });
  }
  if (m.connect_matcher !== undefined) msg(out, ind, 'connect_matcher', () => undefined);
  for (const d of m.dynamic_metadata ?? []) msg(out, ind, 'dynamic_metadata', (o, i) => o.push(`${i}# ${JSON.stringify(d)}`));
  str(out, ind, 'path_separated_prefix', m.path_separated_prefix, true);
}

function headerMatcher(h: HeaderMatcher, out: Line[], ind: string): void {
  str(out, ind, 'name', h.name);
  str(out, ind, 'exact_match', h.exact_match, true);
  if (h.range_match !== undefined) {
    msg(out, ind, 'range_match', (o, i) => {
      if (BigInt(h.range_match!.start) !== 0n) o.push(`${i}start: ${h.range_match!.start}`);
      if (BigInt(h.range_match!.end) !== 0n) o.push(`${i}end: ${h.range_match!.end}`);
    });
  }
  if (h.present_match !== undefined) out.push(`${ind}present_match: ${h.present_match}`);
  bool(out, ind, 'invert_match', h.invert_match);
  str(out, ind, 'prefix_match', h.prefix_match, true);
  str(out, ind, 'suffix_match', h.suffix_match, true);
  if (h.safe_regex_match !== undefined) msg(out, ind, 'safe_regex_match', (o, i) => str(o, i, 'regex', h.safe_regex_match!.regex));
  str(out, ind, 'contains_match', h.contains_match, true);
  if (h.string_match !== undefined) msg(out, ind, 'string_match', (o, i) => stringMatcher(h.string_match!, o, i));
  bool(out, ind, 'treat_missing_header_as_empty', h.treat_missing_header_as_empty);
}

function queryMatcher(q: QueryParameterMatcher, out: Line[], ind: string): void {
  str(out, ind, 'name', q.name);
  if (q.string_match !== undefined) msg(out, ind, 'string_match', (o, i) => stringMatcher(q.string_match!, o, i));
  if (q.present_match !== undefined) out.push(`${ind}present_match: ${q.present_match}`);
}

function stringMatcher(s: StringMatcher, out: Line[], ind: string): void {
  str(out, ind, 'exact', s.exact, true);
  str(out, ind, 'prefix', s.prefix, true);
  str(out, ind, 'suffix', s.suffix, true);
  if (s.safe_regex !== undefined) msg(out, ind, 'safe_regex', (o, i) => str(o, i, 'regex', s.safe_regex!.regex));
  bool(out, ind, 'ignore_case', s.ignore_case);
  str(out, ind, 'contains', s.contains, true);
}

function msg(out: Line[], ind: string, name: string, body: (out: Line[], ind: string) => void): void {
  out.push(`${ind}${name} {`);
  body(out, ind + '  ');
  out.push(`${ind}}`);
}

/** A string field; `oneof` members print even when empty. */
function str(out: Line[], ind: string, name: string, v: string | undefined, oneof = false): void {
  if (v === undefined || (v === '' && !oneof)) return;
  out.push(`${ind}${name}: "${cEscape(v)}"`);
}

function bool(out: Line[], ind: string, name: string, v: boolean | undefined): void {
  if (v === true) out.push(`${ind}${name}: true`);
}

function num(out: Line[], ind: string, name: string, v: number | undefined): void {
  if (v !== undefined && v !== 0) out.push(`${ind}${name}: ${v}`);
}

/** protobuf's CEscape: \n \r \t \" \' \\ escaped, other bytes outside printable ASCII as octal. */
export function cEscape(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    switch (b) {
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x27:
        out += "\\'";
        break;
      case 0x5c:
        out += '\\\\';
        break;
      default:
        out += b < 0x20 || b >= 0x7f ? '\\' + b.toString(8).padStart(3, '0') : String.fromCharCode(b);
    }
  }
  return out;
}
