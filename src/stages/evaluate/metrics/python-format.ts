/**
 * Python's `'%.Nf' % x`: the exact binary value rounded half to even. `Number.prototype.toFixed` breaks
 * exact ties away from zero instead, so printed figures could differ in the last digit.
 */
export function formatFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const negative = value < 0 || Object.is(value, -0);
  const { mantissa, exponent } = exactBinary(Math.abs(value));
  let scaled = mantissa * 10n ** BigInt(digits);
  if (exponent >= 0) {
    scaled <<= BigInt(exponent);
  } else {
    const denominator = 1n << BigInt(-exponent);
    const remainder = scaled % denominator;
    scaled /= denominator;
    const twice = remainder * 2n;
    if (twice > denominator || (twice === denominator && scaled % 2n === 1n)) scaled += 1n;
  }
  const text = scaled.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${body}` : body;
}

/** A finite non-negative double as mantissa * 2^exponent, exactly. */
function exactBinary(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biasedExponent === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}
