/**
 * The generic schema decoder: walks the source tree with a message descriptor and produces the
 * typed, snake_case object of types.ts plus diagnostics. It never throws on bad input.
 *
 * Proto3 JSON mapping as Envoy reads it: fields in snake_case or lowerCamelCase; `null` means
 * absent; Duration as `"1.5s"` or `{seconds, nanos}`; wrappers as their plain value (or
 * `{value: x}`); int64 as numbers or strings; enums by name (or number); bytes as base64.
 * Every decoded message and list gets a lazily computed position (`setLazyPosition`), which
 * answers `positionOf`, `fieldPositionOf` and `jsonPathOf`.
 */
import type { Diagnostic, Severity } from './diagnostic.js';
import { setLazyPosition, type LazyPosition } from './position.js';
import { describeNode, toPlain, type LineIndex, type MapEntry, type MapNode, type SrcNode } from './source.js';
import {
  compile, jsonName, type CompiledMessage, type FieldDescriptor, type FieldType, type MessageDescriptor, type ValueCheck,
} from './schema/descriptor.js';
import { didYouMean } from './suggest.js';
import { lookupType, knownTypeNames } from './schema/registry.js';
import { parseDuration, durationFromParts } from './duration.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** JSON path of a map key or field: `.name` or `["envoy.filters.http.cors"]`. */
export function keyPath(path: string, key: string): string {
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Decodes source trees against descriptors, collecting diagnostics. One per file. */
export class Decoder {
  readonly diagnostics: Diagnostic[] = [];
  /**
   * The text is Envoy's own output (an admin `/config_dump`): a value outside Envoy's validation
   * rules there is what Envoy itself holds and writes (`load_balancing_weight: 0` in an EDS
   * section), so it is an `info`, never an error.
   */
  envoyWritten = false;

  constructor(readonly lines: LineIndex) {}

  /** Adds a diagnostic spanning [start, end). */
  report(severity: Severity, rule: string, message: string, start: number, end: number, path: string): void {
    this.diagnostics.push({ ...this.lines.span(start, end), severity, rule, message, path });
  }

  /** Decodes a message; undefined (with a diagnostic) when the node is not a mapping. */
  message(node: SrcNode, desc: MessageDescriptor, path: string): Record<string, unknown> | undefined {
    if (node.t !== 'map') {
      this.typeError(node, `a mapping (${desc.name})`, path);
      return undefined;
    }
    return this.fields(node, desc, path, undefined);
  }

  /**
   * Decodes the entries of `node` as fields of `desc` into a fresh object. `skipKey` is left out
   * (the `@type` of an Any).
   */
  fields(
    node: MapNode,
    desc: MessageDescriptor,
    path: string,
    skipKey: string | undefined,
    out: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const c = compile(desc);
    setLazyPosition(out, new NodePosition(this.lines, node, path));
    // Oneof groups set so far, as [group, field] pairs: messages have few, and this loop is the
    // hot path of a 5 MB config dump, so no Map/Set per message. Indexed loops, not for-of: this
    // runs a few thousand times per load, mostly before V8 optimizes it, and the interpreter's
    // iterator protocol was a tenth of a cold `tsproxy match` on 1,000 routes.
    let oneofs: string[] | undefined;
    const entries = node.entries;
    for (let ei = 0; ei < entries.length; ei++) {
      const e = entries[ei]!;
      if (e.key === skipKey) continue;
      const name = c.byName.get(e.key);
      if (name === undefined) {
        if (desc.open) {
          out[snakeCase(e.key)] = toPlain(e.value);
          continue;
        }
        this.report('error', 'schema/unknown-field', `unknown field "${e.key}" in ${desc.name}${didYouMean(e.key, c.names)}`, e.keyStart, e.keyEnd, keyPath(path, e.key));
        continue;
      }
      const f = desc.fields[name]!;
      const fpath = `${path}.${name}`; // proto field names are identifiers
      if (name in out) {
        this.report('error', 'schema/duplicate-field', `field "${name}" is written twice (snake_case and camelCase spellings)`, e.keyStart, e.keyEnd, fpath);
        continue;
      }
      const v = e.value;
      if (v.t === 'scalar' && v.value === null) continue; // proto3 JSON: null is "not set"
      if (f.oneof) {
        const prev = oneofs ? oneofField(oneofs, f.oneof) : undefined;
        if (prev !== undefined) {
          this.report('error', 'schema/oneof', `only one of "${prev}" and "${name}" may be set (${desc.name} oneof ${f.oneof})`, e.keyStart, v.end, fpath);
          continue;
        }
        (oneofs ??= []).push(f.oneof, name);
      }
      if (f.deprecated && !f.unsupported) {
        this.report('warning', 'schema/deprecated', `"${name}" is deprecated in Envoy (${desc.name}.${name}): ${f.deprecated}`, e.keyStart, e.keyEnd, fpath);
      }
      if (f.unsupported) {
        this.report('warning', 'schema/unsupported', `${f.unsupported} is not implemented by tsproxy; "${name}" is ignored${f.deprecated ? ` (and deprecated in Envoy: ${f.deprecated})` : ''}`, e.keyStart, e.keyEnd, fpath);
      }
      const value = this.field(v, f, fpath);
      if (value !== undefined) {
        out[name] = value;
        if (f.check) this.check(value, f.check, v, fpath);
      }
    }
    for (let ri = 0; ri < c.required.length; ri++) {
      const name = c.required[ri]!;
      const v = out[name];
      // Written but invalid (or null): already reported, not "missing".
      if (v === undefined && !written(node, c, name)) {
        this.report('error', 'schema/required', `missing required field "${name}" in ${desc.name}`, node.start, node.start + 1, `${path}.${name}`);
      } else if (Array.isArray(v) && v.length === 0) {
        this.report('error', 'schema/required', `"${name}" must not be empty (${desc.name})`, node.start, node.start + 1, `${path}.${name}`);
      }
    }
    const requiredOneofs = desc.requiredOneofs;
    for (let gi = 0; requiredOneofs !== undefined && gi < requiredOneofs.length; gi++) {
      const group = requiredOneofs[gi]!;
      if (oneofs && oneofField(oneofs, group) !== undefined) continue;
      const members = c.oneofs.get(group) ?? [];
      if (members.some((m) => written(node, c, m))) continue; // set but invalid: already reported
      this.report('error', 'schema/required', `${desc.name} needs one of: ${members.join(', ')}`, node.start, node.start + 1, path);
    }
    return out;
  }

  /** Decodes a field value (repeated, map or single). */
  field(node: SrcNode, f: FieldDescriptor, path: string): unknown {
    if (f.map) {
      if (node.t !== 'map') return this.typeError(node, 'a mapping', path);
      const out: Record<string, unknown> = {};
      setLazyPosition(out, new NodePosition(this.lines, node, path));
      for (let ei = 0; ei < node.entries.length; ei++) {
        const e = node.entries[ei]!;
        // Map keys are data (filter names, metadata namespaces): never renamed.
        const v = this.single(e.value, f.type, keyPath(path, e.key));
        if (v !== undefined) out[e.key] = v;
      }
      return out;
    }
    if (f.repeated) {
      if (node.t !== 'seq') {
        // Envoy's (protobuf's) JSON parser reads a single value as a one-element list; Envoy's
        // own example configs rely on it (configs/google-vrp/envoy-edge.yaml `clusters:`).
        this.report('info', 'schema/type', `expected a list; ${describeNode(node)} is read as a list of one`, node.start, node.end, path);
        const one = this.single(node, f.type, `${path}[0]`);
        const list = one === undefined ? [] : [one];
        setLazyPosition(list, new NodePosition(this.lines, node, path));
        return list;
      }
      const out: unknown[] = [];
      setLazyPosition(out, new NodePosition(this.lines, node, path));
      for (let i = 0; i < node.items.length; i++) {
        const v = this.single(node.items[i]!, f.type, `${path}[${i}]`);
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    return this.single(node, f.type, path);
  }

  /** Decodes one value of `type`. */
  single(node: SrcNode, type: FieldType, path: string): unknown {
    switch (type.k) {
      case 'message':
        return this.message(node, type.ref(), path);
      case 'any':
        return this.any(node, path);
      case 'raw':
        if (type.struct && node.t !== 'map') return this.typeError(node, 'a mapping (google.protobuf.Struct)', path);
        return toPlain(node);
      case 'string':
        if (node.t !== 'scalar') return this.typeError(node, 'a string', path);
        return typeof node.value === 'string' ? node.value : node.text;
      case 'bool': {
        const n = unwrap(node);
        if (n.t === 'scalar') {
          if (typeof n.value === 'boolean') return n.value;
          // Envoy reads YAML through yaml-cpp, whose booleans include YAML 1.1's yes/no/on/off.
          if (typeof n.value === 'string') {
            const b = YAML11_BOOLEANS.get(n.value);
            if (b !== undefined) return b;
          }
        }
        return this.typeError(node, 'a boolean', path);
      }
      case 'int':
      case 'bigint':
        return this.integer(node, type, path);
      case 'double': {
        const n = unwrap(node);
        if (n.t === 'scalar') {
          if (typeof n.value === 'number') return n.value;
          if (typeof n.value === 'bigint') return Number(n.value);
          if (typeof n.value === 'string' && n.value.trim() !== '' && !Number.isNaN(Number(n.value))) return Number(n.value);
        }
        return this.typeError(node, 'a number', path);
      }
      case 'duration':
        return this.duration(node, path);
      case 'percent': {
        const n = node.t === 'map' ? this.percentValue(node, path) : node;
        if (n === undefined) return undefined;
        const v = this.single(n, { k: 'double' }, node.t === 'map' ? `${path}.value` : path) as number | undefined;
        if (v === undefined) return undefined;
        if (!(v >= 0 && v <= 100)) {
          this.report('error', 'schema/format', `a Percent must be between 0 and 100, got ${v}`, node.start, node.end, path);
          return undefined;
        }
        return v;
      }
      case 'bytes': {
        const b = this.bytes(node, path);
        return b && type.text ? new TextDecoder().decode(b) : b;
      }
      case 'enum':
        return this.enumValue(node, type.values, path);
    }
  }

  /** Decodes a `google.protobuf.Any`: `@type` selects the message. */
  any(node: SrcNode, path: string): Record<string, unknown> | undefined {
    if (node.t !== 'map') return this.typeError(node, 'a mapping with "@type" (google.protobuf.Any)', path);
    // `typed_config: {}`: an empty Any is "not set"; Envoy then finds the extension by its name.
    if (node.entries.length === 0) return undefined;
    let typeEntry: MapEntry | undefined;
    for (let ei = 0; ei < node.entries.length && typeEntry === undefined; ei++) if (node.entries[ei]!.key === '@type') typeEntry = node.entries[ei];
    if (!typeEntry) {
      this.report('error', 'schema/required', 'missing "@type" in typed config (google.protobuf.Any)', node.start, node.start + 1, `${path}["@type"]`);
      return undefined;
    }
    const tv = typeEntry.value;
    if (tv.t !== 'scalar' || typeof tv.value !== 'string') return this.typeError(tv, 'a type URL string', `${path}["@type"]`);
    const url = tv.value;
    const typeName = url.slice(url.lastIndexOf('/') + 1);
    const tpath = `${path}["@type"]`;
    const info = lookupType(typeName);
    if (info?.desc) {
      return this.fields(node, info.desc, path, '@type', { '@type': url });
    }
    const rawOut = toPlain(node) as Record<string, unknown>;
    setLazyPosition(rawOut, new NodePosition(this.lines, node, path));
    if (!url.includes('/')) {
      this.report('error', 'schema/format', `type URL "${url}" must look like type.googleapis.com/${typeName}`, tv.start, tv.end, tpath);
    } else if (info?.unsupported) {
      this.report('warning', 'schema/unsupported', `${info.unsupported} (${typeName}) is not implemented by tsproxy`, tv.start, tv.end, tpath);
    } else if (info?.envoy) {
      this.report('info', 'schema/not-modelled', `${info.envoy.what} (${typeName}) is an Envoy type tsproxy does not model: accepted, its fields are not checked`, tv.start, tv.end, tpath);
    } else {
      const hint = didYouMean(typeName, knownTypeNames(), Math.max(2, Math.floor(typeName.length / 12)));
      this.report('warning', 'schema/unknown-type', `"${typeName}" is not a type Envoy's API defines${hint || ' (a custom Envoy build or Wasm?)'}; its config is not checked`, tv.start, tv.end, tpath);
    }
    return rawOut;
  }

  /** Envoy's value rules (protoc-gen-validate) on a decoded field. */
  private check(value: unknown, c: ValueCheck, node: SrcNode, path: string): void {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      let problem: string | undefined;
      if (typeof v === 'number') {
        if (c.positive && !(v > 0)) problem = 'must be greater than 0';
        else if (c.min !== undefined && v < c.min) problem = `must be at least ${c.min}, got ${v}`;
        else if (c.max !== undefined && v > c.max) problem = `must be at most ${c.max}, got ${v}`;
      } else if (typeof v === 'string' && c.minLen !== undefined && v.length < c.minLen) {
        problem = 'must not be empty';
      }
      if (problem) {
        const field = path.slice(path.lastIndexOf('.') + 1);
        if (this.envoyWritten) this.report('info', 'schema/format', `"${field}" ${problem} (written by Envoy in its config dump: accepted)`, node.start, node.end, path);
        else this.report('error', 'schema/format', `"${field}" ${problem}`, node.start, node.end, path);
        return;
      }
    }
  }

  private percentValue(node: MapNode, path: string): SrcNode | undefined {
    let value: SrcNode | undefined;
    for (const e of node.entries) {
      if (e.key === 'value') value = e.value;
      else this.report('error', 'schema/unknown-field', `unknown field "${e.key}" in envoy.type.v3.Percent${didYouMean(e.key, ['value'])}`, e.keyStart, e.keyEnd, keyPath(path, e.key));
    }
    // An empty Percent message is 0 %.
    return value ?? { t: 'scalar', value: 0, text: '0', start: node.start, end: node.end };
  }

  private integer(node: SrcNode, type: FieldType, path: string): number | bigint | undefined {
    const n = unwrap(node);
    let v: bigint | undefined;
    if (n.t === 'scalar') {
      if (typeof n.value === 'bigint') v = n.value;
      else if (typeof n.value === 'number' && Number.isInteger(n.value)) v = BigInt(n.value);
      else if (typeof n.value === 'string' && /^-?\d+$/.test(n.value.trim())) v = BigInt(n.value.trim());
    }
    if (v === undefined) return this.typeError(node, 'an integer', path);
    const unsigned = type.k === 'int' && type.unsigned;
    const bits = type.k === 'int' ? type.bits : 64;
    const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
    const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
    if (v < min || v > max) {
      const kind = `${unsigned ? 'u' : ''}int${bits}`;
      this.report('error', 'schema/type', `${v} is out of range for ${kind}`, node.start, node.end, path);
      return undefined;
    }
    return type.k === 'bigint' ? v : Number(v);
  }

  private duration(node: SrcNode, path: string): number | undefined {
    if (node.t === 'scalar' && typeof node.value === 'string') {
      const ms = parseDuration(node.value);
      if (ms === undefined) {
        this.report('error', 'schema/format', `invalid duration "${node.value}": write seconds with an "s" suffix, like "1.5s"`, node.start, node.end, path);
        return undefined;
      }
      return this.nonNegative(ms, node, path);
    }
    if (node.t === 'map') {
      let seconds: bigint | number | undefined = 0;
      let nanos: bigint | number | undefined = 0;
      for (const e of node.entries) {
        if (e.key === 'seconds') seconds = this.integer(e.value, { k: 'bigint' }, `${path}.seconds`);
        else if (e.key === 'nanos') nanos = this.integer(e.value, { k: 'int', unsigned: false, bits: 32 }, `${path}.nanos`);
        else this.report('error', 'schema/unknown-field', `unknown field "${e.key}" in google.protobuf.Duration${didYouMean(e.key, ['seconds', 'nanos'])}`, e.keyStart, e.keyEnd, keyPath(path, e.key));
      }
      if (seconds === undefined || nanos === undefined) return undefined;
      if (Math.abs(Number(nanos)) > 999_999_999) {
        this.report('error', 'schema/format', `Duration nanos must be within ±999999999, got ${nanos}`, node.start, node.end, path);
        return undefined;
      }
      return this.nonNegative(durationFromParts(Number(seconds), Number(nanos)), node, path);
    }
    if (node.t === 'scalar' && (typeof node.value === 'number' || typeof node.value === 'bigint')) {
      this.report('error', 'schema/format', `invalid duration ${node.text}: a Duration is a string with an "s" suffix, like "${node.text}s"`, node.start, node.end, path);
      return undefined;
    }
    return this.typeError(node, 'a duration like "1.5s"', path);
  }

  private nonNegative(ms: number, node: SrcNode, path: string): number | undefined {
    if (ms < 0) {
      this.report('error', 'schema/format', 'a negative duration is not allowed here', node.start, node.end, path);
      return undefined;
    }
    return ms;
  }

  private bytes(node: SrcNode, path: string): Uint8Array | undefined {
    if (node.t !== 'scalar' || typeof node.value !== 'string') return this.typeError(node, 'a base64 string', path);
    const s = node.value.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1) {
      this.report('error', 'schema/format', 'invalid base64 in a bytes field (inline_bytes is base64; use inline_string for text)', node.start, node.end, path);
      return undefined;
    }
    const padded = s.replace(/=+$/, '');
    const bin = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  private enumValue(node: SrcNode, values: readonly string[], path: string): string | undefined {
    if (node.t === 'scalar') {
      const v = node.value;
      if (typeof v === 'string') {
        if (values.includes(v)) return v;
        const upper = v.toUpperCase();
        if (values.includes(upper)) {
          // Envoy parses JSON/YAML enums case-insensitively (case_insensitive_enum_parsing): accepted, noted.
          this.report('info', 'schema/enum', `enum values are written in upper case: "${upper}" (Envoy accepts "${v}")`, node.start, node.end, path);
          return upper;
        }
        this.report('error', 'schema/enum', `invalid value "${v}"; expected one of ${values.join(', ')}${didYouMean(v, values)}`, node.start, node.end, path);
        return undefined;
      }
      if ((typeof v === 'number' || typeof v === 'bigint') && Number(v) >= 0 && Number(v) < values.length && Number.isInteger(Number(v))) {
        return values[Number(v)];
      }
    }
    this.report('error', 'schema/enum', `invalid value ${describeNode(node)}; expected one of ${values.join(', ')}`, node.start, node.end, path);
    return undefined;
  }

  private typeError(node: SrcNode, expected: string, path: string): undefined {
    this.report('error', 'schema/type', `expected ${expected}, got ${describeNode(node)}`, node.start, node.end, path);
    return undefined;
  }
}

const YAML11_BOOLEANS = new Map<string, boolean>();
for (const [words, value] of [[['y', 'yes', 'true', 'on'], true], [['n', 'no', 'false', 'off'], false]] as const) {
  for (const w of words) {
    for (const spelled of [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]) YAML11_BOOLEANS.set(spelled, value);
  }
}

/** The field set for oneof `group` in a [group, field, ...] list. */
function oneofField(pairs: string[], group: string): string | undefined {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === group) return pairs[i + 1];
  return undefined;
}

/** Whether field `name` was written in `node` (in either spelling), whatever its value. */
function written(node: MapNode, c: CompiledMessage, name: string): boolean {
  return node.entries.some((e) => c.byName.get(e.key) === name);
}

/** A wrapper (`google.protobuf.UInt32Value` ...) may be written as `{value: x}`. */
function unwrap(node: SrcNode): SrcNode {
  if (node.t === 'map' && node.entries.length === 1 && node.entries[0]!.key === 'value') return node.entries[0]!.value;
  return node;
}

/** `routeConfig` -> `route_config` (for open messages and positions). */
export function snakeCase(key: string): string {
  return /[A-Z]/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
}

/**
 * Positions of a decoded object, computed on demand from its source node: a field is found by
 * its snake_case or camelCase spelling (or as a map key / list index).
 */
class NodePosition implements LazyPosition {
  constructor(
    private readonly lines: LineIndex,
    private readonly node: SrcNode,
    readonly path: string,
  ) {}

  position() {
    return this.lines.span(this.node.start, this.node.end);
  }

  field(field: string) {
    const n = this.node;
    if (n.t === 'map') {
      const camel = jsonName(field);
      for (const e of n.entries) {
        if (e.key === field || e.key === camel) return this.lines.span(e.value.start, e.value.end);
      }
      return undefined;
    }
    if (n.t === 'seq' && /^\d+$/.test(field)) {
      const item = n.items[Number(field)];
      return item && this.lines.span(item.start, item.end);
    }
    return undefined;
  }
}
