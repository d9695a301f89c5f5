/**
 * Bands b and rows r for an LSH over `numPerm` hashes, chosen as datasketch's `_optimal_param` does:
 * minimise the weighted areas of false positives (similarity below the threshold, still banded together)
 * and false negatives (above it, never sharing a band), over all b·r ≤ numPerm.
 */
export function optimalLshParameters(
  threshold: number,
  numPerm: number,
  weights: { falsePositive: number; falseNegative: number } = { falsePositive: 0.5, falseNegative: 0.5 },
): { bands: number; rows: number } {
  let best = { bands: 1, rows: 1 };
  let minimumError = Number.POSITIVE_INFINITY;
  for (let bands = 1; bands <= numPerm; bands++) {
    const maximumRows = Math.floor(numPerm / bands);
    for (let rows = 1; rows <= maximumRows; rows++) {
      const collision = (s: number): number => 1 - (1 - s ** rows) ** bands;
      const falsePositive = integrate(collision, 0, threshold);
      const falseNegative = integrate((s) => 1 - collision(s), threshold, 1);
      const error = falsePositive * weights.falsePositive + falseNegative * weights.falseNegative;
      if (error < minimumError) {
        minimumError = error;
        best = { bands, rows };
      }
    }
  }
  return best;
}

/** Composite Simpson's rule; the integrands are smooth polynomials, so 200 panels are plenty. */
function integrate(f: (x: number) => number, from: number, to: number): number {
  const panels = 200;
  const step = (to - from) / panels;
  let sum = f(from) + f(to);
  for (let index = 1; index < panels; index++) sum += f(from + index * step) * (index % 2 === 1 ? 4 : 2);
  return (sum * step) / 3;
}
