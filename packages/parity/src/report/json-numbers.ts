/**
 * JSON has no NaN or Infinity (JSON.stringify writes null, losing the difference between "no value" and
 * "broken output"). Reports write non-finite numbers as the strings "NaN", "Infinity" and "-Infinity"
 * (what Python's json module would print, quoted) and read them back in numeric fields.
 */
export function encodeNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** Fields of the report model that hold numbers (DriftStats, OutputBound, accuracy, baselineDelta). */
const NUMERIC_KEYS = new Set([
  'maxAbs',
  'meanAbs',
  'relL2',
  'cosine',
  'sqnrDb',
  'top1Agreement',
  'minPassingAtol',
  'minPassingRtol',
  'cosineMin',
  'top1AgreementMin',
  'atol',
  'rtol',
  'accuracyDropMax',
  'value',
  'reference',
  'delta',
  'statAbs',
  'statRel',
]);

/** JSON.parse reviver: the strings encodeNonFinite wrote, back to numbers, in numeric fields only. */
export function decodeNonFinite(key: string, value: unknown): unknown {
  if (typeof value === 'string' && NUMERIC_KEYS.has(key) && Object.hasOwn(NON_FINITE, value)) {
    return NON_FINITE[value];
  }
  return value;
}
