/**
 * Number formatting as Envoy's admin output does it with {fmt}: `{}` (shortest round-trip,
 * `nan`), `{:g}` / `{:.32g}` (printf's %g). Kept exact because dashboards and scripts parse
 * these strings (`P99(nan,12.5)`, `le="3600000"`, `B3.6e+06(0,1)`).
 */

/** fmt's `{}` for a double: shortest round-trip digits; `nan`, `inf`. */
export function fmtShortest(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const abs = Math.abs(x);
  // fmt switches to exponent notation from 1e16 up and below 1e-4; JavaScript from 1e21 / 1e-7.
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) return cExponent(x.toExponential());
  return String(x);
}

/** printf's `%.{precision}g` (fmt `{:g}` is precision 6). */
export function fmtG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const p = Math.max(1, precision);
  const exp = x.toExponential(p - 1);
  const e = Number(exp.slice(exp.indexOf('e') + 1));
  if (e < -4 || e >= p) return cExponent(stripZeros(exp.slice(0, exp.indexOf('e'))) + exp.slice(exp.indexOf('e')));
  return stripZeros(x.toFixed(p - 1 - e));
}

/** `1.5e+7` -> `1.5e+07` (C prints at least two exponent digits). */
function cExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** absl::StrCat(double) (six significant digits), as Envoy's JSON streamer writes numbers. */
export function fmtSixDigits(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return Number(x.toPrecision(6));
}
