/** Sparklines: a series of numbers drawn with the eight block characters ▁▂▃▄▅▆▇█. */

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The last `width` values of `series` as bars scaled from 0 to the largest of them (0 is the
 * lowest bar, so a flat zero line stays flat and a single spike stands out), left-padded with
 * spaces to `width`. Negative and non-finite values draw as the lowest bar.
 */
export function sparkline(series: readonly number[], width: number): string {
  if (width <= 0) return '';
  const tail = series.slice(Math.max(0, series.length - width));
  let max = 0;
  for (const v of tail) if (Number.isFinite(v) && v > max) max = v;
  const bars = tail.map((v) => {
    if (!Number.isFinite(v) || v <= 0 || max === 0) return BARS[0]!;
    const i = Math.min(BARS.length - 1, Math.max(1, Math.ceil((v / max) * (BARS.length - 1))));
    return BARS[i]!;
  });
  return ' '.repeat(width - bars.length) + bars.join('');
}
