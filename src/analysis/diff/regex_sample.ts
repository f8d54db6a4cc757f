/**
 * A string that a RE2 pattern fully matches, built from the pattern: literals kept, the first
 * alternative of `|`, the least repetitions of a quantifier (`*` and `?` none, `+` one, `{n,m}`
 * n), a character a class allows (`[a-z]` -> `a`, `\d` -> `0`, `.` -> `a`), assertions dropped.
 * The caller checks the result with RE2 (regexFullMatch): this only proposes. Used by `diff` to
 * send a request down each `safe_regex` route. Pure.
 */

/** Candidates for a negated class or `.`: the first one the class does not exclude is used. */
const FILLERS = ['a', 'x', '0', '-', '_', '.', 'A'];

class Sampler {
  private pos = 0;
  constructor(private readonly re: string) {}

  /** The sample, or undefined for syntax it does not know. */
  run(): string | undefined {
    try {
      const s = this.alternation();
      return this.pos === this.re.length ? s : undefined;
    } catch {
      return undefined;
    }
  }

  private peek(): string | undefined {
    return this.re[this.pos];
  }

  private alternation(): string {
    const first = this.sequence();
    // Other alternatives are parsed (to move past them) and dropped.
    while (this.peek() === '|') {
      this.pos++;
      this.sequence();
    }
    return first;
  }

  private sequence(): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return out;
      const atom = this.atom();
      out += this.repeat(atom);
    }
  }

  /** Applies a quantifier after an atom: the fewest repetitions it allows. */
  private repeat(atom: string): string {
    const c = this.peek();
    let times = 1;
    if (c === '*' || c === '?') {
      times = 0;
      this.pos++;
    } else if (c === '+') {
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(this.re.slice(this.pos));
      if (!m) return atom; // a literal `{` (RE2 accepts it)
      times = Number(m[1]);
      this.pos += m[0].length;
    } else {
      return atom;
    }
    if (this.peek() === '?') this.pos++; // lazy
    return atom.repeat(times);
  }

  private atom(): string {
    const c = this.re[this.pos++]!;
    switch (c) {
      case '(': {
        if (this.peek() === '?') {
          // (?:...), (?P<name>...), (?<name>...), (?flags:...), or (?flags) alone.
          const m = /^\?(?:P?<[^>]+>|[a-zA-Z-]*:|([a-zA-Z-]+)\))/.exec(this.re.slice(this.pos));
          if (!m) throw new Error('group');
          this.pos += m[0].length;
          if (m[1] !== undefined) return ''; // flags only: no text
        }
        const inner = this.alternation();
        if (this.re[this.pos++] !== ')') throw new Error('unclosed group');
        return inner;
      }
      case '[':
        return this.charClass();
      case '.':
        return 'a';
      case '^':
      case '$':
        return '';
      case '\\':
        return this.escape();
      default:
        return c;
    }
  }

  private escape(): string {
    const e = this.re[this.pos++];
    switch (e) {
      case undefined:
        throw new Error('trailing backslash');
      case 'd':
        return '0';
      case 'w':
        return 'a';
      case 's':
        return ' ';
      case 'D':
      case 'W':
      case 'S':
        return e === 'D' ? 'a' : e === 'W' ? '-' : 'a';
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return '';
      case 'p':
      case 'P':
        throw new Error('unicode class');
      case 'x': {
        const m = /^(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2}))/.exec(this.re.slice(this.pos));
        if (!m) throw new Error('hex');
        this.pos += m[0].length;
        return String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16));
      }
      case 'n':
        return '\n';
      case 't':
        return '\t';
      default:
        return e;
    }
  }

  /** A character the class `[...]` allows (the opening `[` consumed). */
  private charClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: [number, number][] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      first = false;
      let c = this.re[this.pos++];
      if (c === undefined) throw new Error('unclosed class');
      if (c === '[' && this.peek() === ':') {
        const m = /^:(\^?)([a-z]+):\]/.exec(this.re.slice(this.pos));
        if (!m) throw new Error('posix class');
        this.pos += m[0].length;
        const posix: Record<string, [number, number]> = { alpha: [97, 122], digit: [48, 57], alnum: [97, 122], lower: [97, 122], upper: [65, 90], space: [32, 32], word: [97, 122] };
        const r = posix[m[2]!];
        if (!r || m[1]) throw new Error('posix class');
        ranges.push(r);
        continue;
      }
      if (c === '\\') {
        const e = this.escape();
        if (e.length !== 1) throw new Error('class escape');
        c = e;
      }
      let lo = c.codePointAt(0)!;
      let hi = lo;
      if (this.peek() === '-' && this.re[this.pos + 1] !== ']') {
        this.pos++;
        let d = this.re[this.pos++]!;
        if (d === '\\') d = this.escape();
        hi = d.codePointAt(0)!;
        if (hi < lo) [lo, hi] = [hi, lo];
      }
      ranges.push([lo, hi]);
    }
    this.pos++; // ]
    const inClass = (ch: string) => ranges.some(([lo, hi]) => ch.codePointAt(0)! >= lo && ch.codePointAt(0)! <= hi);
    if (!negated) {
      // A filler inside the class reads better than the class's first character.
      return FILLERS.find(inClass) ?? String.fromCodePoint(ranges[0]![0]);
    }
    const ok = FILLERS.find((f) => !inClass(f));
    if (ok === undefined) throw new Error('negated class');
    return ok;
  }
}

/** A string `pattern` may fully match, or undefined when the pattern uses syntax this does not model. */
export function sampleRegex(pattern: string): string | undefined {
  return new Sampler(pattern).run();
}
