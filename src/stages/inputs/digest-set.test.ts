import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { mulberry32 } from '../split/seeded-random.js';
import { DigestSet } from './digest-set.js';

const temp = useTempDir();

describe('DigestSet', () => {
  it('answers exactly like a Map across many spills, with a Bloom filter small enough to let false positives reach SQLite', () => {
    const spillPath = join(temp.path(), 'spill.sqlite');
    const set = new DigestSet({ spillPath, memoryEntries: 500, bloomBits: 4096 });
    const reference = new Map<string, number>();
    const random = mulberry32(11);
    const pool = Array.from({ length: 8000 }, () => [Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** 32)] as const);
    pool.push([0, 0], [0, 1], [2 ** 32 - 1, 2 ** 32 - 1]); // the empty-slot marker and the extremes
    for (let line = 1; line <= 30_000; line++) {
      const [high, low] = pool[Math.floor(random() * pool.length)]!;
      // (0, 0) is stored as (0, 1): the two are one digest to the set, as the reference must know.
      const key = high === 0 && low === 0 ? '0:1' : `${high}:${low}`;
      expect(set.add(high, low, line)).toBe(reference.get(key));
      if (!reference.has(key)) reference.set(key, line);
    }
    expect(set.spilled).toBeGreaterThan(10 * 500);
    expect(existsSync(spillPath)).toBe(true);
    set.close();
    expect(existsSync(spillPath)).toBe(false);
  });
});
