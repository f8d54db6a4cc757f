/**
 * The YAML front end: the `yaml` package's AST (parseDocument, node ranges) converted to the
 * parser-neutral source tree. Aliases are expanded with a node budget (alias bombs refused),
 * `<<` merge keys are applied, and nesting is bounded — each limit a `config/limit` diagnostic.
 */
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { MapEntry, SrcNode } from './source.js';

/** A problem found while parsing or converting, as an offset range. */
export interface YamlProblem {
  rule: 'schema/syntax' | 'config/limit';
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning';
}

export interface YamlSourceResult {
  /** The document; for a multi-document stream, a list of the documents' contents. */
  node?: SrcNode;
  /** True when the text holds several YAML documents (`---`): `node` is then their list. */
  multiDocument?: boolean;
  problems: YamlProblem[];
}

class LimitExceeded {
  constructor(
    readonly message: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/**
 * Parses YAML `text`. Returns the tree (absent on fatal syntax errors or a limit) and problems.
 * Integers are kept as bigint (int64 precision), as in the JSON front end.
 */
export function parseYamlSource(text: string, maxDepth: number, maxAliasNodes: number): YamlSourceResult {
  const problems: YamlProblem[] = [];
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { intAsBigInt: true, merge: true, uniqueKeys: true, prettyErrors: false });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    // The parser recursing past the JS stack on absurd nesting.
    problems.push({ rule: 'config/limit', severity: 'error', message: `config could not be parsed: ${errText(e)}`, start: 0, end: 0 });
    return { problems };
  }
  // After the first error the parser reports every following token: keep the first few.
  const errors = docs.flatMap((d) => d.errors);
  for (const err of errors.slice(0, MAX_SYNTAX_ERRORS)) {
    problems.push({ rule: 'schema/syntax', severity: 'error', message: firstLine(err.message), start: err.pos[0], end: err.pos[1] });
  }
  for (const w of docs.flatMap((d) => d.warnings)) {
    problems.push({ rule: 'schema/syntax', severity: 'warning', message: firstLine(w.message), start: w.pos[0], end: w.pos[1] });
  }
  if (errors.length > 0) return { problems };
  const conv = new Converter(maxDepth, maxAliasNodes);
  try {
    // Empty documents (a leading or trailing `---`) hold nothing.
    const contents = docs
      .map((d) => d.contents as YamlNode | null)
      .filter((c): c is YamlNode => c !== null && !(docs.length > 1 && isScalar(c) && (c.value === null || c.value === undefined)));
    if (contents.length === 0) return { node: { t: 'scalar', value: null, text: '', start: 0, end: 0 }, problems };
    if (contents.length === 1) return { node: conv.convert(contents[0]!, 0, false), problems };
    const items = contents.map((c) => conv.convertDocument(c));
    return { node: { t: 'seq', items, start: items[0]!.start, end: items[items.length - 1]!.end }, multiDocument: true, problems };
  } catch (e) {
    if (e instanceof LimitExceeded) {
      problems.push({ rule: 'config/limit', severity: 'error', message: e.message, start: e.start, end: e.end });
      return { problems };
    }
    if (e instanceof RangeError) {
      problems.push({ rule: 'config/limit', severity: 'error', message: `config nesting too deep: ${e.message}`, start: 0, end: 0 });
      return { problems };
    }
    throw e;
  }
}

class Converter {
  private aliasNodes = 0;
  /**
   * Anchors seen so far, in document order (an alias refers to the latest earlier anchor of its
   * name). `Alias.resolve()` searches the whole document per call, which made alias bombs slow
   * to refuse; this map makes each resolution O(1).
   */
  private readonly anchors = new Map<string, YamlNode>();
  constructor(
    private readonly maxDepth: number,
    private readonly maxAliasNodes: number,
  ) {}

  /** Converts one document of a stream: anchors do not cross documents. */
  convertDocument(node: YamlNode): SrcNode {
    this.anchors.clear();
    return this.convert(node, 1, false);
  }

  convert(node: YamlNode, depth: number, viaAlias: boolean): SrcNode {
    const range = node.range ?? [0, 0, 0];
    if (viaAlias && ++this.aliasNodes > this.maxAliasNodes) {
      throw new LimitExceeded(
        `YAML aliases expand to more than ${this.maxAliasNodes} nodes (an alias bomb?); refusing the config`,
        range[0],
        range[1],
      );
    }
    if (isAlias(node)) {
      const target = this.anchors.get(node.source);
      if (!target) throw new LimitExceeded(`unresolved YAML alias *${node.source}`, range[0], range[1]);
      return this.convert(target as YamlNode, depth, true);
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && !viaAlias) this.anchors.set(anchor, node);
    if (isScalar(node)) {
      const v = node.value;
      let value: string | number | bigint | boolean | null;
      if (v === null || v === undefined) value = null;
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') value = v;
      else value = String(v);
      const text = typeof value === 'string' ? value : (node.source ?? String(value));
      return { t: 'scalar', value, text, start: range[0], end: range[1] };
    }
    if (depth >= this.maxDepth) {
      throw new LimitExceeded(`config nested deeper than ${this.maxDepth} levels; refusing it`, range[0], range[1]);
    }
    if (isSeq(node)) {
      const items: SrcNode[] = [];
      for (const it of node.items) items.push(this.convert(it as YamlNode, depth + 1, viaAlias));
      return { t: 'seq', items, start: range[0], end: range[1] };
    }
    if (isMap(node)) {
      const entries: MapEntry[] = [];
      const merged: SrcNode[] = [];
      for (const pair of node.items) {
        const k = pair.key as YamlNode | null;
        const kr = k?.range ?? [range[0], range[0], range[0]];
        const valueNode = pair.value as YamlNode | null;
        const value: SrcNode = valueNode
          ? this.convert(valueNode, depth + 1, viaAlias)
          : { t: 'scalar', value: null, text: '', start: kr[1], end: kr[1] };
        if (k && isScalar(k) && typeof k.value === 'symbol') {
          // `<<: *base` merge key (YAML 1.1, widely used in Envoy configs): merged later, explicit keys win.
          if (value.t === 'seq') merged.push(...value.items);
          else merged.push(value);
          continue;
        }
        const key = k === null ? '' : isScalar(k) ? String(k.value) : String(k);
        entries.push({ key, keyStart: kr[0], keyEnd: kr[1], value });
      }
      for (const m of merged) {
        if (m.t !== 'map') continue;
        for (const e of m.entries) if (!entries.some((x) => x.key === e.key)) entries.push(e);
      }
      return { t: 'map', entries, start: range[0], end: range[1] };
    }
    return { t: 'scalar', value: null, text: '', start: range[0], end: range[1] };
  }
}

const MAX_SYNTAX_ERRORS = 5;

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
