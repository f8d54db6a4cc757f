/**
 * Config diagnostics as every command prints them: `file:line:col: severity message [rule]`,
 * the format compilers and editors recognise (lint's text format builds on the same line).
 */
import type { Diagnostic, Severity } from '../../config/diagnostic.js';
import { makeStyle, type Style } from './style.js';

const PLAIN = makeStyle(false);

/**
 * One diagnostic on one line, e.g. `envoy.yaml:12:7: error unknown field "prefx" [schema/unknown-field]`;
 * `label` replaces the severity word (lint's `unsupported`).
 */
export function formatDiagnostic(d: Diagnostic, style: Style = PLAIN, label?: string): string {
  const word = label ?? d.severity;
  const sev = d.severity === 'error' ? style.bad(word) : d.severity === 'warning' ? style.warn(word) : style.info(word);
  return `${style.bold(`${d.file}:${d.line}:${d.col}:`)} ${sev} ${d.message} ${style.dim(`[${d.rule}]`)}`;
}

/** Diagnostics sorted by file, line, column (stable for equal positions). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** True when any diagnostic has severity `error`. */
export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Formats the diagnostics at or above `min`, one per line, sorted; '' when none. */
export function formatDiagnostics(ds: readonly Diagnostic[], style: Style = PLAIN, min: Severity = 'info'): string {
  const rank: Record<Severity, number> = { error: 2, warning: 1, info: 0 };
  return sortDiagnostics(ds)
    .filter((d) => rank[d.severity] >= rank[min])
    .map((d) => formatDiagnostic(d, style) + '\n')
    .join('');
}
