/**
 * GitHub Actions workflow commands: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=T::message`
 * (`warning` and `notice` for the other severities), which the runner turns into annotations on
 * the pull request diff. Property values and messages are escaped as the runner expects.
 */
import type { Diagnostic, Severity } from '../../config/diagnostic.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escapes a message (`%`, CR, LF). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (message escapes plus `:` and `,`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One workflow command per diagnostic; `relFile` maps a file to the path GitHub shows (repo-relative).
 * `asNotice`: findings shown as notices whatever their severity (lint: those about tsproxy, which
 * do not fail the run unless --fail-on-unsupported).
 */
export function formatGithub(
  diagnostics: readonly Diagnostic[],
  relFile: (file: string) => string = (f) => f,
  asNotice: (d: Diagnostic) => boolean = () => false,
): string {
  let out = '';
  for (const d of diagnostics) {
    const props = [
      `file=${escapeProperty(relFile(d.file))}`,
      `line=${d.line}`,
      `col=${d.col}`,
      `endLine=${d.endLine ?? d.line}`,
      `endColumn=${d.endCol ?? d.col}`,
      `title=${escapeProperty(`tsproxy ${d.rule}`)}`,
    ];
    out += `::${asNotice(d) ? 'notice' : COMMAND[d.severity]} ${props.join(',')}::${escapeData(d.message)}\n`;
  }
  return out;
}
