import type { SourcePosition } from './diagnostic.js';

/**
 * Source positions of decoded config objects, kept beside the objects (a WeakMap) so decoded
 * messages stay plain data. The decoder records every message object and array it creates.
 */
const positions = new WeakMap<object, SourcePosition>();

/** Records where `node` was written. Called by the decoder only. */
export function setPosition(node: object, pos: SourcePosition): void {
  positions.set(node, pos);
}

/** Where a decoded message was written, or undefined for objects not made by the decoder. */
export function positionOf(node: object | undefined): SourcePosition | undefined {
  return node === undefined ? undefined : positions.get(node);
}

/**
 * Position of a field inside a decoded message (e.g. the `cluster` value of a RouteAction),
 * when the decoder recorded it. Falls back to the message's own position.
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
  return fieldPositions.get(node)?.get(field) ?? positions.get(node);
}
