/** Number formatting for the dashboard's narrow columns. `-` always means "no figure". */
import type { QuantileReading } from './sample.js';

/** A per-second rate: `0`, `3.2`, `418`, `12.5k`; `-` for null. */
export function fmtRate(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (v === 0) return '0';
  if (v < 10) return v.toFixed(1);
  if (v < 10_000) return String(Math.round(v));
  if (v < 1_000_000) return `${(v / 1000).toFixed(1)}k`;
  return `${(v / 1_000_000).toFixed(1)}M`;
}

/** A 0..1 success rate as a percentage, never rounded up to 100% (`99.99%`); `-` for null. */
export function fmtPercent(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (v >= 1) return '100%';
  return `${(Math.floor(v * 10_000) / 100).toFixed(2)}%`;
}

/** Milliseconds: `0ms`, `0.42ms`, `3.1ms`, `12.5ms`, `250ms`, `2.5s`, `-` for null. */
export function fmtMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms === 0) return '0ms';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A quantile reading; `*` marks one taken from the cumulative window (see QuantileReading). */
export function fmtQuantile(q: QuantileReading | null): string {
  if (q === null) return '-';
  return fmtMs(q.ms) + (q.window === 'cumulative' ? '*' : '');
}

/** A count: `7`, `1234`, `12.3k`, `4.5M`. */
export function fmtCount(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `text` cut to `width` characters with an ellipsis, or padded with spaces on `align`'s side. */
export function fit(text: string, width: number, align: 'left' | 'right'): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
  const pad = ' '.repeat(width - chars.length);
  return align === 'left' ? text + pad : pad + text;
}
