/**
 * Shared state while compiling a RouteConfiguration: runtime values for compile-time decisions
 * (regex program size) and the diagnostics collected so far, with config positions.
 */
import type { Diagnostic, Severity, SourcePosition } from '../config/diagnostic.js';
import { fieldPositionOf, positionOf } from '../config/position.js';
import type { RuntimeValues } from './route_types.js';

export interface CompileContext {
  readonly runtime: RuntimeValues;
  readonly diagnostics: Diagnostic[];
  /** File name used when a node has no recorded position. */
  readonly file: string;
}

/** Position of `field` in `node` (or of `node`), if the decoder recorded one. */
export function posOf(node: object | undefined, field?: string): SourcePosition | undefined {
  if (node === undefined) return undefined;
  return field !== undefined ? fieldPositionOf(node, field) : positionOf(node);
}

/** Records a diagnostic at `node`'s (or its `field`'s) position. */
export function report(
  ctx: CompileContext,
  severity: Severity,
  rule: string,
  message: string,
  path: string,
  node: object | undefined,
  field?: string,
): void {
  const pos = posOf(node, field);
  ctx.diagnostics.push({
    file: pos?.file ?? ctx.file,
    line: pos?.line ?? 1,
    col: pos?.col ?? 1,
    ...(pos?.endLine !== undefined ? { endLine: pos.endLine } : {}),
    ...(pos?.endCol !== undefined ? { endCol: pos.endCol } : {}),
    severity,
    rule,
    message,
    path,
  });
}
