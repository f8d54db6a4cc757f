/**
 * "Did you mean" suggestions by edit distance, for unknown fields, enum values and type URLs.
 */

/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance must exceed `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive, `_` ignored so camelCase typos match),
 * if it is close enough to be a plausible typo: distance <= max(1, 40% of the word's length),
 * or <= `maxDistance` when given (long dotted names: a few typos, not 40% of them).
 */
export function suggest(word: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '');
  const w = norm(word);
  const limit = maxDistance ?? Math.max(1, Math.floor(w.length * 0.4));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    const d = editDistance(w, norm(c), bestD - 1 < limit ? bestD - 1 : limit);
    if (d < bestD) {
      best = c;
      bestD = d;
      if (d === 0) break;
    }
  }
  return best;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance?: number): string {
  const s = suggest(word, candidates, maxDistance);
  return s === undefined ? '' : `; did you mean "${s}"?`;
}
