import type { SourcePosition } from './diagnostic.js';

/**
 * Source positions of decoded config objects, kept beside the objects (a WeakMap) so decoded
 * messages stay plain data. The decoder records every message object and array it creates.
 */
const positions = new WeakMap<object, SourcePosition>();

/**
 * Positions computed on demand (additive): the decoder registers one resolver per object
 * instead of materializing a SourcePosition per object and per field, which kept a 5 MB
 * config dump from loading in well under a second. `positionOf`/`fieldPositionOf` consult it.
 */
export interface LazyPosition {
  /** Where the object was written. */
  position(): SourcePosition;
  /** Where its field `field` (snake_case, a map key, or for a list an index like `'2'`) was written. */
  field(field: string): SourcePosition | undefined;
  /** JSON path of the object in its file, e.g. `$.configs[2].dynamic_route_configs[0].route_config`. */
  readonly path?: string;
}

const lazyPositions = new WeakMap<object, LazyPosition>();

/** Records where `node` was written. Called by the decoder only. */
export function setPosition(node: object, pos: SourcePosition): void {
  positions.set(node, pos);
}

/** Records a lazily computed position for `node` (and its fields). Called by the decoder only. */
export function setLazyPosition(node: object, lazy: LazyPosition): void {
  lazyPositions.set(node, lazy);
}

/** Where a decoded message was written, or undefined for objects not made by the decoder. */
export function positionOf(node: object | undefined): SourcePosition | undefined {
  if (node === undefined) return undefined;
  const p = positions.get(node);
  if (p) return p;
  const lazy = lazyPositions.get(node);
  if (!lazy) return undefined;
  const computed = lazy.position();
  positions.set(node, computed);
  return computed;
}

/**
 * JSON path of a decoded object (additive), as diagnostics spell it: `$.virtual_hosts[0].routes[2]`.
 * Undefined for objects not made by the decoder.
 */
export function jsonPathOf(node: object | undefined): string | undefined {
  return node === undefined ? undefined : lazyPositions.get(node)?.path;
}

/**
 * Position of a field inside a decoded message (e.g. the `cluster` value of a RouteAction),
 * when the decoder recorded it. Falls back to the message's own position. For a decoded list,
 * `field` may be an index (`fieldPositionOf(vh.domains, '1')`): scalar items are positioned too.
 */
const fieldPositions = new WeakMap<object, Map<string, SourcePosition>>();

export function setFieldPosition(node: object, field: string, pos: SourcePosition): void {
  let m = fieldPositions.get(node);
  if (!m) {
    m = new Map();
    fieldPositions.set(node, m);
  }
  m.set(field, pos);
}

export function fieldPositionOf(node: object, field: string): SourcePosition | undefined {
  return fieldPositions.get(node)?.get(field) ?? lazyPositions.get(node)?.field(field) ?? positionOf(node);
}
