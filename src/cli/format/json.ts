/**
 * Lint's JSON format (documented in docs/lint-rules.md): one array of findings, each
 * `{file, line, col, endLine, endCol, severity, rule, message, path}` with 1-based positions and
 * the JSON path of the offending node. Stable: fields are only ever added.
 */
import type { Diagnostic } from '../../config/diagnostic.js';

/** One finding as JSON output carries it. */
export interface JsonFinding {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: Diagnostic['severity'];
  rule: string;
  message: string;
  path: string;
}

/** Diagnostics to findings; a missing end position is the start position. */
export function toJsonFindings(diagnostics: readonly Diagnostic[]): JsonFinding[] {
  return diagnostics.map((d) => ({
    file: d.file,
    line: d.line,
    col: d.col,
    endLine: d.endLine ?? d.line,
    endCol: d.endCol ?? d.col,
    severity: d.severity,
    rule: d.rule,
    message: d.message,
    path: d.path,
  }));
}

/** The JSON document (pretty-printed, newline-terminated). */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(toJsonFindings(diagnostics), null, 2) + '\n';
}
