/**
 * Streams the lines of log files (or stdin for `-`), gzip-compressed ones (`.gz`) too, without
 * ever holding a whole file: chunks of about 1 MiB are split at newlines, the partial last line
 * carried into the next chunk. The callback runs synchronously for each line.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** Called for every line (without its `\n` or `\r\n`), 1-based line number. */
export type LineHandler = (line: string, lineNo: number) => void;

/** Progress of one file: bytes of the file read so far (compressed bytes for .gz). */
export type ProgressHandler = (bytesRead: number, lines: number) => void;

/** Size of a file in bytes, undefined for stdin or an unreadable file. */
export function fileSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Reads `path` line by line; resolves with the number of lines. Rejects on a read error. */
export async function forEachLine(path: string, onLine: LineHandler, onProgress?: ProgressHandler): Promise<number> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  raw.on('data', (b: Buffer) => {
    bytes += b.length;
  });
  const source: Readable = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  if (source !== raw) raw.on('error', (e) => source.destroy(e));
  source.setEncoding('utf8');
  let carry = '';
  let lineNo = 0;
  for await (const chunk of source as AsyncIterable<string>) {
    let text = carry.length > 0 ? carry + chunk : chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++lineNo);
      start = nl + 1;
    }
    carry = start < text.length ? text.slice(start) : '';
    text = '';
    onProgress?.(bytes, lineNo);
  }
  if (carry.length > 0) onLine(carry.endsWith('\r') ? carry.slice(0, -1) : carry, ++lineNo);
  onProgress?.(bytes, lineNo);
  return lineNo;
}
