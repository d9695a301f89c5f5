/**
 * CPython's `random.Random` (Mersenne Twister MT19937) reproduced bit for bit, so that scripts which
 * sample with `random.seed(...)` (JFLEG's gleu.py) give the same draws here as in Python.
 * Covers what those scripts use: seeding from an int, `random()`, `getrandbits(k)` and `randint` in
 * both the Python 2 and the Python 3 flavour (they draw differently, so their scores differ).
 */

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Which CPython's `randint` to mimic: 2 scales `random()`, 3 rejects `getrandbits` draws. */
export type PythonVersion = 2 | 3;

export class PythonRandom {
  private readonly state = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE + 1;

  constructor(seed: number | bigint) {
    this.seed(seed);
  }

  /** `random.seed(int)`: the absolute value's 32-bit words, least significant first, feed init_by_array. */
  seed(seed: number | bigint): void {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`PythonRandom seed must be an integer, got ${seed}`);
    }
    let remaining = BigInt(seed);
    if (remaining < 0n) remaining = -remaining;
    const key: number[] = [];
    while (remaining > 0n) {
      key.push(Number(remaining & 0xffffffffn));
      remaining >>= 32n;
    }
    if (key.length === 0) key.push(0);
    this.initByArray(key);
  }

  /** `random.random()`: 53 bits from two 32-bit draws (genrand_res53). */
  random(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** `random.getrandbits(k)` for 0 <= k <= 53; words are filled least significant first as CPython does. */
  getrandbits(bits: number): number {
    if (!Number.isInteger(bits) || bits < 0 || bits > 53) {
      throw new RangeError(`getrandbits supports 0..53 bits, got ${bits}`);
    }
    if (bits === 0) return 0;
    if (bits <= 32) return this.nextUint32() >>> (32 - bits);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - bits);
    return high * 4294967296 + low;
  }

  /** Python 3's `_randbelow_with_getrandbits(n)`: draw bit_length(n) bits, retry while >= n. */
  randbelow(limit: number): number {
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`randbelow needs a positive integer, got ${limit}`);
    const bits = limit.toString(2).length;
    let draw = this.getrandbits(bits);
    while (draw >= limit) draw = this.getrandbits(bits);
    return draw;
  }

  /** `random.randint(low, high)`, inclusive, as Python 2.7 (`int(random() * width)`) or Python 3 does it. */
  randint(low: number, high: number, version: PythonVersion = 3): number {
    const width = high + 1 - low;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || width <= 0) {
      throw new RangeError(`empty range for randint(${low}, ${high})`);
    }
    // Python 2.7 only falls back to bit rejection for widths of 2**53 and more, which safe integers cannot reach.
    if (version === 2) return low + Math.floor(this.random() * width);
    return low + this.randbelow(width);
  }

  nextUint32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let value = this.state[this.index++]!;
    value ^= value >>> 11;
    value ^= (value << 7) & 0x9d2c5680;
    value ^= (value << 15) & 0xefc60000;
    value ^= value >>> 18;
    return value >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let k = 0; k < STATE_SIZE; k++) {
      const mixed = (state[k]! & UPPER_MASK) | (state[(k + 1) % STATE_SIZE]! & LOWER_MASK);
      const twisted = state[(k + SHIFT_SIZE) % STATE_SIZE]! ^ (mixed >>> 1) ^ (mixed & 1 ? MATRIX_A : 0);
      state[k] = twisted >>> 0;
    }
    this.index = 0;
  }

  private initGenrand(seed: number): void {
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = state[i - 1]!;
      state[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) >>> 0;
    }
    this.index = STATE_SIZE;
  }

  private initByArray(key: readonly number[]): void {
    const state = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(STATE_SIZE, key.length); k > 0; k--) {
      const previous = state[i - 1]!;
      state[i] = ((state[i]! ^ Math.imul(previous ^ (previous >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= STATE_SIZE) {
        state[0] = state[STATE_SIZE - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = STATE_SIZE - 1; k > 0; k--) {
      const previous = state[i - 1]!;
      state[i] = ((state[i]! ^ Math.imul(previous ^ (previous >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= STATE_SIZE) {
        state[0] = state[STATE_SIZE - 1]!;
        i = 1;
      }
    }
    state[0] = 0x80000000;
    this.index = STATE_SIZE;
  }
}
