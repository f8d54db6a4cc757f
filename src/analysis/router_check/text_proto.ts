/**
 * A protobuf text-format reader, enough for router_check test files
 * (`Weighted.golden.proto.pb_text`): messages in `{}` or `<>`, `name: scalar`, `name { ... }`
 * (colon optional before a message), repeated fields by repetition or `[a, b]` lists, strings in
 * single or double quotes with C escapes (octal, hex, \u, \U) and adjacent-literal concatenation,
 * integers (decimal, hex, octal, signed), floats, `inf`/`nan`, identifiers (enum names, booleans),
 * `#` comments and optional `,`/`;` separators.
 *
 * The result is schema-free: `textProtoToJson` turns it into JSON-like values where a field seen
 * once is a value and a field seen several times is an array; the schema-aware decoder
 * (`decode_spec.ts`) then knows which fields are repeated or wrappers. Pure.
 */
import { LineIndex, type JsonValue } from '../../config/source.js';

export type TextProtoScalar =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number | bigint }
  | { kind: 'ident'; value: string };

export type TextProtoValue = TextProtoScalar | { kind: 'message'; message: TextProtoMessage } | { kind: 'list'; items: TextProtoValue[] };

export interface TextProtoField {
  name: string;
  value: TextProtoValue;
  line: number;
  col: number;
}

export interface TextProtoMessage {
  fields: TextProtoField[];
}

export type TextProtoResult =
  | { ok: true; message: TextProtoMessage }
  | { ok: false; message: string; line: number; col: number };

const MAX_DEPTH = 256;

class TextProtoError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

type Token =
  | { t: 'ident'; text: string; at: number }
  | { t: 'string'; value: string; at: number }
  | { t: 'number'; text: string; at: number }
  | { t: 'punct'; text: string; at: number }
  | { t: 'eof'; at: number };

/** Parses a whole text-format message. */
export function parseTextProto(text: string): TextProtoResult {
  try {
    const lx = new Lexer(text);
    const msg = parseFields(lx, undefined, 0);
    return { ok: true, message: msg };
  } catch (e) {
    if (e instanceof TextProtoError) {
      const { line, col } = new LineIndex(text, '').lineCol(e.offset);
      return { ok: false, message: e.message, line, col };
    }
    throw e;
  }
}

function parseFields(lx: Lexer, close: string | undefined, depth: number): TextProtoMessage {
  if (depth > MAX_DEPTH) throw new TextProtoError('nesting too deep', lx.peek().at);
  const fields: TextProtoField[] = [];
  for (;;) {
    const tok = lx.next();
    if (tok.t === 'eof') {
      if (close !== undefined) throw new TextProtoError(`expected '${close}' before end of input`, tok.at);
      return { fields };
    }
    if (tok.t === 'punct' && tok.text === close) return { fields };
    if (tok.t === 'punct' && (tok.text === ',' || tok.text === ';')) continue;
    let name: string;
    if (tok.t === 'ident') name = tok.text;
    else if (tok.t === 'punct' && tok.text === '[') {
      // Extension or Any type URL: [type.googleapis.com/x.y.Z]
      name = lx.bracketName();
    } else throw new TextProtoError(`expected a field name, found ${show(tok)}`, tok.at);
    const { line, col } = lx.pos(tok.at);
    let sep = lx.peek();
    let hadColon = false;
    if (sep.t === 'punct' && sep.text === ':') {
      lx.next();
      hadColon = true;
      sep = lx.peek();
    }
    let value: TextProtoValue;
    if (sep.t === 'punct' && (sep.text === '{' || sep.text === '<')) {
      lx.next();
      value = { kind: 'message', message: parseFields(lx, sep.text === '{' ? '}' : '>', depth + 1) };
    } else if (sep.t === 'punct' && sep.text === '[' && hadColon) {
      lx.next();
      value = { kind: 'list', items: parseList(lx, depth + 1) };
    } else {
      if (!hadColon) throw new TextProtoError(`expected ':' after field name "${name}"`, sep.at);
      value = parseScalar(lx);
    }
    fields.push({ name, value, line, col });
  }
}

function parseList(lx: Lexer, depth: number): TextProtoValue[] {
  const items: TextProtoValue[] = [];
  let first = true;
  for (;;) {
    const tok = lx.peek();
    if (tok.t === 'punct' && tok.text === ']') {
      lx.next();
      return items;
    }
    if (!first) {
      if (tok.t === 'punct' && tok.text === ',') lx.next();
      else throw new TextProtoError(`expected ',' or ']' in list, found ${show(tok)}`, tok.at);
    }
    first = false;
    const t = lx.peek();
    if (t.t === 'punct' && (t.text === '{' || t.text === '<')) {
      lx.next();
      items.push({ kind: 'message', message: parseFields(lx, t.text === '{' ? '}' : '>', depth + 1) });
    } else items.push(parseScalar(lx));
  }
}

function parseScalar(lx: Lexer): TextProtoScalar {
  let tok = lx.next();
  let negative = false;
  if (tok.t === 'punct' && tok.text === '-') {
    negative = true;
    tok = lx.next();
  }
  if (tok.t === 'string') {
    if (negative) throw new TextProtoError('unexpected "-" before a string', tok.at);
    let value = tok.value;
    // Adjacent string literals concatenate, as in C.
    for (let p = lx.peek(); p.t === 'string'; p = lx.peek()) {
      value += p.value;
      lx.next();
    }
    return { kind: 'string', value };
  }
  if (tok.t === 'number') return { kind: 'number', value: numberValue(tok.text, negative, tok.at) };
  if (tok.t === 'ident') {
    const low = tok.text.toLowerCase();
    if (low === 'inf' || low === 'infinity') return { kind: 'number', value: negative ? -Infinity : Infinity };
    if (low === 'nan') return { kind: 'number', value: NaN };
    if (negative) throw new TextProtoError(`unexpected "-" before ${tok.text}`, tok.at);
    return { kind: 'ident', value: tok.text };
  }
  throw new TextProtoError(`expected a value, found ${show(tok)}`, tok.at);
}

function numberValue(text: string, negative: boolean, at: number): number | bigint {
  const sign = negative ? -1 : 1;
  let body = text;
  if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[0-7]+$/.test(body) || /^(0|[1-9][0-9]*)$/.test(body)) {
    if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
    const big = BigInt(body) * BigInt(sign);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big;
  }
  const m = /^((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fF]?$/.exec(body);
  if (!m) throw new TextProtoError(`bad number ${text}`, at);
  return sign * Number(m[1]);
}

function show(tok: Token): string {
  switch (tok.t) {
    case 'eof':
      return 'end of input';
    case 'string':
      return 'a string';
    case 'ident':
    case 'number':
    case 'punct':
      return `"${tok.text}"`;
  }
}

class Lexer {
  private i = 0;
  private peeked: Token | undefined;
  private lines: LineIndex | undefined;
  constructor(private readonly s: string) {}

  pos(offset: number): { line: number; col: number } {
    this.lines ??= new LineIndex(this.s, '');
    return this.lines.lineCol(offset);
  }

  peek(): Token {
    if (!this.peeked) this.peeked = this.lex();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  /** Reads `a.b/c.D]` after an opening `[` of an extension or Any URL name. */
  bracketName(): string {
    if (this.peeked) throw new TextProtoError('internal: bracket name after peek', this.peeked.at);
    const end = this.s.indexOf(']', this.i);
    if (end < 0) throw new TextProtoError("expected ']'", this.i);
    const name = this.s.slice(this.i, end).trim();
    this.i = end + 1;
    return `[${name}]`;
  }

  private skip(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') this.i++;
      else break;
    }
  }

  private lex(): Token {
    this.skip();
    const s = this.s;
    const at = this.i;
    if (at >= s.length) return { t: 'eof', at };
    const c = s[at]!;
    if (c === '"' || c === "'") return { t: 'string', value: this.str(c), at };
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(at, at + 256))!;
      this.i += m[0].length;
      return { t: 'ident', text: m[0], at };
    }
    if (/[0-9.]/.test(c)) {
      const m = /^(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?[fF]?)/.exec(s.slice(at, at + 256))!;
      if (m[0].length === 0 || m[0] === '.') throw new TextProtoError(`unexpected character ${JSON.stringify(c)}`, at);
      this.i += m[0].length;
      return { t: 'number', text: m[0], at };
    }
    if ('{}<>[]:,;-'.includes(c)) {
      this.i++;
      return { t: 'punct', text: c, at };
    }
    throw new TextProtoError(`unexpected character ${JSON.stringify(c)}`, at);
  }

  /** A quoted string with C escapes; the bytes are decoded as UTF-8. */
  private str(quote: string): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    const bytes: number[] = [];
    const enc = new TextEncoder();
    const pushText = (t: string): void => {
      for (const b of enc.encode(t)) bytes.push(b);
    };
    for (;;) {
      if (this.i >= s.length || s[this.i] === '\n') throw new TextProtoError('unterminated string', start);
      const ch = s[this.i]!;
      if (ch === quote) {
        this.i++;
        return new TextDecoder().decode(new Uint8Array(bytes));
      }
      if (ch !== '\\') {
        const cp = s.codePointAt(this.i)!;
        const t = String.fromCodePoint(cp);
        pushText(t);
        this.i += t.length;
        continue;
      }
      const e = s[this.i + 1];
      this.i += 2;
      const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63 };
      if (e !== undefined && e in simple) {
        bytes.push(simple[e]!);
        continue;
      }
      if (e !== undefined && /[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(s.slice(this.i - 1, this.i + 2))!;
        bytes.push(parseInt(m[0], 8) & 0xff);
        this.i += m[0].length - 1;
        continue;
      }
      if (e === 'x' || e === 'X') {
        const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(this.i, this.i + 2));
        if (!m) throw new TextProtoError('bad \\x escape', this.i - 2);
        bytes.push(parseInt(m[0], 16));
        this.i += m[0].length;
        continue;
      }
      if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = s.slice(this.i, this.i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new TextProtoError(`bad \\${e} escape`, this.i - 2);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw new TextProtoError(`bad \\${e} escape`, this.i - 2);
        pushText(String.fromCodePoint(cp));
        this.i += n;
        continue;
      }
      throw new TextProtoError(`bad escape \\${e ?? ''}`, this.i - 2);
    }
  }
}

/**
 * Converts a parsed message to JSON-like values: a field written once becomes its value, a field
 * written several times (or as a `[...]` list) becomes an array; identifiers `true`/`false`
 * (also `True`, `t`, `False`, `f`) become booleans and other identifiers stay strings (enums).
 */
export function textProtoToJson(msg: TextProtoMessage): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  const counts = new Map<string, number>();
  for (const f of msg.fields) counts.set(f.name, (counts.get(f.name) ?? 0) + (f.value.kind === 'list' ? 2 : 1));
  for (const f of msg.fields) {
    const v = valueToJson(f.value);
    const repeated = (counts.get(f.name) ?? 0) > 1;
    if (!repeated) {
      Object.defineProperty(out, f.name, { value: v, enumerable: true, writable: true, configurable: true });
      continue;
    }
    let arr = Object.prototype.hasOwnProperty.call(out, f.name) ? (out[f.name] as JsonValue[]) : undefined;
    if (!arr) {
      arr = [];
      Object.defineProperty(out, f.name, { value: arr, enumerable: true, writable: true, configurable: true });
    }
    if (f.value.kind === 'list') arr.push(...(v as JsonValue[]));
    else arr.push(v);
  }
  return out;
}

function valueToJson(v: TextProtoValue): JsonValue {
  switch (v.kind) {
    case 'string':
    case 'number':
      return v.value;
    case 'ident':
      if (v.value === 'true' || v.value === 'True' || v.value === 't') return true;
      if (v.value === 'false' || v.value === 'False' || v.value === 'f') return false;
      return v.value;
    case 'message':
      return textProtoToJson(v.message);
    case 'list':
      return v.items.map(valueToJson);
  }
}
