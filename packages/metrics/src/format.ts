/** A number in short scientific notation with `digits` significant digits: 3.1e-2, 0, NaN, Infinity. */
export function sci(x: number, digits = 2): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return '0';
  return x.toExponential(Math.max(0, digits - 1));
}

/**
 * A measured value and its bound, with just enough digits that different numbers read differently
 * ("relL2 2.04e-2 > 2.0e-2", never "2.0e-2 > 2.0e-2").
 */
export function sciPair(value: number, bound: number): [string, string] {
  for (let digits = 2; digits < 17; digits++) {
    const v = sci(value, digits);
    const b = sci(bound, digits);
    if (v !== b || value === bound) return [v, sci(bound, 2)];
  }
  return [String(value), String(bound)];
}

/** A share 0..1 as a percentage with two decimals. */
export function percent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x);
}
