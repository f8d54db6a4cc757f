/**
 * JSON as Envoy's router_check_tool accepts it: RFC 8259 plus a trailing comma before `]` or `}`
 * (Envoy's own `TestRoutes.golden.proto.json` carries one). Integers that do not fit a JS number
 * exactly stay `bigint`, so int64 `range_match` bounds keep their precision.
 *
 * Pure: returns a value or a positioned error; never throws to the caller.
 */

/** A parsed JSON value. Objects are plain records; duplicate keys keep the last value. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export type LenientJsonResult =
  | { ok: true; value: JsonValue }
  | { ok: false; message: string; line: number; col: number };

/** Nesting deeper than this is refused (a test file is a few levels deep). */
const MAX_DEPTH = 512;

class JsonSyntaxError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/** Parses `text` as JSON, tolerating trailing commas. */
export function parseLenientJson(text: string): LenientJsonResult {
  const p = new Parser(text);
  try {
    p.skipWs();
    const value = p.value(0);
    p.skipWs();
    if (p.i < text.length) throw new JsonSyntaxError(`unexpected ${describe(text[p.i]!)} after the JSON value`, p.i);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      const { line, col } = lineCol(text, e.offset);
      return { ok: false, message: e.message, line, col };
    }
    throw e;
  }
}

function describe(ch: string): string {
  return ch === undefined ? 'end of input' : `character ${JSON.stringify(ch)}`;
}

/** 1-based line and column of `offset`. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  skipWs(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) this.i++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError('nesting too deep', this.i);
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        throw new JsonSyntaxError(`unexpected ${describe(c!)}`, this.i);
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    throw new JsonSyntaxError(`unexpected ${describe(this.s[this.i]!)}`, this.i);
  }

  object(depth: number): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    this.i++; // {
    this.skipWs();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.i] !== '"') throw new JsonSyntaxError(`expected a string key, found ${describe(this.s[this.i]!)}`, this.i);
      const key = this.string();
      this.skipWs();
      if (this.s[this.i] !== ':') throw new JsonSyntaxError(`expected ':' after key ${JSON.stringify(key)}`, this.i);
      this.i++;
      this.skipWs();
      // Own property even for "__proto__": define, do not assign.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWs();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        this.skipWs();
        // The trailing comma Envoy tolerates.
        if (this.s[this.i] === '}') {
          this.i++;
          return out;
        }
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      throw new JsonSyntaxError(`expected ',' or '}', found ${describe(c!)}`, this.i);
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++; // [
    this.skipWs();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth + 1));
      this.skipWs();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        this.skipWs();
        if (this.s[this.i] === ']') {
          this.i++;
          return out;
        }
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      throw new JsonSyntaxError(`expected ',' or ']', found ${describe(c!)}`, this.i);
    }
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) throw new JsonSyntaxError('unterminated string', start);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) throw new JsonSyntaxError('control character in string', this.i);
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      const e = s[this.i + 1];
      this.i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('bad \\u escape', this.i - 2);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          throw new JsonSyntaxError(`bad escape \\${e ?? ''}`, this.i - 2);
      }
      run = this.i;
    }
  }

  number(): number | bigint {
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) throw new JsonSyntaxError('bad number', this.i);
    const text = m[0];
    this.i += text.length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    return Number(text);
  }
}
