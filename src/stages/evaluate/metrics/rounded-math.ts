/**
 * `Math.log` and `Math.exp` are off by one ulp from glibc (which Python's math module calls) for roughly
 * one argument in ten, enough to change the last bit of a GLEU mean or std. These evaluate in
 * double-double arithmetic (~106 bits) and round once, so they return the correctly rounded double,
 * which glibc also returns in all but vanishingly rare cases.
 */

interface DoubleDouble {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1, Dekker's split
const LN2: DoubleDouble = { hi: 0.6931471805599453, lo: 2.3190468138462996e-17 };
const REDUCTION_BITS = 10;
const TAYLOR_TERMS = 12;

function twoSum(a: number, b: number): DoubleDouble {
  const sum = a + b;
  const bVirtual = sum - a;
  return { hi: sum, lo: a - (sum - bVirtual) + (b - bVirtual) };
}

function quickTwoSum(a: number, b: number): DoubleDouble {
  const sum = a + b;
  return { hi: sum, lo: b - (sum - a) };
}

function split(a: number): [number, number] {
  const scaled = SPLITTER * a;
  const high = scaled - (scaled - a);
  return [high, a - high];
}

function twoProduct(a: number, b: number): DoubleDouble {
  const product = a * b;
  const [aHigh, aLow] = split(a);
  const [bHigh, bLow] = split(b);
  return { hi: product, lo: aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow };
}

function add(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const high = twoSum(a.hi, b.hi);
  const low = twoSum(a.lo, b.lo);
  const carried = quickTwoSum(high.hi, high.lo + low.hi);
  return quickTwoSum(carried.hi, carried.lo + low.lo);
}

function multiply(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const product = twoProduct(a.hi, b.hi);
  return quickTwoSum(product.hi, product.lo + (a.hi * b.lo + a.lo * b.hi));
}

function divideByNumber(a: DoubleDouble, divisor: number): DoubleDouble {
  const first = a.hi / divisor;
  const back = twoProduct(first, divisor);
  const remainder = a.hi - back.hi - back.lo + a.lo;
  return quickTwoSum(first, remainder / divisor);
}

function scale(a: DoubleDouble, factor: number): DoubleDouble {
  return { hi: a.hi * factor, lo: a.lo * factor };
}

/** e^x - 1 for a reduced |x| < 0.35 / 2^10, then e^x, to double-double precision. */
function expDoubleDouble(x: number): DoubleDouble {
  const k = Math.round(x / LN2.hi);
  const kLn2 = add(twoProduct(k, LN2.hi), twoProduct(k, LN2.lo));
  const reduced = scale(add({ hi: x, lo: 0 }, { hi: -kLn2.hi, lo: -kLn2.lo }), 2 ** -REDUCTION_BITS);
  // Horner for e^r - 1 = r (1 + r/2 (1 + r/3 (...))).
  let series: DoubleDouble = { hi: 1, lo: 0 };
  for (let n = TAYLOR_TERMS; n >= 2; n--) series = add({ hi: 1, lo: 0 }, divideByNumber(multiply(series, reduced), n));
  let minusOne = multiply(series, reduced);
  // (1 + s)^2 - 1 = 2s + s^2 keeps relative precision that squaring 1 + s would lose.
  for (let i = 0; i < REDUCTION_BITS; i++) minusOne = add(scale(minusOne, 2), multiply(minusOne, minusOne));
  return scale(add({ hi: 1, lo: 0 }, minusOne), 2 ** k);
}

/** Correctly rounded e^x for results in the normal range; elsewhere Math.exp. */
export function roundedExp(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const result = expDoubleDouble(x);
  return result.hi + result.lo;
}

/** Correctly rounded natural logarithm for positive normal x; elsewhere Math.log. */
export function roundedLog(x: number): number {
  if (!(x >= 2.2250738585072014e-308 && x < Infinity)) return Math.log(x);
  const guess = Math.log(x);
  if (guess === 0) return 0;
  // One Newton step: log x = guess + log(1 + t), t = x e^-guess - 1, tiny.
  const scaled = multiply(expDoubleDouble(-guess), { hi: x, lo: 0 });
  const t = add(scaled, { hi: -1, lo: 0 });
  const result = add({ hi: guess, lo: 0 }, add(t, { hi: (-t.hi * t.hi) / 2, lo: 0 }));
  return result.hi + result.lo;
}
