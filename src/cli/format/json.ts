/**
 * Lint's JSON format (documented in docs/lint-rules.md, schema docs/lint.schema.json): one array of
 * findings, each `{file, line, col, endLine, endCol, severity, rule, message, path, concerns}` with
 * 1-based positions, the JSON path of the offending node, and what the finding is about (`config`
 * or `tsproxy`). Stable: fields are only ever added.
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
  /** `config`: the config is wrong or risky; `tsproxy`: tsproxy does not implement what it uses. */
  concerns: 'config' | 'tsproxy';
}

/** Diagnostics to findings; a missing end position is the start position. */
export function toJsonFindings(diagnostics: readonly Diagnostic[], concernOf: (d: Diagnostic) => 'config' | 'tsproxy' = () => 'config'): JsonFinding[] {
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
    concerns: concernOf(d),
  }));
}

/** The JSON document (pretty-printed, newline-terminated). */
export function formatJson(diagnostics: readonly Diagnostic[], concernOf?: (d: Diagnostic) => 'config' | 'tsproxy'): string {
  return JSON.stringify(toJsonFindings(diagnostics, concernOf), null, 2) + '\n';
}
