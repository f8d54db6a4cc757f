/**
 * Trace and span ids: random bytes as lowercase hex, drawn from a pooled buffer refilled with
 * the CSPRNG (one `randomFillSync` per ~500 spans instead of one call per id).
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `bytes` random bytes as 2*bytes lowercase hex digits, never all zero (an invalid W3C/B3 id). */
export function randomHexId(bytes: 8 | 16): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    for (let i = start; i < start + bytes; i++) {
      if (pool[i] !== 0) return pool.toString('hex', start, start + bytes);
    }
  }
}

/** Whether `s` is `len` hex digits, not all zero. */
export function isValidHexId(s: string, len: number): boolean {
  if (s.length !== len) return false;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!hex) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}
