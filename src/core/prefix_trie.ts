/**
 * A prefix trie (radix tree) of string keys to lists of values, for the route index: given a
 * path, it offers the list of every key that is a prefix of that path, shortest key first.
 * Built once, then frozen (`freeze()`); a lookup allocates nothing. Pure.
 */

/** Receives the lists a lookup finds. */
export interface ListSink<T> {
  offer(list: readonly T[]): void;
}

/**
 * A node: `label` is the text of the edge into it. While building, children are in a Map by
 * their label's first UTF-16 unit; `freeze()` turns that into a table indexed by `unit - base`
 * (siblings' first characters are usually close: digits, letters), so a lookup step is one
 * subtraction and one array load.
 */
class TrieNode<T> {
  values: T[] | undefined = undefined;
  building: Map<number, TrieNode<T>> | undefined = undefined;
  base = 0;
  table: (TrieNode<T> | undefined)[] = [];
  constructor(public label: string) {}

  setChild(node: TrieNode<T>): void {
    (this.building ??= new Map()).set(node.label.charCodeAt(0), node);
  }

  freeze(): void {
    const b = this.building;
    if (b === undefined) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of b.keys()) {
      if (c < lo) lo = c;
      if (c > hi) hi = c;
    }
    // A wide spread of first characters costs table memory (at most 64 Ki entries), not time.
    this.base = lo;
    this.table = new Array<TrieNode<T> | undefined>(hi - lo + 1).fill(undefined);
    for (const [c, n] of b) {
      this.table[c - lo] = n;
      n.freeze();
    }
    this.building = undefined;
  }
}

export class PrefixTrie<T> {
  private readonly root = new TrieNode<T>('');
  /** Number of values added. */
  size = 0;

  /** Adds `value` under `key` (values under one key keep their order). Before freeze() only. */
  add(key: string, value: T): void {
    let node = this.root;
    let pos = 0;
    while (pos < key.length) {
      const child = node.building?.get(key.charCodeAt(pos));
      if (child === undefined) {
        const leaf = new TrieNode<T>(key.slice(pos));
        node.setChild(leaf);
        node = leaf;
        break;
      }
      // Length of the common part of the child's label and the rest of the key.
      const label = child.label;
      let n = 1;
      while (n < label.length && pos + n < key.length && label.charCodeAt(n) === key.charCodeAt(pos + n)) n++;
      if (n < label.length) {
        // Split the edge: a new node for the common part, the old child below it.
        const mid = new TrieNode<T>(label.slice(0, n));
        child.label = label.slice(n);
        mid.setChild(child);
        node.setChild(mid);
        node = mid;
      } else {
        node = child;
      }
      pos += n;
    }
    (node.values ??= []).push(value);
    this.size++;
  }

  /** Ends building: children tables for lookups. */
  freeze(): void {
    this.root.freeze();
  }

  /** Offers the values of every key that is a prefix of `path`, shortest key first. */
  collect(path: string, sink: ListSink<T>): void {
    let node: TrieNode<T> | undefined = this.root;
    let pos = 0;
    for (;;) {
      if (node.values !== undefined) sink.offer(node.values);
      if (pos >= path.length) return;
      const t: (TrieNode<T> | undefined)[] = node.table;
      const i: number = path.charCodeAt(pos) - node.base;
      node = i >= 0 && i < t.length ? t[i] : undefined;
      // The first unit matched through the table; compare the rest of the label.
      if (node === undefined || (node.label.length > 1 && !path.startsWith(node.label, pos))) return;
      pos += node.label.length;
    }
  }
}
