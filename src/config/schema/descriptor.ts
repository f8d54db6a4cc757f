/**
 * Data-driven schema: one descriptor per Envoy v3 message tsproxy reads. The generic decoder
 * (../decode.ts) walks the source tree with these, so adding a field is one line here.
 *
 * Field kinds follow the proto3 JSON mapping Envoy uses: wrappers (`google.protobuf.UInt32Value`
 * ...) decode like their scalar; `Duration` to milliseconds; `Percent` to its value; int64 range
 * bounds to bigint; `Struct`/`Value` are kept raw (their keys are data, never renamed).
 */

export type FieldType =
  | { k: 'string' }
  | { k: 'bool' }
  /** Integers decoded to `number` (uint32, int32, uint64/int64 where precision does not matter). */
  | { k: 'int'; unsigned: boolean; bits: 32 | 64 }
  /** int64 decoded to `bigint` (range matchers). */
  | { k: 'bigint' }
  | { k: 'double' }
  | { k: 'duration' }
  /** `envoy.type.v3.Percent`, decoded to its `value` (0..100). */
  | { k: 'percent' }
  /** `bytes`, base64 in JSON, decoded to Uint8Array (or, with `text`, to a UTF-8 string). */
  | { k: 'bytes'; text?: boolean }
  | { k: 'enum'; values: readonly string[] }
  | { k: 'message'; ref: () => MessageDescriptor }
  /** `google.protobuf.Any`: selected by `@type`. */
  | { k: 'any' }
  /** `google.protobuf.Struct` / `Value` / `ListValue`, or a message tsproxy keeps raw: plain data, keys as written. */
  | { k: 'raw'; struct?: boolean };

export interface FieldDescriptor {
  type: FieldType;
  repeated?: boolean;
  /** `map<string, T>`: keys are data and are never renamed. */
  map?: boolean;
  required?: boolean;
  /** Name of the oneof group this field belongs to. */
  oneof?: string;
  /** Envoy deprecated the field; it still loads, with a `schema/deprecated` warning naming the replacement. */
  deprecated?: string;
  /** A known Envoy field tsproxy does not implement: loads, with a `schema/unsupported` warning. */
  unsupported?: string;
  /** Envoy's validation rules (protoc-gen-validate) on the value: `schema/format` errors. */
  check?: ValueCheck;
}

/** Bounds from Envoy's `(validate.rules)`: numbers in [min, max] (`lt` as `max` - 1), string length. */
export interface ValueCheck {
  min?: number;
  max?: number;
  /** Minimum string length (every item, for repeated strings). */
  minLen?: number;
  /** Strictly greater than 0 (`gt: {}` on a Duration, `gt: 0`). */
  positive?: boolean;
}

export interface MessageDescriptor {
  /** Full proto name, e.g. `envoy.config.route.v3.RouteMatch`. */
  name: string;
  fields: Record<string, FieldDescriptor>;
  /** Oneof groups of which exactly one member must be set. */
  requiredOneofs?: readonly string[];
  /** Unknown fields are kept raw without error (messages tsproxy does not enumerate). */
  open?: boolean;
}

/** Compiled lookup tables of a descriptor, built once per descriptor. */
export interface CompiledMessage {
  desc: MessageDescriptor;
  /** snake_case and lowerCamelCase spellings -> proto field name. */
  byName: Map<string, string>;
  /** oneof group -> member field names. */
  oneofs: Map<string, string[]>;
  /** All proto field names (for "did you mean"). */
  names: string[];
  /** Fields marked required. */
  required: string[];
}

const compiled = new WeakMap<MessageDescriptor, CompiledMessage>();

/** The lookup tables of `desc` (memoized). */
export function compile(desc: MessageDescriptor): CompiledMessage {
  let c = compiled.get(desc);
  if (c) return c;
  const byName = new Map<string, string>();
  const oneofs = new Map<string, string[]>();
  for (const [name, f] of Object.entries(desc.fields)) {
    byName.set(name, name);
    byName.set(jsonName(name), name);
    if (f.oneof) {
      const g = oneofs.get(f.oneof) ?? [];
      g.push(name);
      oneofs.set(f.oneof, g);
    }
  }
  const required = Object.keys(desc.fields).filter((n) => desc.fields[n]!.required);
  c = { desc, byName, oneofs, names: Object.keys(desc.fields), required };
  compiled.set(desc, c);
  return c;
}

/** protobuf's JSON name of a field: `route_config` -> `routeConfig`, `consecutive_5xx` -> `consecutive5xx`. */
export function jsonName(name: string): string {
  // Segment by segment (field names are ASCII): no string per character, no string iterator.
  let i = name.indexOf('_');
  if (i < 0) return name;
  let out = name.slice(0, i);
  while (i < name.length) {
    while (name.charCodeAt(i) === 95 /* _ */) i++;
    if (i >= name.length) break;
    const next = name.indexOf('_', i);
    const end = next < 0 ? name.length : next;
    out += name[i]!.toUpperCase() + name.slice(i + 1, end);
    i = end;
  }
  return out;
}

// --- builders ------------------------------------------------------------------------------

type Opts = Omit<FieldDescriptor, 'type'>;

const mk = (type: FieldType, o?: Opts): FieldDescriptor => ({ type, ...o });

export const str = (o?: Opts) => mk({ k: 'string' }, o);
export const bool = (o?: Opts) => mk({ k: 'bool' }, o);
export const u32 = (o?: Opts) => mk({ k: 'int', unsigned: true, bits: 32 }, o);
export const i32 = (o?: Opts) => mk({ k: 'int', unsigned: false, bits: 32 }, o);
export const u64 = (o?: Opts) => mk({ k: 'int', unsigned: true, bits: 64 }, o);
export const i64 = (o?: Opts) => mk({ k: 'int', unsigned: false, bits: 64 }, o);
export const big = (o?: Opts) => mk({ k: 'bigint' }, o);
export const dbl = (o?: Opts) => mk({ k: 'double' }, o);
export const dur = (o?: Opts) => mk({ k: 'duration' }, o);
export const pct = (o?: Opts) => mk({ k: 'percent' }, o);
export const bytes = (o?: Opts) => mk({ k: 'bytes' }, o);
/** `bytes` that tsproxy uses as text (HeaderValue.raw_value): base64-decoded to a UTF-8 string. */
export const bytesText = (o?: Opts) => mk({ k: 'bytes', text: true }, o);
export const enm = (values: readonly string[], o?: Opts) => mk({ k: 'enum', values }, o);
export const msg = (ref: () => MessageDescriptor, o?: Opts) => mk({ k: 'message', ref }, o);
export const any = (o?: Opts) => mk({ k: 'any' }, o);
export const struct = (o?: Opts) => mk({ k: 'raw', struct: true }, o);
/** A field kept as raw data (tsproxy does not interpret its inside). */
export const raw = (o?: Opts) => mk({ k: 'raw' }, o);
/** A field tsproxy does not implement: kept raw, warned about. */
export const unsupported = (what: string, o?: Opts) => mk({ k: 'raw' }, { unsupported: what, ...o });

/** Declares a message descriptor. */
export function message(
  name: string,
  fields: Record<string, FieldDescriptor>,
  extra?: Omit<MessageDescriptor, 'name' | 'fields'>,
): MessageDescriptor {
  return { name, fields, ...extra };
}

/** A message with no fields (`grpc: {}`, `connect_matcher: {}`, `admin_layer: {}`). */
export const EMPTY = message('google.protobuf.Empty', {});
