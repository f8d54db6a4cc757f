/**
 * Earliest Deadline First scheduler (Envoy's EdfScheduler), used for weighted round robin and
 * weighted least request: each entry's deadline is `now + 1 / weight`; the earliest deadline is
 * picked, ties go to the entry added first; the picked entry is re-added with its new weight.
 * Over N picks each entry is picked in proportion to its weight, smoothly interleaved.
 *
 * Pure (no randomness). Not re-entrant: `pick` mutates the heap.
 */

interface Entry<T> {
  deadline: number;
  order: number;
  item: T;
}

export class EdfScheduler<T> {
  private heap: Entry<T>[] = [];
  private now = 0;
  private order = 0;

  /** Adds an item with a weight > 0. */
  add(weight: number, item: T): void {
    this.push({ deadline: this.now + 1 / weight, order: this.order++, item });
  }

  get size(): number {
    return this.heap.length;
  }

  /**
   * Picks the item with the earliest deadline and re-adds it with `weightOf(item)` (called once,
   * after the pick, so least request can use the current active request count).
   */
  pickAndAdd(weightOf: (item: T) => number): T | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    this.now = top.deadline;
    top.deadline = this.now + 1 / Math.max(weightOf(top.item), 1e-9);
    top.order = this.order++;
    this.siftDown(0);
    return top.item;
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(h[l]!, h[m]!)) m = l;
      if (r < n && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
