import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { optimalLshParameters } from './lsh-parameters.js';
import { estimateJaccard, MinHasher } from './minhash.js';
import { findNearDuplicates, NearDuplicateFinder } from './near-duplicate-finder.js';
import { findNearDuplicatesParallel } from './parallel-near-duplicates.js';
import { createRandom } from './seeded-random.js';

/** Random sentences plus copies with one planted edit (substitute, delete or swap a word). */
function plantedCorpus(count: number, planted: number, seed: number) {
  const random = createRandom(seed);
  const vocabulary = Array.from({ length: 3000 }, (_, index) => `w${index.toString(36)}q`);
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)]!;
  const texts: string[] = [];
  for (let index = 0; index < count; index++) {
    texts.push(Array.from({ length: 14 + Math.floor(random() * 8) }, pick).join(' '));
  }
  const pairs: Array<[number, number]> = [];
  for (let index = 0; index < planted; index++) {
    const original = Math.floor(random() * count);
    const words = texts[original]!.split(' ');
    const position = Math.floor(random() * (words.length - 1));
    const edit = index % 3;
    if (edit === 0) words[position] = pick();
    else if (edit === 1) words.splice(position, 1);
    else [words[position], words[position + 1]] = [words[position + 1]!, words[position]!];
    pairs.push([original, texts.length]);
    texts.push(words.join(' '));
  }
  return { texts, pairs };
}

describe('optimalLshParameters', () => {
  it('matches datasketch _optimal_param', () => {
    // Expected values printed by datasketch 2.0's lsh._optimal_param(threshold, num_perm, 0.5, 0.5).
    expect(optimalLshParameters(0.8, 128)).toEqual({ bands: 9, rows: 13 });
    expect(optimalLshParameters(0.85, 128)).toEqual({ bands: 8, rows: 16 });
    expect(optimalLshParameters(0.5, 128)).toEqual({ bands: 25, rows: 5 });
    expect(optimalLshParameters(0.9, 256)).toEqual({ bands: 9, rows: 28 });
    expect(optimalLshParameters(0.7, 64)).toEqual({ bands: 8, rows: 8 });
  });
});

describe('MinHasher', () => {
  it('estimates Jaccard without bias', () => {
    const hasher = new MinHasher({ numPerm: 256, shingle: 'word', size: 1, seed: 5 });
    const left = new Uint32Array(256);
    const right = new Uint32Array(256);
    let totalError = 0;
    for (let shift = 0; shift < 20; shift++) {
      const words = (from: number) => Array.from({ length: 40 }, (_, index) => `t${from + index}`).join(' ');
      hasher.signInto(words(0), left, 0);
      hasher.signInto(words(shift), right, 0);
      const truth = (40 - shift) / (40 + shift);
      totalError += Math.abs(estimateJaccard(left, 0, right, 0, 256) - truth);
    }
    expect(totalError / 20).toBeLessThan(0.04);
  });

  it('reports texts without shingles', () => {
    const hasher = new MinHasher({ numPerm: 16, shingle: 'word', size: 3 });
    expect(hasher.signInto(' ... ', new Uint32Array(16), 0)).toBe(false);
    expect(hasher.signInto('two words', new Uint32Array(16), 0)).toBe(true);
  });
});

describe('findNearDuplicates', () => {
  it('finds planted single-word edits with recall and precision ≥ 0.9 at threshold 0.8', () => {
    const { texts, pairs } = plantedCorpus(4000, 400, 42);
    const result = findNearDuplicates(texts, { threshold: 0.8, shingle: 'word', size: 1, numPerm: 128 });
    const planted = new Set(pairs.map(([original, copy]) => `${original}:${copy}`));
    const found = pairs.filter(([original, copy]) => result.duplicateOf[copy] === original).length;
    let dropped = 0;
    let correct = 0;
    result.duplicateOf.forEach((original, index) => {
      if (original < 0) return;
      dropped++;
      if (planted.has(`${original}:${index}`)) correct++;
    });
    const recall = found / pairs.length;
    const precision = correct / dropped;
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(result).toMatchObject({ bands: 9, rows: 13 });
  });

  it('keeps the first of a cluster and records the similarity', () => {
    const base = 'the quick brown fox jumps over the lazy dog near the river bank today';
    const result = findNearDuplicates([base, 'completely different words here', `${base} again`], {
      threshold: 0.7,
      shingle: 'char',
      size: 4,
      numPerm: 128,
    });
    expect([...result.duplicateOf]).toEqual([-1, -1, 0]);
    expect(result.similarity[2]).toBeGreaterThan(0.7);
  });
});

describe('NearDuplicateFinder', () => {
  it('queries without inserting', () => {
    const finder = new NearDuplicateFinder({ threshold: 0.8, shingle: 'word', size: 1, numPerm: 64 });
    expect(finder.insert('alpha beta gamma delta epsilon zeta eta theta')).toBe(0);
    expect(finder.query('alpha beta gamma delta epsilon zeta eta theta')?.slot).toBe(0);
    expect(finder.query('one two three')).toBeNull();
    expect(finder.size).toBe(1);
  });
});

describe('findNearDuplicatesParallel', () => {
  it('gives the single-threaded result, with or without workers available', async () => {
    const { texts } = plantedCorpus(33_000, 1_000, 9);
    const settings = { threshold: 0.8, shingle: 'word' as const, size: 1, numPerm: 64 };
    const sequential = findNearDuplicates(texts, settings);
    const parallel = await findNearDuplicatesParallel(texts, settings, 1);
    expect(parallel.duplicateOf).toEqual(sequential.duplicateOf);
    expect(parallel.similarity).toEqual(sequential.similarity);
  });

  it('signs in a worker thread when run through tsx', () => {
    // Vitest cannot start TypeScript workers (the in-process test above falls back), so run under tsx.
    const module = new URL('./parallel-near-duplicates.ts', import.meta.url).href;
    const code = `
      import { findNearDuplicatesParallel } from ${JSON.stringify(module)};
      const texts = Array.from({ length: 34000 }, (_, i) => ['a', 'b', 'c', 'd'].map((word) => word + (i % 17000)).join(' '));
      const result = await findNearDuplicatesParallel(texts, { threshold: 0.8, shingle: 'word', size: 1, numPerm: 64 }, 1);
      console.log(JSON.stringify({ workers: result.workers, dropped: result.duplicateOf.filter((x) => x >= 0).length }));`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(JSON.parse(output.trim().split('\n').pop() ?? '')).toEqual({ workers: 1, dropped: 17000 });
  });
});
