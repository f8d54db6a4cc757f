/**
 * The inverse of the config decoder (src/config/decode.ts): a decoded message back to Envoy's
 * proto3 JSON as `/config_dump` prints it — snake_case field names in descriptor order,
 * Durations as `"1.500s"`, 64-bit integers as strings, bytes as base64, Percent as `{value}`,
 * `Any` with its `@type` first. Fields tsproxy keeps raw are written as they were read.
 * What it writes is what `tsproxy match -c` (and Envoy) read back.
 */
import type { FieldDescriptor, FieldType, MessageDescriptor } from '../../config/schema/descriptor.js';
import { lookupType } from '../../config/schema/registry.js';

/** `1500` ms -> `"1.500s"`; whole seconds without a fraction (`"5s"`), as protobuf prints them. */
export function durationJson(ms: number): string {
  const nanos = Math.round(ms * 1e6);
  const sec = Math.trunc(nanos / 1e9);
  const frac = Math.abs(nanos % 1e9);
  const sign = nanos < 0 && sec === 0 ? '-' : '';
  if (frac === 0) return `${sign}${sec}s`;
  let digits = String(frac).padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${sign}${sec}.${digits}s`;
}

function base64(b: Uint8Array | string): string {
  return Buffer.from(typeof b === 'string' ? Buffer.from(b, 'utf8') : b).toString('base64');
}

/** Plain data (raw fields): bigint -> string, bytes -> base64; otherwise as is. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

function single(v: unknown, t: FieldType): unknown {
  switch (t.k) {
    case 'message':
      return v !== null && typeof v === 'object' ? encodeMessage(v as Record<string, unknown>, t.ref()) : plain(v);
    case 'any':
      return encodeAny(v);
    case 'duration':
      return typeof v === 'number' ? durationJson(v) : plain(v);
    case 'percent':
      return typeof v === 'number' ? { value: v } : plain(v);
    case 'int':
      return t.bits === 64 && typeof v === 'number' ? String(v) : plain(v);
    case 'bigint':
      return typeof v === 'bigint' || typeof v === 'number' ? String(v) : plain(v);
    case 'bytes':
      return v instanceof Uint8Array || typeof v === 'string' ? base64(v) : plain(v);
    default:
      return plain(v);
  }
}

function field(v: unknown, f: FieldDescriptor): unknown {
  if (f.map && v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = single(x, f.type);
    return out;
  }
  if (f.repeated && Array.isArray(v)) return v.map((x) => single(x, f.type));
  return single(v, f.type);
}

/** A decoded message as proto3 JSON. Keys the descriptor does not list (open messages) follow. */
export function encodeMessage(value: Record<string, unknown>, desc: MessageDescriptor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(desc.fields)) {
    const v = value[name];
    if (v === undefined) continue;
    out[name] = field(v, f);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k in out || k in desc.fields || v === undefined) continue;
    out[k] = plain(v);
  }
  return out;
}

/** A decoded `google.protobuf.Any` (`@type` plus the decoded fields of that type). */
export function encodeAny(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return plain(v);
  const o = v as Record<string, unknown>;
  const url = o['@type'];
  if (typeof url !== 'string') return plain(v);
  const desc = lookupType(url.slice(url.lastIndexOf('/') + 1))?.desc;
  const rest: Record<string, unknown> = { ...o };
  delete rest['@type'];
  return { '@type': url, ...(desc ? encodeMessage(rest, desc) : (plain(rest) as Record<string, unknown>)) };
}

/** Packs a decoded message as an Any of `typeName`. */
export function packAny(value: object, desc: MessageDescriptor): Record<string, unknown> {
  return { '@type': `type.googleapis.com/${desc.name}`, ...encodeMessage(value as Record<string, unknown>, desc) };
}
