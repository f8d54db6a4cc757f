/**
 * Lint's text format: `file:line:col: severity message [rule]` (the line every command prints,
 * see output/diagnostics.ts), then the source line with a caret under the column — the shape
 * compilers use, which editors and CI log viewers link.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import { formatDiagnostic } from '../output/diagnostics.js';
import type { Style } from '../output/style.js';

/** Longest source excerpt shown; longer lines are cut around the column. */
const MAX_EXCERPT = 120;

/**
 * The excerpt under a diagnostic: the 1-based `line` of `source` and a caret line marking
 * `col`..`endCol` (one caret when the span leaves the line). '' when the line does not exist.
 */
export function sourceExcerpt(source: string, d: Pick<Diagnostic, 'line' | 'col' | 'endLine' | 'endCol'>, style: Style): string {
  const lines = lineAt(source, d.line);
  if (lines === undefined) return '';
  let text = lines.replace(/\t/g, ' ');
  let col = Math.max(1, d.col);
  let width = d.endLine === d.line && d.endCol !== undefined && d.endCol > col ? d.endCol - col : 1;
  if (text.length > MAX_EXCERPT) {
    const start = Math.max(0, col - 1 - 40);
    text = (start > 0 ? '…' : '') + text.slice(start, start + MAX_EXCERPT) + (start + MAX_EXCERPT < text.length ? '…' : '');
    col = col - start + (start > 0 ? 1 : 0);
  }
  width = Math.max(1, Math.min(width, text.length - col + 1));
  const gutter = `${d.line} | `;
  const pad = ' '.repeat(gutter.length - 2) + '| ';
  return `${style.dim(gutter)}${text}\n${style.dim(pad)}${' '.repeat(col - 1)}${style.bad('^'.repeat(width))}`;
}

function lineAt(source: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = source.indexOf('\n', start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  if (start > source.length) return undefined;
  const end = source.indexOf('\n', start);
  return source.slice(start, end === -1 ? source.length : end).replace(/\r$/, '');
}

/**
 * Formats one file's diagnostics (already filtered and sorted). `source` is the file text, for
 * excerpts; pass undefined to print the diagnostic lines only.
 */
export function formatText(
  diagnostics: readonly Diagnostic[],
  source: string | undefined,
  style: Style,
  aboutTsproxy: (d: Diagnostic) => boolean = () => false,
): string {
  let out = '';
  for (const d of diagnostics) {
    // A warning about tsproxy (not the config) reads `unsupported`.
    out += formatDiagnostic(d, style, aboutTsproxy(d) && d.severity !== 'info' ? 'unsupported' : undefined) + '\n';
    const ex = source === undefined ? '' : sourceExcerpt(source, d, style);
    if (ex !== '') out += ex + '\n';
  }
  return out;
}

/**
 * The closing summary: `2 errors, 1 warning, 0 infos in 3 files`, with `, 2 unsupported` before
 * ` in` when there are findings about tsproxy (counted apart from the config's warnings).
 */
export function formatSummary(counts: { error: number; warning: number; info: number; unsupported?: number }, files: number, style: Style): string {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const unsupported = counts.unsupported ? `, ${counts.unsupported} unsupported` : '';
  const text = `${n(counts.error, 'error')}, ${n(counts.warning, 'warning')}, ${n(counts.info, 'info')}${unsupported} in ${n(files, 'file')}`;
  return counts.error > 0 ? style.bad(text) : counts.warning > 0 ? style.warn(text) : style.ok(text);
}
