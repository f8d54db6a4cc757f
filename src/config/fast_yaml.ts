/**
 * A fast path for the YAML that Envoy configs are written in: block mappings and sequences,
 * one-line flow collections, plain / single-quoted / double-quoted scalars, `|` and `|-` block
 * scalars, comments. It builds the same source tree (same values, same offsets) as the `yaml`
 * package's front end (yaml_source.ts) — several times faster and with far less garbage, which is
 * most of `tsproxy match`'s cold start on a large config.
 *
 * One difference, on purpose: a block collection ends after its last content line. The `yaml`
 * package sometimes stretches a collection's range over the comment lines that follow it (which
 * ones depends on its parser's state); only those comment lines separate the two ends, and starts
 * (every reported position) are identical.
 *
 * It does not judge: anything outside that subset (anchors, aliases, tags, merge keys, several
 * documents, multi-line plain or quoted scalars, folded or kept block scalars, tabs, CRLF,
 * duplicate keys, syntax errors ...) makes it give up and return undefined, and the caller parses
 * with the `yaml` package, which reports what is wrong. A differential test holds the two to the
 * same tree on every fixture.
 *
 * Plain scalars resolve with YAML 1.2's core schema as the `yaml` package does with
 * `intAsBigInt`: integers (decimal, 0x, 0o) as bigint, floats as number, true/false, null/~;
 * unusual forms (.inf, .nan) give up.
 */
import type { MapEntry, SrcNode } from './source.js';
import { GIVE_UP, HASH, NL, SPACE, giveUp, hasKey, plainValue, quotedScalar, scalar, trackKeys } from './fast_yaml_scalars.js';
import { flowCollection } from './fast_yaml_flow.js';

/** The tree of `text`, or undefined when the text is not in the subset this parser handles. */
export function parseYamlFast(text: string, maxDepth: number): SrcNode | undefined {
  if (text.includes('\t') || text.includes('\r')) return undefined;
  try {
    return new FastYaml(text, maxDepth).document();
  } catch (e) {
    if (e === GIVE_UP || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** A plain key cannot start with these (YAML indicators; a quoted key is read as a quoted scalar). */
const KEY_INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** Slots of the plain-key cache (a power of two). */
const KEY_CACHE_SIZE = 256;

class FastYaml {
  /**
   * Results beside the returned node, in fields rather than a fresh object per call (this parser
   * is most of a large config's load; every object it makes is garbage the GC copies): the first
   * content line after the node just parsed (-1 at the end), and whether it was a block node
   * (it ends at its own last line) rather than a value on the key's line.
   */
  private next = -1;
  private wasBlock = false;
  /** keyEnd()'s results besides the key: where the key ends and where its `:` is. */
  private keyStop = 0;
  private colon = 0;
  /**
   * The entries of the mappings and the items of the sequences being parsed, one stack each for
   * the whole parse: a collection pushes its members above the length it found and, once done,
   * copies them into an array of exactly their number (no array grown member by member, most of
   * whose slots stay empty in a tree the decoder keeps for positions).
   */
  private readonly entryStack: MapEntry[] = [];
  private readonly itemStack: SrcNode[] = [];
  /** Plain keys met so far, by a hash of their length and end characters (see keyEnd). */
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  /** End of the line containing `pos` (the offset of its `\n`, or the text's length). */
  private eol(pos: number): number {
    const i = this.s.indexOf('\n', pos);
    return i < 0 ? this.s.length : i;
  }

  /** Offset just past the line containing `pos` (after its `\n`), or the text's length. */
  private afterLine(pos: number): number {
    const i = this.s.indexOf('\n', pos);
    return i < 0 ? this.s.length : i + 1;
  }

  private indentOf(lineStart: number): number {
    let i = lineStart;
    while (this.s.charCodeAt(i) === SPACE) i++;
    return i - lineStart;
  }

  /** The first line at or after `lineStart` with content (not blank, not only a comment); -1 at the end. */
  private contentLine(lineStart: number): number {
    const s = this.s;
    let p = lineStart;
    while (p < s.length) {
      let i = p;
      while (s.charCodeAt(i) === SPACE) i++;
      const c = s.charCodeAt(i);
      if (i < s.length && c !== NL && c !== HASH) return p;
      p = this.afterLine(i);
    }
    return -1;
  }

  /** True when only spaces and an optional comment follow `pos` on its line. */
  private restIsEmpty(pos: number): boolean {
    const s = this.s;
    let i = pos;
    while (s.charCodeAt(i) === SPACE) i++;
    if (i >= s.length || s.charCodeAt(i) === NL) return true;
    return s.charCodeAt(i) === HASH && (i === pos ? i > 0 && s.charCodeAt(i - 1) === SPACE : true);
  }

  document(): SrcNode {
    let line = this.contentLine(0);
    if (line < 0) giveUp();
    const s = this.s;
    if (s.startsWith('---', line)) {
      if (!this.restIsEmpty(line + 3)) giveUp();
      line = this.contentLine(this.afterLine(line));
      if (line < 0) giveUp();
    }
    const c = s[line]!;
    if (c === '%' || this.indentOf(line) !== 0) giveUp();
    const node = this.block(line, 0, -1, 1);
    if (this.next >= 0) giveUp(); // a second document, or text the block did not take
    return node;
  }

  /**
   * A block node whose first line starts at `lineStart` with indentation `indent` (> `parent`):
   * a sequence, or a mapping. Sets `next` to the first content line after it (-1 at the end).
   */
  private block(lineStart: number, indent: number, parent: number, depth: number): SrcNode {
    if (depth >= this.maxDepth) giveUp();
    const at = lineStart + indent;
    if (indent <= parent) giveUp();
    if (this.isSeqItem(at)) return this.sequence(at, indent, depth);
    return this.mapping(at, indent, depth);
  }

  private isSeqItem(pos: number): boolean {
    const s = this.s;
    if (s.charCodeAt(pos) !== 45 /* - */) return false;
    const n = s.charCodeAt(pos + 1);
    return n === SPACE || n === NL || pos + 1 >= s.length;
  }

  /** A block sequence whose first `-` is at `pos` (column `indent`); sets `next`. */
  private sequence(pos: number, indent: number, depth: number): SrcNode {
    const s = this.s;
    const items = this.itemStack;
    const base = items.length;
    const start = pos;
    let p = pos;
    let end = pos;
    let next: number;
    for (;;) {
      // p is at '-'.
      let c = p + 1;
      while (s.charCodeAt(c) === SPACE) c++;
      if (c >= s.length || s.charCodeAt(c) === NL || s.charCodeAt(c) === HASH) giveUp(); // `-` alone on its line
      if (this.isSeqItem(c)) giveUp(); // `- - x`
      const col = c - this.lineStartOf(c);
      let item: SrcNode;
      let block: boolean;
      const first = s[c];
      const flowOrBlock = first === '{' || first === '[' || first === '|' || first === '>';
      if (!flowOrBlock && this.keyEnd(c) !== undefined) {
        item = this.mapping(c, col, depth + 1);
        block = true;
      } else {
        item = this.inlineValue(c, indent, depth + 1);
        block = this.wasBlock;
      }
      items.push(item);
      end = block ? item.end : this.afterLine(item.end);
      next = this.next;
      if (next < 0) break;
      const ind = this.indentOf(next);
      if (ind < indent) break;
      if (ind > indent || !this.isSeqItem(next + ind)) {
        if (ind === indent) break; // the parent mapping's next key (an indentless sequence)
        giveUp();
      }
      p = next + ind;
    }
    this.next = next;
    const own = items.slice(base);
    items.length = base;
    return { t: 'seq', items: own, start, end };
  }

  private lineStartOf(pos: number): number {
    return this.s.lastIndexOf('\n', pos - 1) + 1;
  }

  /**
   * The key of a block mapping entry that starts at `pos` (setting `keyStop` where it ends and
   * `colon` where its `:` is); undefined when the line at `pos` is not `key: ...`.
   */
  private keyEnd(pos: number): string | undefined {
    const s = this.s;
    const c = s[pos];
    if (c === '"' || c === "'") {
      const q = quotedScalar(this.s, pos, this.eol(pos));
      let i = q.end;
      while (s.charCodeAt(i) === SPACE) i++;
      if (s[i] !== ':') return undefined;
      const n = s.charCodeAt(i + 1);
      if (!(n === SPACE || n === NL || i + 1 >= s.length)) return undefined;
      this.keyStop = q.end;
      this.colon = i;
      return q.value;
    }
    const eol = this.eol(pos);
    let i = pos;
    for (;;) {
      i = s.indexOf(':', i);
      if (i < 0 || i >= eol) return undefined;
      const n = s.charCodeAt(i + 1);
      if (n === SPACE || n === NL || i + 1 >= s.length) break;
      i++;
    }
    let e = i;
    while (e > pos && s.charCodeAt(e - 1) === SPACE) e--;
    this.keyStop = e;
    this.colon = i;
    // A key seen before (configs repeat a few dozen field names thousands of times): the same
    // string, checked before, without slicing a new one.
    const len = e - pos;
    const slot = (len * 31 + s.charCodeAt(pos) * 7 + s.charCodeAt(e - 1)) & (KEY_CACHE_SIZE - 1);
    const seen = this.keys[slot];
    if (seen !== undefined && seen.length === len && s.startsWith(seen, pos)) return seen;
    const raw = s.slice(pos, e);
    if (raw === '' || raw.includes(' #') || KEY_INDICATOR.test(raw) || raw === '<<') giveUp();
    const v = plainValue(raw);
    if (typeof v === 'string') return (this.keys[slot] = v);
    if (typeof v !== 'bigint' && typeof v !== 'boolean') giveUp();
    return String(v);
  }

  /** A block mapping whose first key starts at `pos` (column `indent`); sets `next`. */
  private mapping(pos: number, indent: number, depth: number): SrcNode {
    if (depth >= this.maxDepth) giveUp();
    const s = this.s;
    const entries = this.entryStack;
    const base = entries.length;
    let keys: Set<string> | undefined;
    let p = pos;
    let end = pos;
    let next: number;
    for (;;) {
      const key = this.keyEnd(p);
      if (key === undefined) giveUp();
      if (hasKey(entries, keys, key, base)) giveUp();
      const colon = this.colon;
      const keyStop = this.keyStop;
      let v = colon + 1;
      while (s.charCodeAt(v) === SPACE) v++;
      let value: SrcNode;
      let block: boolean;
      if (this.restIsEmpty(colon + 1)) {
        // Nothing on the line: a nested block below, an indentless sequence, or null.
        const n = this.contentLine(this.afterLine(colon));
        const ind = n < 0 ? -1 : this.indentOf(n);
        block = true;
        if (n >= 0 && ind > indent) {
          value = this.block(n, ind, indent, depth + 1);
        } else if (n >= 0 && ind === indent && this.isSeqItem(n + ind)) {
          value = this.sequence(n + ind, ind, depth + 1);
        } else {
          value = { t: 'scalar', value: null, text: '', start: colon + 1, end: colon + 1 };
          this.next = n;
          block = false;
        }
      } else {
        value = this.inlineValue(v, indent, depth + 1);
        block = this.wasBlock;
      }
      entries.push({ key, keyStart: p, keyEnd: keyStop, value });
      keys = trackKeys(entries, keys, base);
      end = block ? value.end : this.afterLine(value.end);
      next = this.next;
      if (next < 0) break;
      const ind = this.indentOf(next);
      if (ind < indent) break;
      if (ind > indent) giveUp();
      if (this.isSeqItem(next + ind)) break; // belongs to an enclosing indentless sequence
      p = next + ind;
    }
    this.next = next;
    const own = entries.slice(base);
    entries.length = base;
    return { t: 'map', entries: own, start: pos, end };
  }

  /**
   * A value that starts on the current line at `pos`: a block scalar, a flow collection, a
   * quoted or plain scalar. `indent` is the column of the key (or `-`) that owns it. Sets `next`
   * and `wasBlock` (true for a block scalar).
   */
  private inlineValue(pos: number, indent: number, depth: number): SrcNode {
    const s = this.s;
    const c = s[pos]!;
    const eol = this.eol(pos);
    if (c === '|') return this.blockScalar(pos, indent);
    if (c === '>' || c === '&' || c === '*' || c === '!' || c === '%' || c === '@' || c === '`' || c === '?') giveUp();
    let node: SrcNode;
    if (c === '{' || c === '[') {
      const f = flowCollection(s, pos, eol, depth, this.maxDepth);
      node = f.node;
      if (!this.restIsEmpty(f.end)) giveUp();
    } else if (c === '"' || c === "'") {
      const q = quotedScalar(this.s, pos, eol);
      if (!this.restIsEmpty(q.end)) giveUp();
      node = { t: 'scalar', value: q.value, text: q.value, start: pos, end: q.end };
    } else {
      // A comment starts at ` #` (searched within the line only).
      let e = pos;
      while (e < eol && !(s.charCodeAt(e) === HASH && s.charCodeAt(e - 1) === SPACE)) e++;
      while (e > pos && s.charCodeAt(e - 1) === SPACE) e--;
      const raw = s.slice(pos, e);
      if (raw.includes(': ') || raw.endsWith(':') || (c === '-' && (raw.length === 1 || raw[1] === ' ')) || c === ',' || c === ']' || c === '}' || c === '#') giveUp();
      node = scalar(raw, pos, e);
    }
    const next = this.contentLine(this.afterLine(pos));
    // A more indented line after a scalar would continue it (a multi-line plain scalar).
    if (next >= 0 && this.indentOf(next) > indent) giveUp();
    this.next = next;
    this.wasBlock = false;
    return node;
  }

  /** `|` or `|-` at `pos`: the literal lines below, more indented than `indent`; sets `next`, `wasBlock`. */
  private blockScalar(pos: number, indent: number): SrcNode {
    const s = this.s;
    let h = pos + 1;
    let strip = false;
    if (s[h] === '-') {
      strip = true;
      h++;
    }
    if (!this.restIsEmpty(h)) giveUp(); // `|+`, `|2`, text after the indicator
    let line = this.afterLine(pos);
    let contentIndent = -1;
    const lines: string[] = [];
    let lastContentEnd = -1;
    let next = -1;
    while (line < s.length) {
      const ind = this.indentOf(line);
      const e = this.eol(line);
      if (line + ind === e) {
        // An empty (or all-space) line: part of the scalar if more content follows.
        if (contentIndent >= 0 && ind > contentIndent) giveUp();
        lines.push('');
        line = e + 1;
        continue;
      }
      if (contentIndent < 0) {
        if (ind <= indent) {
          next = line;
          break;
        }
        contentIndent = ind;
      } else if (ind < contentIndent) {
        next = line;
        break;
      }
      lines.push(s.slice(line + contentIndent, e));
      lastContentEnd = e;
      line = e + 1;
    }
    if (contentIndent < 0) giveUp(); // an empty block scalar
    // Leading empty lines before the first content line are kept; trailing ones are chomped.
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const value = lines.join('\n') + (strip ? '' : '\n');
    const end = lastContentEnd >= s.length ? s.length : lastContentEnd + 1;
    if (next >= 0) next = this.contentLine(next);
    else next = -1;
    if (lastContentEnd >= s.length && !strip) giveUp(); // no final newline: the `yaml` package's value differs
    this.next = next;
    this.wasBlock = true;
    return { t: 'scalar', value, text: value, start: pos, end };
  }
}
