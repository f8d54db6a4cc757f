/**
 * A small, parser-neutral source tree: what the schema decoder walks. Both the YAML front end
 * (the `yaml` package's AST) and the fast JSON front end produce it, so the decoder does not
 * care which syntax the user wrote, and every node keeps its character range for positions.
 */
import type { SourcePosition } from './diagnostic.js';

/** A scalar as written: strings, numbers (integers as bigint, to keep int64 precision), booleans, null. */
export type ScalarValue = string | number | bigint | boolean | null;

interface NodeBase {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface ScalarNode extends NodeBase {
  t: 'scalar';
  value: ScalarValue;
  /** The scalar's source text (for YAML plain scalars and JSON numbers: as written). */
  text: string;
}

export interface MapEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: SrcNode;
}

export interface MapNode extends NodeBase {
  t: 'map';
  entries: MapEntry[];
}

export interface SeqNode extends NodeBase {
  t: 'seq';
  items: SrcNode[];
}

export type SrcNode = ScalarNode | MapNode | SeqNode;

/** Maps offsets to 1-based line/column with a binary search over line starts (no per-call scan). */
export class LineIndex {
  /** Line starts, computed on the first lookup (many loads never need a position). */
  private lineStarts: Uint32Array | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  private get starts(): Uint32Array {
    if (this.lineStarts !== undefined) return this.lineStarts;
    // Two passes (count, then fill) into a typed array: no array grown push by push.
    const text = this.text;
    let lines = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    const starts = new Uint32Array(lines);
    let n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
    return (this.lineStarts = starts);
  }

  /** 1-based line and column of `offset`. */
  lineCol(offset: number): { line: number; col: number } {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - s[lo]! + 1 };
  }

  /** A SourcePosition spanning [start, end). */
  span(start: number, end: number): SourcePosition {
    // Block collections' ranges run past their last line; end at the last visible character.
    const t = this.text;
    while (end > start + 1 && isSpace(t.charCodeAt(end - 1))) end--;
    const a = this.lineCol(start);
    const b = this.lineCol(Math.max(start, end));
    return { file: this.file, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * A JSON value with exact integers: integers a double cannot hold exactly (int64 range bounds)
 * stay `bigint`. Objects are plain records with own properties (`"__proto__"` is a key too).
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts a source node to a `JsonValue`, keeping int64 precision (unlike `toPlain`): an integer
 * stays a number when it is a safe integer, else a bigint. Keys are kept as written.
 */
export function toJsonValue(node: SrcNode): JsonValue {
  switch (node.t) {
    case 'scalar': {
      const v = node.value;
      if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
      return v;
    }
    case 'seq':
      return node.items.map(toJsonValue);
    case 'map': {
      const o: { [key: string]: JsonValue } = {};
      // Define, do not assign: a "__proto__" key is data, not the prototype.
      for (const e of node.entries) Object.defineProperty(o, e.key, { value: toJsonValue(e.value), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Converts a source node to a plain JS value (Struct / raw Any contents). Keys are kept as written. */
export function toPlain(node: SrcNode): unknown {
  switch (node.t) {
    case 'scalar':
      // Struct values are JSON values: int64 precision is not promised there, numbers are doubles.
      return typeof node.value === 'bigint' ? Number(node.value) : node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const e of node.entries) o[e.key] = toPlain(e.value);
      return o;
    }
  }
}

/** Short description of a node's type for messages: "a string", "a list", "a mapping". */
export function describeNode(node: SrcNode): string {
  if (node.t === 'map') return 'a mapping';
  if (node.t === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return `the number ${node.text}`;
}
