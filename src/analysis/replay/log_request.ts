/**
 * One access log line as a request for `explain --log`: the same parsers replay uses (a text
 * format or preset, JSON lines by their json_format or common keys). Pure.
 */
import { compileAnyLogFormat, parseJsonLogLine } from './json_log.js';
import { parseLogLine, type LogRecord } from './log_format.js';

/** The record a line carries, or why it cannot be read. */
export function readLogLine(line: string, format: string): { ok: true; record: LogRecord } | { ok: false; error: string } {
  const f = compileAnyLogFormat(format);
  if (!f.ok) return f;
  const text = line.replace(/\r?\n$/, '');
  const rec =
    f.format.kind === 'json' ? parseJsonLogLine(text, f.format.format)
    : text.trimStart().startsWith('{') ? parseJsonLogLine(text.trim(), undefined)
    : parseLogLine(f.format.format, text);
  if (rec === undefined) return { ok: false, error: `the line does not have the log format ${f.format.kind === 'json' ? '(json_format)' : JSON.stringify(f.format.format.source)}: pass the format it was written with (--log-format)` };
  if (rec.path === undefined && (rec.method ?? '').toUpperCase() !== 'CONNECT') return { ok: false, error: 'the line does not say the path of its request' };
  return { ok: true, record: rec };
}
