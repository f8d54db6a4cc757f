/**
 * Number formatting as Envoy's tool prints it: `std::cout << double` with the stream defaults
 * (precision 6, `%g` style). So 7.448630... prints `7.44863`, 100.0 prints `100`, 1.0 prints `1`,
 * and 0.0000123 prints `1.23e-05`. Pure.
 */

/** Formats `v` like C++ `std::ostream << v` with default flags and precision 6. */
export function formatCppDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const precision = 6;
  // The decimal exponent after rounding to `precision` significant digits decides the style.
  const [mant, expText] = v.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    const m = stripZeros(mant);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(v.toFixed(Math.max(0, precision - 1 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}
