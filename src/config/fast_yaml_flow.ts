/**
 * One-line flow collections (`[a, b]`, `{k: v}`) for the YAML fast path (fast_yaml.ts). Anything
 * beyond one line, or outside the subset, gives up.
 */
import type { MapEntry, SrcNode } from './source.js';
import { SPACE, giveUp, hasKey, plainValue, quotedScalar, scalar, trackKeys } from './fast_yaml_scalars.js';

/** A one-line flow collection at `pos` of `s` (`{` or `[`), closing before `eol`: its node and end. */
export function flowCollection(s: string, pos: number, eol: number, depth: number, maxDepth: number): { node: SrcNode; end: number } {
  if (depth >= maxDepth) giveUp();
  const skip = (i: number): number => {
    while (s.charCodeAt(i) === SPACE) i++;
    return i;
  };
  if (s[pos] === '[') {
    const items: SrcNode[] = [];
    let i = skip(pos + 1);
    if (s[i] === ']') return { node: { t: 'seq', items, start: pos, end: i + 1 }, end: i + 1 };
    for (;;) {
      const v = flowValue(s, i, eol, depth, maxDepth, ']');
      items.push(v.node);
      i = skip(v.end);
      if (s[i] === ',') {
        i = skip(i + 1);
        if (s[i] === ']') giveUp(); // a trailing comma
        continue;
      }
      if (s[i] === ']') return { node: { t: 'seq', items, start: pos, end: i + 1 }, end: i + 1 };
      giveUp();
    }
  }
  const entries: MapEntry[] = [];
  let keys: Set<string> | undefined;
  let i = skip(pos + 1);
  if (s[i] === '}') return { node: { t: 'map', entries, start: pos, end: i + 1 }, end: i + 1 };
  for (;;) {
    let key: string;
    let keyEnd: number;
    const keyStart = i;
    if (s[i] === '"' || s[i] === "'") {
      const q = quotedScalar(s, i, eol);
      key = q.value;
      keyEnd = q.end;
      i = skip(q.end);
      if (s[i] !== ':') giveUp();
    } else {
      let j = i;
      while (j < eol && !(s[j] === ':' && (s.charCodeAt(j + 1) === SPACE)) && s[j] !== ',' && s[j] !== '}' && s[j] !== '{' && s[j] !== '[' && s[j] !== ']') j++;
      if (s[j] !== ':') giveUp();
      let e = j;
      while (e > i && s.charCodeAt(e - 1) === SPACE) e--;
      const raw = s.slice(i, e);
      if (raw === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(raw) || raw.includes(' #') || raw === '<<') giveUp();
      const v = plainValue(raw);
      if (typeof v !== 'string' && typeof v !== 'bigint' && typeof v !== 'boolean') giveUp();
      key = String(v);
      keyEnd = e;
      i = j;
    }
    if (hasKey(entries, keys, key)) giveUp();
    i = skip(i + 1);
    if (s[i] === ',' || s[i] === '}') giveUp(); // a key without a value
    const v = flowValue(s, i, eol, depth, maxDepth, '}');
    entries.push({ key, keyStart, keyEnd, value: v.node });
    keys = trackKeys(entries, keys);
    i = skip(v.end);
    if (s[i] === ',') {
      i = skip(i + 1);
      if (s[i] === '}') giveUp();
      continue;
    }
    if (s[i] === '}') return { node: { t: 'map', entries, start: pos, end: i + 1 }, end: i + 1 };
    giveUp();
  }
}

/** A value inside a flow collection closed by `close`: a nested collection or a scalar. */
function flowValue(s: string, i: number, eol: number, depth: number, maxDepth: number, close: string): { node: SrcNode; end: number } {
  const c = s[i];
  if (c === '{' || c === '[') return flowCollection(s, i, eol, depth + 1, maxDepth);
  if (c === '"' || c === "'") {
    const q = quotedScalar(s, i, eol);
    return { node: { t: 'scalar', value: q.value, text: q.value, start: i, end: q.end }, end: q.end };
  }
  let j = i;
  while (j < eol && s[j] !== ',' && s[j] !== close && s[j] !== '[' && s[j] !== ']' && s[j] !== '{' && s[j] !== '}') {
    if (s[j] === ':' && s.charCodeAt(j + 1) === SPACE) giveUp(); // a pair inside a sequence
    if (s[j] === '#' && s.charCodeAt(j - 1) === SPACE) giveUp();
    j++;
  }
  if (j >= eol) giveUp();
  let e = j;
  while (e > i && s.charCodeAt(e - 1) === SPACE) e--;
  const raw = s.slice(i, e);
  if (raw === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(raw) && !/^-[0-9.]/.test(raw)) giveUp();
  return { node: scalar(raw, i, e), end: e };
}
