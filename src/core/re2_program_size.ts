/**
 * An estimate of RE2's `RE2::ProgramSize()` (instruction count of the compiled, flattened
 * program), which Envoy compares with `re2.max_program_size.error_level`. The npm `re2`
 * binding does not expose the real count, so this follows RE2's compilation rules on a parse
 * of the pattern:
 * - one instruction for the program's fail state, one for Match, and two for the unanchored
 *   `.*?` prefix unless the pattern starts with `^`/`\A`;
 * - a literal costs one instruction per UTF-8 byte (case folding keeps it one for ASCII);
 * - a character class costs one instruction per ASCII byte range, plus the UTF-8 sequences of
 *   any non-ASCII part (`.`, negated classes, `\W`... cost about a dozen);
 * - `x*`, `x+`, `x?` add one instruction; `x{n,m}` is expanded as RE2's simplifier does
 *   (n copies, then m-n nested optionals); a capture group adds two; `|` adds one per branch.
 * The estimate is only used for the size limit; matching uses real RE2.
 */

type Node =
  | { t: 'lit'; cost: number }
  | { t: 'class'; cost: number }
  | { t: 'empty'; cost: number }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'group'; capture: boolean; item: Node }
  | { t: 'rep'; item: Node; min: number; max: number };

/** Cost of the non-ASCII part of a class (UTF-8 multi-byte sequences), after RE2's suffix caching. */
const UTF8_TAIL_COST = 9;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  parseAlt(): Node {
    const items: Node[] = [this.parseCat()];
    while (this.s[this.i] === '|') {
      this.i++;
      items.push(this.parseCat());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  parseCat(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      let atom = this.parseAtom();
      for (;;) {
        const c = this.s[this.i];
        if (c === '*' || c === '+' || c === '?') {
          this.i++;
          if (this.s[this.i] === '?') this.i++;
          atom = { t: 'rep', item: atom, min: c === '+' ? 1 : 0, max: c === '?' ? 1 : -1 };
          continue;
        }
        if (c === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
          if (m) {
            this.i += m[0].length;
            if (this.s[this.i] === '?') this.i++;
            const min = Number(m[1]);
            const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
            atom = { t: 'rep', item: atom, min, max };
            continue;
          }
        }
        break;
      }
      items.push(atom);
    }
    return { t: 'cat', items };
  }

  parseAtom(): Node {
    const s = this.s;
    const c = s[this.i];
    if (c === '(') {
      this.i++;
      let capture = true;
      if (s[this.i] === '?') {
        // (?:...), (?i), (?i:...), (?P<name>...)
        const m = /^\?(P?<[^>]*>|[imsU-]*:?)/.exec(s.slice(this.i));
        const tok = m ? m[0] : '?';
        this.i += tok.length;
        if (tok.startsWith('?P<') || tok.startsWith('?<')) capture = true;
        else if (tok.endsWith(':')) capture = false;
        else {
          // Flag group (?i): no instructions.
          if (s[this.i] === ')') this.i++;
          return { t: 'empty', cost: 0 };
        }
      }
      const item = this.parseAlt();
      if (s[this.i] === ')') this.i++;
      return { t: 'group', capture, item };
    }
    if (c === '[') return this.parseClass();
    if (c === '.') {
      this.i++;
      return { t: 'class', cost: 2 + UTF8_TAIL_COST };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty', cost: 1 };
    }
    if (c === '\\') return this.parseEscape(false);
    this.i++;
    const cp = c.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdbff) this.i++;
    return { t: 'lit', cost: utf8Len(s.codePointAt(this.i - 1) ?? cp) };
  }

  parseEscape(inClass: boolean): Node {
    const s = this.s;
    this.i++; // backslash
    const e = s[this.i++] ?? '';
    switch (e) {
      case 'd':
        return { t: 'class', cost: 1 };
      case 's':
        return { t: 'class', cost: 4 };
      case 'w':
        return { t: 'class', cost: 4 };
      case 'D':
      case 'S':
      case 'W':
        return { t: 'class', cost: 4 + UTF8_TAIL_COST };
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return inClass ? { t: 'lit', cost: 1 } : { t: 'empty', cost: 1 };
      case 'p':
      case 'P': {
        if (s[this.i] === '{') {
          const end = s.indexOf('}', this.i);
          this.i = end < 0 ? s.length : end + 1;
        } else this.i++;
        return { t: 'class', cost: 2 * UTF8_TAIL_COST };
      }
      case 'x': {
        const m = /^(\{[0-9a-fA-F]+\}|[0-9a-fA-F]{2})/.exec(s.slice(this.i));
        if (m) this.i += m[0].length;
        return { t: 'lit', cost: 1 };
      }
      case 'Q': {
        const end = s.indexOf('\\E', this.i);
        const text = end < 0 ? s.slice(this.i) : s.slice(this.i, end);
        this.i = end < 0 ? s.length : end + 2;
        return { t: 'lit', cost: Buffer_byteLength(text) };
      }
      default:
        return { t: 'lit', cost: 1 };
    }
  }

  parseClass(): Node {
    const s = this.s;
    this.i++; // [
    let negated = false;
    if (s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let ranges = 0;
    let nonAscii = false;
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      if (s.startsWith('[:', this.i)) {
        const end = s.indexOf(':]', this.i);
        this.i = end < 0 ? s.length : end + 2;
        ranges += 2;
        continue;
      }
      let lo: number;
      if (s[this.i] === '\\') {
        const n = this.parseEscape(true);
        if (n.t === 'class') {
          ranges += n.cost > UTF8_TAIL_COST ? n.cost - UTF8_TAIL_COST : n.cost;
          if (n.cost > UTF8_TAIL_COST) nonAscii = true;
          continue;
        }
        lo = 0x41;
      } else {
        lo = s.codePointAt(this.i) ?? 0;
        this.i += lo > 0xffff ? 2 : 1;
      }
      let hi = lo;
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        if (s[this.i] === '\\') {
          this.parseEscape(true);
          hi = lo;
        } else {
          hi = s.codePointAt(this.i) ?? lo;
          this.i += hi > 0xffff ? 2 : 1;
        }
      }
      if (hi > 0x7f) nonAscii = true;
      ranges++;
    }
    this.i++; // ]
    if (negated) {
      // The complement of k ASCII ranges has about k+1 ASCII ranges plus all of non-ASCII.
      return { t: 'class', cost: ranges + 1 + UTF8_TAIL_COST };
    }
    return { t: 'class', cost: Math.max(1, ranges) + (nonAscii ? UTF8_TAIL_COST : 0) };
  }
}

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function Buffer_byteLength(text: string): number {
  let n = 0;
  for (const ch of text) n += utf8Len(ch.codePointAt(0) ?? 0);
  return n;
}

// Repetition expansion can explode (RE2 itself caps repeat counts at 1000); cap the arithmetic.
const CAP = 1_000_000;

function cost(n: Node): number {
  switch (n.t) {
    case 'lit':
    case 'class':
    case 'empty':
      return n.cost;
    case 'cat': {
      let sum = 0;
      for (const x of n.items) sum = Math.min(CAP, sum + cost(x));
      return sum;
    }
    case 'alt': {
      let sum = n.items.length - 1;
      for (const x of n.items) sum = Math.min(CAP, sum + cost(x));
      return sum;
    }
    case 'group':
      return cost(n.item) + (n.capture ? 2 : 0);
    case 'rep': {
      const c = cost(n.item);
      if (n.max === -1) {
        // x{n,} = n-1 copies + x+ ; x* and x+ add one Alt.
        return Math.min(CAP, Math.max(n.min, 1) * c + 1);
      }
      // x{n,m} = n copies + (m-n) nested x? (each one Alt).
      return Math.min(CAP, n.min * c + (n.max - n.min) * (c + 1));
    }
  }
}

/** Estimated RE2 program size of `pattern` (see file comment). */
export function estimateProgramSize(pattern: string): number {
  const p = new Parser(pattern);
  const tree = p.parseAlt();
  const anchored = pattern.startsWith('^') || pattern.startsWith('\\A');
  return Math.min(CAP, 2 + cost(tree) + (anchored ? 0 : 2));
}
