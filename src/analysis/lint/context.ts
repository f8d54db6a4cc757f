/**
 * What a rule sees: the decoded config, flattened into the sites rules care about (listeners,
 * connection managers, route configurations, clusters) each with its JSON path, and a `report`
 * that turns a decoded object (or one of its fields) into a positioned Diagnostic.
 */
import type { Diagnostic, Severity, SourcePosition } from '../../config/diagnostic.js';
import { fieldPositionOf, positionOf } from '../../config/position.js';
import type { LoadedConfig } from '../../config/types.js';
import type { ConfigModel } from './model.js';
import type { RuleMeta } from './rule_meta.js';

/** Where a finding points: a decoded object, optionally one of its fields, and its JSON path. */
export interface LintTarget {
  /** A decoded message or array (positions are recorded for those). */
  readonly node: object;
  /** A field of `node` (for arrays: the index as a string); its own position when recorded. */
  readonly field?: string;
  /** JSON path of the offending node, e.g. `$.static_resources.clusters[0].name`. */
  readonly path: string;
}

export class LintContext {
  readonly diagnostics: Diagnostic[] = [];
  /**
   * Diagnostics on scalar list items (a domain in `domains`) whose own position the decoder did
   * not record: they carry the list's position until `refineElementPositions` finds the item.
   */
  readonly atListPosition: Diagnostic[] = [];

  constructor(
    readonly config: LoadedConfig,
    readonly model: ConfigModel,
    readonly file: string,
  ) {}

  /**
   * Reports `rule` at `target`, with the rule's default severity unless `severity` overrides it
   * (for findings whose weight depends on what the file leaves unknown).
   */
  report(rule: RuleMeta, target: LintTarget, message: string, severity?: Severity): void {
    const pos = resolvePosition(target) ?? { file: this.file, line: 1, col: 1 };
    const d: Diagnostic = {
      file: this.file,
      line: pos.line,
      col: pos.col,
      severity: severity ?? rule.severity,
      rule: rule.id,
      message,
      path: target.path,
    };
    if (pos.endLine !== undefined) d.endLine = pos.endLine;
    if (pos.endCol !== undefined) d.endCol = pos.endCol;
    this.diagnostics.push(d);
    if (target.field !== undefined && Array.isArray(target.node) && /^\d+$/.test(target.field)) {
      if (pos === positionOf(target.node)) this.atListPosition.push(d);
    }
  }
}

/** Position of a target: the field's own when the decoder recorded it, else the object's. */
export function resolvePosition(target: Pick<LintTarget, 'node' | 'field'>): SourcePosition | undefined {
  return target.field !== undefined ? fieldPositionOf(target.node, target.field) : positionOf(target.node);
}

/** `1-based line` of a decoded object, for messages that point at another place ("route at line 12"). */
export function lineOf(node: object | undefined): number | undefined {
  return node === undefined ? undefined : positionOf(node)?.line;
}
