/**
 * Standard normal quantile and upper tail, accurate to about 1e-15, for z values of intervals and the
 * p-value of a 1-df chi-square. No dependency needed for two functions.
 */
import { StatsInputError } from './stats-input-error.js';

/** erfc(x) for x >= 0: Taylor series of erf near 0, Lentz's continued fraction beyond. */
function complementaryErrorFunction(x: number): number {
  if (x < 0) return 2 - complementaryErrorFunction(-x);
  if (x < 1.5) {
    // erf x = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return complementaryErrorFunction(z / Math.SQRT2) / 2;
}

/** P(X > x) for a chi-square with one degree of freedom. */
export function chiSquareOneDfUpperTail(x: number): number {
  return x <= 0 ? 1 : complementaryErrorFunction(Math.sqrt(x / 2));
}

/**
 * The z with P(Z <= z) = p: Acklam's rational approximation (relative error 1.15e-9) polished by one
 * Halley step on the accurate tail above.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new StatsInputError(`normal quantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const polynomial = (coefficients: number[], x: number) => coefficients.reduce((total, coefficient) => total * x + coefficient, 0);
  let z: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    z = polynomial(c, q) / (polynomial(d, q) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    z = (polynomial(a, r) * q) / (polynomial(b, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    z = -polynomial(c, q) / (polynomial(d, q) * q + 1);
  }
  // Halley step: e = Phi(z) - p, with the density u = e * sqrt(2 pi) * exp(z^2 / 2).
  // The lower tail straight from erfc where it is small, to avoid cancellation in 1 - tail.
  const error = (z < 0 ? normalUpperTail(-z) : 1 - normalUpperTail(z)) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((z * z) / 2);
  return z - u / (1 + (z * u) / 2);
}
