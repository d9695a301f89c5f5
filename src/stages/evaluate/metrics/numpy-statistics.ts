/**
 * numpy's float64 `sum`, `mean` and `std` (ddof 0) reproduced to the last bit: numpy sums by pairwise
 * blocks of 8 accumulators, not left to right, and a script's six printed decimals can hinge on that.
 */

const PAIRWISE_BLOCK = 128;

function pairwiseSum(values: readonly number[], start: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  if (count <= PAIRWISE_BLOCK) {
    const partial = values.slice(start, start + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let lane = 0; lane < 8; lane++) partial[lane]! += values[start + i + lane]!;
    }
    const [a, b, c, d, e, f, g, h] = partial as [number, number, number, number, number, number, number, number];
    let sum = a + b + (c + d) + (e + f + (g + h));
    for (; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** `np.sum` of a float64 vector: the reduction starts from the identity 0 and adds the pairwise sum. */
export function numpySum(values: readonly number[]): number {
  return 0 + pairwiseSum(values, 0, values.length);
}

export function numpyMean(values: readonly number[]): number {
  return numpySum(values) / values.length;
}

/** `np.std(values)`: population standard deviation, computed as numpy's `_var` does. */
export function numpyStd(values: readonly number[]): number {
  const mean = numpyMean(values);
  const squares = values.map((value) => {
    const deviation = value - mean;
    return deviation * deviation;
  });
  return Math.sqrt(numpySum(squares) / values.length);
}
