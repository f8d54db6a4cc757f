/**
 * Decoders of the well-known scalar types for the schema decoder (decode.ts): booleans, integers
 * with their ranges, doubles, Durations, Percents, bytes, enums. Each reports problems through
 * the decoder's `report` and returns undefined for a value it cannot take; never throws.
 */
import type { Severity } from './diagnostic.js';
import { describeNode, type MapNode, type SrcNode } from './source.js';
import type { FieldType } from './schema/descriptor.js';
import { didYouMean } from './suggest.js';
import { parseDuration, durationFromParts } from './duration.js';
import { keyPath } from './decode_path.js';

/** Where a scalar decoder reports (the Decoder). */
export interface Reporter {
  report(severity: Severity, rule: string, message: string, start: number, end: number, path: string): void;
}

/** Reports that `node` is not `expected`; returns undefined. */
export function typeError(r: Reporter, node: SrcNode, expected: string, path: string): undefined {
  r.report('error', 'schema/type', `expected ${expected}, got ${describeNode(node)}`, node.start, node.end, path);
  return undefined;
}

  /** A boolean, with YAML 1.1's spellings (yes/no/on/off) as Envoy's yaml-cpp reads them. */
export function decodeBool(r: Reporter, node: SrcNode, path: string): boolean | undefined {
    const n = unwrap(node);
    if (n.t === 'scalar') {
      if (typeof n.value === 'boolean') return n.value;
      // Envoy reads YAML through yaml-cpp, whose booleans include YAML 1.1's yes/no/on/off.
      if (typeof n.value === 'string') {
        const b = YAML11_BOOLEANS.get(n.value);
        if (b !== undefined) return b;
      }
    }
    return typeError(r, node, 'a boolean', path);
  }

  /** A double: a number, or a string holding one. */
export function decodeDouble(r: Reporter, node: SrcNode, path: string): number | undefined {
    const n = unwrap(node);
    if (n.t === 'scalar') {
      if (typeof n.value === 'number') return n.value;
      if (typeof n.value === 'bigint') return Number(n.value);
      if (typeof n.value === 'string' && n.value.trim() !== '' && !Number.isNaN(Number(n.value))) return Number(n.value);
    }
    return typeError(r, node, 'a number', path);
  }

/** The value node of a Percent written as a message (`{value: x}`); an empty one is 0 %. */
export function percentNode(r: Reporter, node: MapNode, path: string): SrcNode | undefined {
  let value: SrcNode | undefined;
  for (const e of node.entries) {
    if (e.key === 'value') value = e.value;
    else r.report('error', 'schema/unknown-field', `unknown field "${e.key}" in envoy.type.v3.Percent${didYouMean(e.key, ['value'])}`, e.keyStart, e.keyEnd, keyPath(path, e.key));
  }
  // An empty Percent message is 0 %.
  return value ?? { t: 'scalar', value: 0, text: '0', start: node.start, end: node.end };
}

/** An integer of `type` (range-checked for its width; int64 kept as bigint when the field says so). */
export function decodeInteger(r: Reporter, node: SrcNode, type: FieldType, path: string): number | bigint | undefined {
  const n = unwrap(node);
  let v: bigint | undefined;
  if (n.t === 'scalar') {
    if (typeof n.value === 'bigint') v = n.value;
    else if (typeof n.value === 'number' && Number.isInteger(n.value)) v = BigInt(n.value);
    else if (typeof n.value === 'string' && /^-?\d+$/.test(n.value.trim())) v = BigInt(n.value.trim());
  }
  if (v === undefined) return typeError(r, node, 'an integer', path);
  const unsigned = type.k === 'int' && type.unsigned;
  const bits = type.k === 'int' ? type.bits : 64;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (v < min || v > max) {
    const kind = `${unsigned ? 'u' : ''}int${bits}`;
    r.report('error', 'schema/type', `${v} is out of range for ${kind}`, node.start, node.end, path);
    return undefined;
  }
  return type.k === 'bigint' ? v : Number(v);
}

/** A google.protobuf.Duration (`"1.5s"` or `{seconds, nanos}`), in milliseconds; never negative. */
export function decodeDuration(r: Reporter, node: SrcNode, path: string): number | undefined {
  if (node.t === 'scalar' && typeof node.value === 'string') {
    const ms = parseDuration(node.value);
    if (ms === undefined) {
      r.report('error', 'schema/format', `invalid duration "${node.value}": write seconds with an "s" suffix, like "1.5s"`, node.start, node.end, path);
      return undefined;
    }
    return nonNegative(r, ms, node, path);
  }
  if (node.t === 'map') {
    let seconds: bigint | number | undefined = 0;
    let nanos: bigint | number | undefined = 0;
    for (const e of node.entries) {
      if (e.key === 'seconds') seconds = decodeInteger(r, e.value, { k: 'bigint' }, `${path}.seconds`);
      else if (e.key === 'nanos') nanos = decodeInteger(r, e.value, { k: 'int', unsigned: false, bits: 32 }, `${path}.nanos`);
      else r.report('error', 'schema/unknown-field', `unknown field "${e.key}" in google.protobuf.Duration${didYouMean(e.key, ['seconds', 'nanos'])}`, e.keyStart, e.keyEnd, keyPath(path, e.key));
    }
    if (seconds === undefined || nanos === undefined) return undefined;
    if (Math.abs(Number(nanos)) > 999_999_999) {
      r.report('error', 'schema/format', `Duration nanos must be within ±999999999, got ${nanos}`, node.start, node.end, path);
      return undefined;
    }
    return nonNegative(r, durationFromParts(Number(seconds), Number(nanos)), node, path);
  }
  if (node.t === 'scalar' && (typeof node.value === 'number' || typeof node.value === 'bigint')) {
    r.report('error', 'schema/format', `invalid duration ${node.text}: a Duration is a string with an "s" suffix, like "${node.text}s"`, node.start, node.end, path);
    return undefined;
  }
  return typeError(r, node, 'a duration like "1.5s"', path);
}

function nonNegative(r: Reporter, ms: number, node: SrcNode, path: string): number | undefined {
  if (ms < 0) {
    r.report('error', 'schema/format', 'a negative duration is not allowed here', node.start, node.end, path);
    return undefined;
  }
  return ms;
}

/** A `bytes` field: base64 (standard or URL-safe alphabet). */
export function decodeBytes(r: Reporter, node: SrcNode, path: string): Uint8Array | undefined {
  if (node.t !== 'scalar' || typeof node.value !== 'string') return typeError(r, node, 'a base64 string', path);
  const s = node.value.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1) {
    r.report('error', 'schema/format', 'invalid base64 in a bytes field (inline_bytes is base64; use inline_string for text)', node.start, node.end, path);
    return undefined;
  }
  const padded = s.replace(/=+$/, '');
  const bin = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** An enum value by name (case-insensitive, as Envoy parses them, with a note) or number. */
export function decodeEnum(r: Reporter, node: SrcNode, values: readonly string[], path: string): string | undefined {
  if (node.t === 'scalar') {
    const v = node.value;
    if (typeof v === 'string') {
      if (values.includes(v)) return v;
      const upper = v.toUpperCase();
      if (values.includes(upper)) {
        // Envoy parses JSON/YAML enums case-insensitively (case_insensitive_enum_parsing): accepted, noted.
        r.report('info', 'schema/enum', `enum values are written in upper case: "${upper}" (Envoy accepts "${v}")`, node.start, node.end, path);
        return upper;
      }
      r.report('error', 'schema/enum', `invalid value "${v}"; expected one of ${values.join(', ')}${didYouMean(v, values)}`, node.start, node.end, path);
      return undefined;
    }
    if ((typeof v === 'number' || typeof v === 'bigint') && Number(v) >= 0 && Number(v) < values.length && Number.isInteger(Number(v))) {
      return values[Number(v)];
    }
  }
  r.report('error', 'schema/enum', `invalid value ${describeNode(node)}; expected one of ${values.join(', ')}`, node.start, node.end, path);
  return undefined;
}

const YAML11_BOOLEANS = new Map<string, boolean>();
for (const [words, value] of [[['y', 'yes', 'true', 'on'], true], [['n', 'no', 'false', 'off'], false]] as const) {
  for (const w of words) {
    for (const spelled of [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]) YAML11_BOOLEANS.set(spelled, value);
  }
}

/** A wrapper (`google.protobuf.UInt32Value` ...) may be written as `{value: x}`. */
function unwrap(node: SrcNode): SrcNode {
  if (node.t === 'map' && node.entries.length === 1 && node.entries[0]!.key === 'value') return node.entries[0]!.value;
  return node;
}
