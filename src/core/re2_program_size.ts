/**
 * An estimate of RE2's `RE2::ProgramSize()` (instruction count of the compiled, flattened
 * program), which Envoy compares with `re2.max_program_size.error_level`. The npm `re2`
 * binding does not expose the real count, so this follows RE2's compilation on a parse of the
 * pattern, calibrated against sizes Envoy users have published for real RE2 builds:
 * `/asdf/.*` = 24, `.*foo.*` = 35, `.*Chrome.*` = 38, `x-envoy-(a|b|c)` = 15,
 * `x-envoy-(a|b|c)-[grep]{3}` = 28, `a.*b.*c.*d.*e.*f.*g.*` = 109,
 * `/static/[a-zA-Z0-9._-]{0,200}/[a-zA-Z0-9._-]{0,200}` = 2013 (this estimate gives exactly
 * these). The rules:
 * - 4 instructions of overhead (fail, match, the unanchored `.*?` loop); 2 when anchored by `^`;
 * - a literal costs one instruction per UTF-8 byte;
 * - a character class costs one instruction per merged ASCII byte range, plus 12 for any
 *   non-ASCII part (`.` is [^\n]: 2 + 12 = 14, so `.*` costs 14);
 * - `*` and `?` add nothing once the program is flattened, `+` adds one; `x{n,m}` is expanded as
 *   RE2's simplifier does (m copies); a capture group adds two; an alternation of single
 *   characters is a class (RE2 factors `a|b|c` into `[a-c]`).
 * The estimate is only used for the size limit; matching uses real RE2. DEVIATION from Envoy:
 * an estimate, not RE2's exact count (which itself changes between RE2 versions).
 */

type Range = [number, number];

type Node =
  | { t: 'lit'; cost: number; cp: number }
  | { t: 'class'; ranges: Range[]; nonAscii: boolean }
  | { t: 'empty'; cost: number }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'group'; capture: boolean; item: Node }
  | { t: 'rep'; item: Node; min: number; max: number };

/** Cost of the non-ASCII (multi-byte UTF-8) part of a class. */
const UTF8_TAIL_COST = 12;

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: Range[] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
const ANY_BUT_NL: Range[] = [[0x00, 0x09], [0x0b, 0x7f]];

function complement(rs: Range[]): Range[] {
  const m = merge(rs);
  const out: Range[] = [];
  let next = 0;
  for (let i = 0; i < m.length; i++) {
    const [lo, hi] = m[i]!;
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x7f) out.push([next, 0x7f]);
  return out;
}

function merge(rs: Range[]): Range[] {
  const sorted = rs.filter(([lo]) => lo <= 0x7f).map(([lo, hi]): Range => [lo, Math.min(hi, 0x7f)]).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

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
    return items.length === 1 ? items[0] : { t: 'cat', items };
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
      return { t: 'class', ranges: ANY_BUT_NL, nonAscii: true };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty', cost: 1 };
    }
    if (c === '\\') return this.parseEscape();
    const cp = s.codePointAt(this.i) ?? 0;
    this.i += cp > 0xffff ? 2 : 1;
    return { t: 'lit', cost: utf8Len(cp), cp };
  }

  /** An escape outside a class. */
  parseEscape(): Node {
    const cls = this.escapeClass();
    if (cls !== undefined) return cls;
    const s = this.s;
    const e = s[this.i - 1];
    if (e === 'b' || e === 'B' || e === 'A' || e === 'z') return { t: 'empty', cost: 1 };
    if (e === 'Q') {
      const end = s.indexOf('\\E', this.i);
      const text = end < 0 ? s.slice(this.i) : s.slice(this.i, end);
      this.i = end < 0 ? s.length : end + 2;
      let n = 0;
      for (const ch of text) n += utf8Len(ch.codePointAt(0) ?? 0);
      return { t: 'lit', cost: n, cp: -1 };
    }
    if (e === 'x') {
      const m = /^(\{[0-9a-fA-F]+\}|[0-9a-fA-F]{2})/.exec(s.slice(this.i));
      if (m) this.i += m[0].length;
      return { t: 'lit', cost: 1, cp: -1 };
    }
    return { t: 'lit', cost: 1, cp: e === undefined ? -1 : (e.codePointAt(0) ?? -1) };
  }

  /** Consumes `\x`; returns a class node for class escapes (\d \w \s \D \W \S \pN), else undefined. */
  escapeClass(): Extract<Node, { t: 'class' }> | undefined {
    const s = this.s;
    this.i++; // backslash
    const e = s[this.i++] ?? '';
    switch (e) {
      case 'd':
        return { t: 'class', ranges: DIGIT, nonAscii: false };
      case 'w':
        return { t: 'class', ranges: WORD, nonAscii: false };
      case 's':
        return { t: 'class', ranges: SPACE, nonAscii: false };
      case 'D':
        return { t: 'class', ranges: complement(DIGIT), nonAscii: true };
      case 'W':
        return { t: 'class', ranges: complement(WORD), nonAscii: true };
      case 'S':
        return { t: 'class', ranges: complement(SPACE), nonAscii: true };
      case 'p':
      case 'P':
        if (s[this.i] === '{') {
          const end = s.indexOf('}', this.i);
          this.i = end < 0 ? s.length : end + 1;
        } else this.i++;
        return { t: 'class', ranges: [], nonAscii: true };
      default:
        return undefined;
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
    const ranges: Range[] = [];
    let nonAscii = false;
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      if (s.startsWith('[:', this.i)) {
        const end = s.indexOf(':]', this.i);
        const name = s.slice(this.i + 2, end < 0 ? s.length : end);
        this.i = end < 0 ? s.length : end + 2;
        ranges.push(...(name === 'digit' ? DIGIT : name === 'space' ? SPACE : WORD));
        continue;
      }
      let lo: number;
      if (s[this.i] === '\\') {
        const save = this.i;
        const cls = this.escapeClass();
        if (cls !== undefined) {
          ranges.push(...cls.ranges);
          nonAscii ||= cls.nonAscii;
          continue;
        }
        const e = s[save + 1] ?? '';
        lo = e === 'n' ? 0x0a : e === 't' ? 0x09 : e === 'r' ? 0x0d : (e.codePointAt(0) ?? 0);
        if (e === 'x') {
          const m = /^(\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2}))/.exec(s.slice(this.i));
          if (m) {
            lo = parseInt(m[2] ?? m[3], 16);
            this.i += m[0].length;
          }
        }
      } else {
        lo = s.codePointAt(this.i) ?? 0;
        this.i += lo > 0xffff ? 2 : 1;
      }
      let hi = lo;
      if (s[this.i] === '-' && this.i + 1 < s.length && s[this.i + 1] !== ']') {
        this.i++;
        if (s[this.i] === '\\') {
          const e = s[this.i + 1] ?? '';
          this.i += 2;
          hi = e.codePointAt(0) ?? lo;
        } else {
          hi = s.codePointAt(this.i) ?? lo;
          this.i += hi > 0xffff ? 2 : 1;
        }
      }
      if (hi > 0x7f) nonAscii = true;
      ranges.push([lo, hi]);
    }
    this.i++; // ]
    if (negated) return { t: 'class', ranges: complement(ranges), nonAscii: true };
    return { t: 'class', ranges, nonAscii };
  }
}

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

// Repetition expansion can explode (RE2 itself caps repeat counts at 1000); cap the arithmetic.
const CAP = 10_000_000;

function classCost(ranges: Range[], nonAscii: boolean): number {
  return merge(ranges).length + (nonAscii ? UTF8_TAIL_COST : 0);
}

function cost(n: Node): number {
  switch (n.t) {
    case 'lit':
    case 'empty':
      return n.cost;
    case 'class':
      return classCost(n.ranges, n.nonAscii);
    case 'cat': {
      // Indexed loops here and below: this runs for every safe_regex of a config at load,
      // before V8 optimizes it (the interpreter's for-of allocates an iterator result per item).
      let sum = 0;
      for (let i = 0; i < n.items.length; i++) sum = Math.min(CAP, sum + cost(n.items[i]!));
      return sum;
    }
    case 'alt': {
      // RE2 turns an alternation of single ASCII characters into one class.
      if (n.items.every((x) => x.t === 'lit' && x.cp >= 0 && x.cp < 0x80)) {
        return classCost(n.items.map((x) => [(x as { cp: number }).cp, (x as { cp: number }).cp]), false);
      }
      let sum = 0;
      for (let i = 0; i < n.items.length; i++) sum = Math.min(CAP, sum + cost(n.items[i]!));
      return sum;
    }
    case 'group':
      return cost(n.item) + (n.capture ? 2 : 0);
    case 'rep': {
      const c = cost(n.item);
      // x* and x? add no instruction once flattened; x+ adds one; x{n,} = n copies + 1.
      if (n.max === -1) return Math.min(CAP, Math.max(n.min, 1) * c + (n.min >= 1 ? 1 : 0));
      return Math.min(CAP, n.max * c);
    }
  }
}

/** Estimated RE2 program size of `pattern` (see file comment). */
export function estimateProgramSize(pattern: string): number {
  let body = pattern;
  let overhead = 4;
  if (body.startsWith('^')) {
    // Leading ^ sets the program's start anchor: no `.*?` loop, no instruction of its own.
    body = body.slice(1);
    overhead = 2;
  }
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  const tree = new Parser(body).parseAlt();
  return Math.min(CAP, overhead + cost(tree));
}
