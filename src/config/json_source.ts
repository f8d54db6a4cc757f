/**
 * The fast front end for JSON text (admin `/config_dump` output, router_check files): a
 * single-pass scanner producing the source tree with offsets. The `yaml` package parses JSON
 * too, but about 40x slower (4 s for 6 MB), which would break the "5 MB dump well under 1 s"
 * budget. Like Envoy's loader it accepts a trailing comma before `}` or `]`.
 *
 * Anything this scanner rejects is handed to the YAML front end by the loader (JSON-looking
 * YAML such as `{a: 1}` is valid YAML), so a syntax error here is not final.
 */
import type { MapEntry, SrcNode } from './source.js';

/** Result of scanning: a tree, or the first syntax error (offset into the text). */
export type JsonScanResult =
  | { ok: true; node: SrcNode }
  | { ok: false; message: string; offset: number; limit?: boolean };

class JsonSyntaxError {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly limit = false,
  ) {}
}

/** Scans `text` as JSON (trailing commas allowed). Nesting deeper than `maxDepth` is refused. */
export function scanJson(text: string, maxDepth: number): JsonScanResult {
  const p = new Scanner(text, maxDepth);
  try {
    p.ws();
    const node = p.value(0);
    p.ws();
    if (p.i < text.length) p.fail('unexpected content after the JSON value');
    return { ok: true, node };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, message: e.message, offset: e.offset, limit: e.limit };
    throw e;
  }
}

class Scanner {
  i = 0;
  constructor(
    readonly s: string,
    readonly maxDepth: number,
  ) {}

  fail(message: string, at = this.i): never {
    throw new JsonSyntaxError(message, Math.min(at, this.s.length));
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): SrcNode {
    const c = this.s.charCodeAt(this.i);
    if (c === 123 /* { */) return this.object(depth + 1);
    if (c === 91 /* [ */) return this.array(depth + 1);
    if (c === 34 /* " */) {
      const start = this.i;
      const value = this.string();
      return { t: 'scalar', value, text: value, start, end: this.i };
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.s.startsWith(word, this.i)) {
        const start = this.i;
        this.i += word.length;
        return { t: 'scalar', value, text: word, start, end: this.i };
      }
    }
    if (this.i >= this.s.length) this.fail('unexpected end of input');
    return this.fail(`unexpected character ${JSON.stringify(this.s[this.i])}`);
  }

  object(depth: number): SrcNode {
    if (depth > this.maxDepth) throw new JsonSyntaxError(`nesting deeper than ${this.maxDepth} levels`, this.i, true);
    const start = this.i++;
    const entries: MapEntry[] = [];
    for (;;) {
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 125 /* } */) {
        this.i++;
        return { t: 'map', entries, start, end: this.i };
      }
      if (c !== 34) this.fail(entries.length ? 'expected a quoted key or "}"' : 'expected a quoted key or "}"');
      const keyStart = this.i;
      const key = this.string();
      const keyEnd = this.i;
      if (hasKey(entries, key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyStart);
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58 /* : */) this.fail('expected ":" after the key');
      this.i++;
      this.ws();
      const value = this.value(depth);
      entries.push({ key, keyStart, keyEnd, value });
      this.ws();
      const d = this.s.charCodeAt(this.i);
      if (d === 44 /* , */) this.i++;
      else if (d !== 125) this.fail('expected "," or "}"');
    }
  }

  array(depth: number): SrcNode {
    if (depth > this.maxDepth) throw new JsonSyntaxError(`nesting deeper than ${this.maxDepth} levels`, this.i, true);
    const start = this.i++;
    const items: SrcNode[] = [];
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) === 93 /* ] */) {
        this.i++;
        return { t: 'seq', items, start, end: this.i };
      }
      items.push(this.value(depth));
      this.ws();
      const d = this.s.charCodeAt(this.i);
      if (d === 44) this.i++;
      else if (d !== 93) this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c)) this.fail('unterminated string', start);
      if (c === 34) break;
      if (c === 92 /* \ */) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c < 32) this.fail('control character in string', j);
      j++;
    }
    this.i = j + 1;
    if (!escaped) return s.slice(start + 1, j);
    try {
      return JSON.parse(s.slice(start, j + 1)) as string;
    } catch {
      return this.fail('invalid escape in string', start);
    }
  }

  number(): SrcNode {
    const s = this.s;
    const start = this.i;
    let j = start;
    let integer = true;
    for (;;) {
      const c = s.charCodeAt(j);
      if ((c >= 48 && c <= 57) || c === 45 || c === 43) j++;
      else if (c === 46 || c === 101 || c === 69) {
        integer = false;
        j++;
      } else break;
    }
    const text = s.slice(start, j);
    if (!NUMBER_RE.test(text)) this.fail(`invalid number ${JSON.stringify(text)}`, start);
    this.i = j;
    // Short integers fit a double exactly; longer ones keep full int64 precision as bigint.
    const value = integer ? (text.length < 16 ? Number(text) : BigInt(text)) : Number(text);
    return { t: 'scalar', value, text, start, end: j };
  }
}

/** Duplicate-key check; objects are small, so a scan beats allocating a Set per object. */
function hasKey(entries: MapEntry[], key: string): boolean {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return true;
  return false;
}

const LITERALS: [string, boolean | null][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
const NUMBER_RE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
