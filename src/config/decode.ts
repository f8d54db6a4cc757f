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
import { describeNode, toPlain, type LineIndex, type MapEntry, type MapNode, type ScalarNode, type SrcNode } from './source.js';
import {
  compile, jsonName, type CompiledMessage, type FieldDescriptor, type FieldType, type MessageDescriptor, type ValueCheck,
} from './schema/descriptor.js';
import { didYouMean } from './suggest.js';
import { lookupType, knownTypeNames } from './schema/registry.js';
import { keyPath } from './decode_path.js';
import { decodeBool, decodeBytes, decodeDouble, decodeDuration, decodeEnum, decodeInteger, percentNode, typeError } from './decode_scalars.js';

/** Decodes source trees against descriptors, collecting diagnostics. One per file. */
export class Decoder {
  readonly diagnostics: Diagnostic[] = [];
  /**
   * The text is Envoy's own output (an admin `/config_dump`): a value outside Envoy's validation
   * rules there is what Envoy itself holds and writes (`load_balancing_weight: 0` in an EDS
   * section), so it is an `info`, never an error.
   */
  envoyWritten = false;

  /**
   * The oneof groups set so far in each message being decoded, as [group, field] pairs: one stack
   * for the whole decode (fields() is recursive; each call owns the pairs above the length it
   * found, and truncates back to it), so no array per message.
   */
  private readonly oneofStack: string[] = [];

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
    // This loop is the hot path of a 5 MB config dump, so no Map/Set/array per message (oneof
    // groups on the shared stack). Indexed loops, not for-of: this runs a few thousand times per
    // load, mostly before V8 optimizes it, and the interpreter's iterator protocol was a tenth of
    // a cold `tsproxy match` on 1,000 routes.
    const oneofs = this.oneofStack;
    const oneofBase = oneofs.length;
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
      // The field's path (`${path}.${name}`: proto field names are identifiers) is built only
      // when something needs it: a diagnostic, or a value decoded the general way (below).
      if (name in out) {
        this.report('error', 'schema/duplicate-field', `field "${name}" is written twice (snake_case and camelCase spellings)`, e.keyStart, e.keyEnd, `${path}.${name}`);
        continue;
      }
      const v = e.value;
      if (v.t === 'scalar' && v.value === null) continue; // proto3 JSON: null is "not set"
      if (f.oneof) {
        const prev = oneofField(oneofs, oneofBase, f.oneof);
        if (prev !== undefined) {
          this.report('error', 'schema/oneof', `only one of "${prev}" and "${name}" may be set (${desc.name} oneof ${f.oneof})`, e.keyStart, v.end, `${path}.${name}`);
          continue;
        }
        oneofs.push(f.oneof, name);
      }
      if (f.deprecated && !f.unsupported) {
        this.report('warning', 'schema/deprecated', `"${name}" is deprecated in Envoy (${desc.name}.${name}): ${f.deprecated}`, e.keyStart, e.keyEnd, `${path}.${name}`);
      }
      if (f.unsupported) {
        this.report('warning', 'schema/unsupported', `${f.unsupported} is not implemented by tsproxy; "${name}" is ignored${f.deprecated ? ` (and deprecated in Envoy: ${f.deprecated})` : ''}`, e.keyStart, e.keyEnd, `${path}.${name}`);
      }
      let value = f.check === undefined && f.repeated !== true && f.map !== true ? plainScalar(v, f.type) : undefined;
      if (value === undefined) {
        const fpath = `${path}.${name}`;
        value = this.field(v, f, fpath);
        if (value !== undefined && f.check) this.check(value, f.check, v, fpath);
      }
      if (value !== undefined) out[name] = value;
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
      if (oneofField(oneofs, oneofBase, group) !== undefined) continue;
      const members = c.oneofs.get(group) ?? [];
      if (members.some((m) => written(node, c, m))) continue; // set but invalid: already reported
      this.report('error', 'schema/required', `${desc.name} needs one of: ${members.join(', ')}`, node.start, node.start + 1, path);
    }
    oneofs.length = oneofBase;
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
        const item = node.items[i]!;
        const v = plainScalar(item, f.type) ?? this.single(item, f.type, `${path}[${i}]`);
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
        return scalarString(node);
      case 'bool':
        return decodeBool(this, node, path);
      case 'int':
      case 'bigint':
        return decodeInteger(this, node, type, path);
      case 'double':
        return decodeDouble(this, node, path);
      case 'duration':
        return decodeDuration(this, node, path);
      case 'percent': {
        const n = node.t === 'map' ? percentNode(this, node, path) : node;
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
        const b = decodeBytes(this, node, path);
        return b && type.text ? new TextDecoder().decode(b) : b;
      }
      case 'enum':
        return decodeEnum(this, node, type.values, path);
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

  /** Reports that `node` is not `expected`; returns undefined (for `return this.typeError(...)`). */
  typeError(node: SrcNode, expected: string, path: string): undefined {
    return typeError(this, node, expected, path);
  }
}

/** The field set for oneof `group` in a [group, field, ...] list. */
/** A scalar as a string field holds it: a string as it is, anything else as written. */
function scalarString(node: ScalarNode): string {
  return typeof node.value === 'string' ? node.value : node.text;
}

/**
 * The value of a scalar node of a string, enum or bool field when it is plainly valid (what
 * `single` would return, with no diagnostic); undefined for anything else, which then goes the
 * general way. Most of a config's values are these: this spares building their paths.
 */
function plainScalar(node: SrcNode, type: FieldType): unknown {
  if (node.t !== 'scalar') return undefined;
  const v = node.value;
  switch (type.k) {
    case 'string':
      return v === null ? undefined : scalarString(node);
    case 'enum':
      return typeof v === 'string' && type.values.includes(v) ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    default:
      return undefined;
  }
}

function oneofField(pairs: string[], from: number, group: string): string | undefined {
  for (let i = from; i < pairs.length; i += 2) if (pairs[i] === group) return pairs[i + 1];
  return undefined;
}

/** Whether field `name` was written in `node` (in either spelling), whatever its value. */
function written(node: MapNode, c: CompiledMessage, name: string): boolean {
  return node.entries.some((e) => c.byName.get(e.key) === name);
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
