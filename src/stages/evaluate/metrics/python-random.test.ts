import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PythonRandom, type PythonVersion } from './python-random.js';

interface RecordedCase {
  seed: string;
  random: string[];
  randint0to3: number[];
  randint5to13: number[];
  getrandbits?: [number, number][];
}
interface RecordedRun {
  python: string;
  cases: RecordedCase[];
  extra: { after1000random: string };
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/metrics/python-random.json', import.meta.url), 'utf8'),
) as { python2: RecordedRun; python3: RecordedRun };

describe.each([
  [2, fixture.python2],
  [3, fixture.python3],
] as [PythonVersion, RecordedRun][])('PythonRandom against CPython %i', (version, run) => {
  it.each(run.cases)('seed $seed', (recorded) => {
    const seed = BigInt(recorded.seed);
    const generator = new PythonRandom(seed);
    expect(Array.from({ length: 5 }, () => generator.random())).toEqual(recorded.random.map(Number));
    generator.seed(seed);
    expect(Array.from({ length: 20 }, () => generator.randint(0, 3, version))).toEqual(recorded.randint0to3);
    generator.seed(seed);
    expect(Array.from({ length: 10 }, () => generator.randint(5, 13, version))).toEqual(recorded.randint5to13);
    if (recorded.getrandbits) {
      generator.seed(seed);
      expect(recorded.getrandbits.map(([bits]) => [bits, generator.getrandbits(bits)])).toEqual(recorded.getrandbits);
    }
  });

  it('keeps agreeing after many state twists', () => {
    const generator = new PythonRandom(3);
    for (let i = 0; i < 1000; i++) generator.random();
    expect(generator.random()).toBe(Number(run.extra.after1000random));
  });
});
