import { describe, expect, it } from 'vitest';
import { DataError } from '../../errors.js';
import { partitionIds, validationSize } from './partition.js';
import { mulberry32, shuffled } from './seeded-random.js';

const ids = Array.from({ length: 50 }, (_, index) => `id-${index}`);

describe('mulberry32 and shuffled', () => {
  it('gives the same sequence for the same seed and a permutation of the input', () => {
    const first = mulberry32(7);
    const second = mulberry32(7);
    const values = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => second())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const permuted = shuffled(ids, mulberry32(1));
    expect(permuted).not.toEqual(ids);
    expect([...permuted].sort()).toEqual([...ids].sort());
  });
});

describe('partitionIds', () => {
  it('reads validation as a count when ≥ 1 and as a fraction when < 1', () => {
    expect(validationSize(200, 7)).toBe(7);
    expect(validationSize(200, 0.05)).toBe(10);
    expect(validationSize(10, 0.01)).toBe(1);
    expect(partitionIds(ids, 7, 42, 'kept.jsonl').validation).toHaveLength(7);
    expect(partitionIds(ids, 0.1, 42, 'kept.jsonl').validation).toHaveLength(5);
  });

  it('is deterministic for a seed, independent of file order, and changes with the seed', () => {
    const first = partitionIds(ids, 10, 42, 'kept.jsonl');
    const reversed = partitionIds([...ids].reverse(), 10, 42, 'kept.jsonl');
    expect(reversed).toEqual(first);
    expect(partitionIds(ids, 10, 43, 'kept.jsonl').validation).not.toEqual(first.validation);
    expect(new Set([...first.train, ...first.validation]).size).toBe(ids.length);
    expect(first.train.filter((id) => first.validation.includes(id))).toEqual([]);
  });

  it('refuses a validation set that leaves no training row', () => {
    expect(() => partitionIds(['a', 'b'], 2, 1, 'kept.jsonl')).toThrow(DataError);
    expect(() => partitionIds(['a', 'b'], 2, 1, 'kept.jsonl')).toThrow(/too few/);
    expect(partitionIds(['a', 'b'], 1, 1, 'kept.jsonl').train).toHaveLength(1);
  });
});
