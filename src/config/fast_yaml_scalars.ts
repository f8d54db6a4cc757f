/**
 * The scalar rules of the YAML fast path (fast_yaml.ts): plain scalars under YAML 1.2's core
 * schema, one-line quoted scalars, the duplicate-key check of mappings, and the give-up signal
 * the fast path throws when the text is outside the subset it handles.
 */
import type { MapEntry, ScalarNode, ScalarValue } from './source.js';

/** Thrown to give up; never escapes the fast path (parseYamlFast catches it). */
class GiveUp {}
export const GIVE_UP = new GiveUp();

/** Gives up on the fast path: the caller parses with the `yaml` package. */
export function giveUp(): never {
  throw GIVE_UP;
}

export const SPACE = 32;
export const NL = 10;
export const HASH = 35;

/** A single- or double-quoted scalar at `pos` of `s` that closes before `eol`: its value and end. */
export function quotedScalar(s: string, pos: number, eol: number): { value: string; end: number } {
  if (s[pos] === "'") {
    let out = '';
    let i = pos + 1;
    for (;;) {
      const j = s.indexOf("'", i);
      if (j < 0 || j >= eol) giveUp();
      out += s.slice(i, j);
      if (s[j + 1] === "'") {
        out += "'";
        i = j + 2;
        continue;
      }
      return { value: out, end: j + 1 };
    }
  }
  let out = '';
  let i = pos + 1;
  for (;;) {
    let j = i;
    while (j < eol && s[j] !== '"' && s[j] !== '\\') j++;
    if (j >= eol) giveUp();
    out += s.slice(i, j);
    if (s[j] === '"') return { value: out, end: j + 1 };
    const e = s[j + 1];
    const simple = e === undefined ? undefined : ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i = j + 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
      out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
      i = j + 6;
    } else giveUp();
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', ' ': ' ',
};

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** A plain scalar's value under the core schema (integers as bigint); gives up on forms it does not handle. */
export function plainValue(raw: string): ScalarValue {
  const c = raw.charCodeAt(0);
  // The words of null and the booleans start with n, N, ~, t, T, f or F: other text skips the
  // ten comparisons (every key and plain value comes through here).
  if (c === 110 || c === 78 || c === 126 || c === 116 || c === 84 || c === 102 || c === 70) {
    switch (raw) {
      case 'null': case 'Null': case 'NULL': case '~':
        return null;
      case 'true': case 'True': case 'TRUE':
        return true;
      case 'false': case 'False': case 'FALSE':
        return false;
    }
  }
  // Only text that starts like a number can be one.
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46)) return raw;
  if (INT.test(raw)) return raw[0] === '-' ? -BigInt(raw.slice(1)) : BigInt(raw[0] === '+' ? raw.slice(1) : raw);
  if (/^0x[0-9a-fA-F]+$/.test(raw) || /^0o[0-7]+$/.test(raw)) return BigInt(raw);
  if (FLOAT.test(raw)) return Number(raw);
  if (/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(raw)) giveUp();
  return raw;
}

/** Mappings with more keys than this get a Set of their keys for the duplicate check. */
const KEY_SET_FROM = 16;

/**
 * Whether a mapping's `entries` already has `key` (a duplicate key makes the parser give up).
 * Mappings in configs have a handful of keys: a linear scan, with no Set per mapping (that Set
 * was a fifth of the parse's garbage); `keys` is the Set of a large mapping (see trackKeys).
 */
export function hasKey(entries: readonly MapEntry[], keys: Set<string> | undefined, key: string, from = 0): boolean {
  if (keys !== undefined) return keys.has(key);
  for (let i = from; i < entries.length; i++) if (entries[i]!.key === key) return true;
  return false;
}

/**
 * After an entry was pushed: the mapping's key Set, made once it has KEY_SET_FROM keys. The
 * mapping's entries are those of `entries` from index `from` (a parser's shared entry stack).
 */
export function trackKeys(entries: readonly MapEntry[], keys: Set<string> | undefined, from = 0): Set<string> | undefined {
  if (keys !== undefined) return keys.add(entries[entries.length - 1]!.key);
  if (entries.length - from < KEY_SET_FROM) return undefined;
  const set = new Set<string>();
  for (let i = from; i < entries.length; i++) set.add(entries[i]!.key);
  return set;
}

/** A plain scalar node for `raw` at [start, end). */
export function scalar(raw: string, start: number, end: number): ScalarNode {
  return { t: 'scalar', value: plainValue(raw), text: raw, start, end };
}
