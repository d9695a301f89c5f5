import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FilterDependencies } from '../filter.js';
import type { FilterDefinition } from '../filter-definition.js';
import type { GeneratedRecord } from '../record.js';
import { makeRecord } from '../test-records.js';
import { decontaminateFilter } from './decontaminate.js';
import { dedupFilter } from './dedup.js';
import { detectLanguage } from './detect-language.js';
import { diversityFilter } from './diversity.js';
import { lengthFilter } from './length.js';
import { refusalFilter } from './refusal.js';

async function run(definition: FilterDefinition, options: unknown, records: GeneratedRecord[], dependencies: Partial<FilterDependencies> = {}) {
  const filter = await definition.create(definition.options.parse(options), { configDirectory: '.', ...dependencies });
  const result = await filter.apply(records, {});
  expect(result.kept.length + result.dropped.length).toBe(records.length);
  return { ...result, keptIds: result.kept.map((record) => record.id) };
}

describe('length', () => {
  it('checks every configured measure, open bounds included', async () => {
    const records = [makeRecord('a', 'one two', 'x'.repeat(10)), makeRecord('b', 'one', 'x'.repeat(3)), makeRecord('c', 'one two three four', 'x'.repeat(10))];
    const result = await run(lengthFilter, { output_chars: [5, null], input_words: [null, 3] }, records);
    expect(result.keptIds).toEqual(['a']);
    expect(result.dropped.map((entry) => entry.detail)).toEqual([
      { measure: 'output_chars', value: 3, min: 5, max: null },
      { measure: 'input_words', value: 4, min: 0, max: 3 },
    ]);
  });

  it('uses a supplied tokenizer for token bounds', async () => {
    const result = await run(lengthFilter, { output_tokens: [0, 2] }, [makeRecord('a', 'i', 'a b c')], { countTokens: (text) => text.split(' ').length });
    expect(result.dropped[0]?.detail).toMatchObject({ value: 3 });
  });
});

describe('refusal', () => {
  const records = [
    makeRecord('a', 'q', 'As an AI language model, I have no opinions.'),
    makeRecord('b', 'q', 'I’m sorry, but that is not possible.'),
    makeRecord('c', 'q', 'The cannot-miss event is on Friday.'),
    makeRecord('d', 'q', 'The answer is 42, per the manual.'),
  ];

  it('matches built-in phrases on word boundaries, case- and quote-insensitively', async () => {
    const result = await run(refusalFilter, {}, records);
    expect(result.keptIds).toEqual(['c', 'd']);
    expect(result.dropped[1]?.detail).toEqual({ phrase: "I'm sorry, but" });
  });

  it('extends or replaces the list', async () => {
    expect((await run(refusalFilter, { extra: ['per the manual'] }, records)).keptIds).toEqual(['c']);
    expect((await run(refusalFilter, { extra: ['per the manual'], replace: true }, records)).keptIds).toEqual(['a', 'b', 'c']);
  });
});

describe('detectLanguage', () => {
  it('guesses by script and stopwords, and abstains on little evidence', () => {
    expect(detectLanguage('The cat is on the mat and it is happy with the sun.').language).toBe('en');
    expect(detectLanguage('El perro está en la casa y no quiere salir con los niños.').language).toBe('es');
    expect(detectLanguage('Der Hund ist in dem Haus und will nicht mit den Kindern spielen.').language).toBe('de');
    expect(detectLanguage('Собака находится в доме и не хочет выходить на улицу.').language).toBe('ru');
    expect(detectLanguage('今日はとても良い天気ですね、散歩に行きましょう。').language).toBe('ja');
    expect(detectLanguage('今天天气很好，我们去公园散步吧，好不好呢朋友们。').language).toBe('zh');
    expect(detectLanguage('{"answer": 42}').language).toBe('und');
    expect(detectLanguage('Kubernetes Terraform Grafana Prometheus').language).toBe('und');
  });
});

describe('dedup', () => {
  const records = [
    makeRecord('a', 'What is the capital of France?', 'Paris'),
    makeRecord('b', 'what is the capital of   france ?', 'Paris.'),
    makeRecord('c', 'What is the capital city of France?', 'Paris'),
    makeRecord('d', 'Name a prime number larger than ten.', '11'),
  ];

  it('drops exact duplicates after normalization, recording the original', async () => {
    const result = await run(dedupFilter, {}, records);
    expect(result.keptIds).toEqual(['a', 'c', 'd']);
    expect(result.dropped[0]).toMatchObject({ reason: 'exact_duplicate', detail: { duplicate_of: 'a' } });
  });

  it('drops near duplicates with the estimated similarity', async () => {
    const result = await run(dedupFilter, { near: { threshold: 0.6, shingle: 'char', size: 3 } }, records);
    expect(result.keptIds).toEqual(['a', 'd']);
    const near = result.dropped.find((entry) => entry.reason === 'near_duplicate');
    expect(near?.detail).toMatchObject({ duplicate_of: 'a' });
    expect((near?.detail as { similarity: number }).similarity).toBeGreaterThanOrEqual(0.6);
  });

  it('drops embedding duplicates by cosine with an injected embed function', async () => {
    const embed = async (texts: string[]) => texts.map((text) => (text.toLowerCase().includes('france') ? [1, 0.05] : [0, 1]));
    const result = await run(dedupFilter, { exact: false, embedding: { threshold: 0.99 } }, records, { embed });
    expect(result.keptIds).toEqual(['a', 'd']);
    expect(result.dropped[0]).toMatchObject({ reason: 'embedding_duplicate', detail: { duplicate_of: 'a' } });
  });
});

describe('diversity', () => {
  it('caps records per first words and reports the distribution', async () => {
    const records = ['Write a poem', 'Write a story', 'write a  song', 'Explain gravity'].map((input, index) => makeRecord(String(index), input, 'x'));
    const result = await run(diversityFilter, { first_words: 2, cap: 2 }, records);
    expect(result.keptIds).toEqual(['0', '1', '3']);
    expect(result.report).toEqual({ key: 'first_words:2', distinct: 2, before: { 'write a': 3, 'explain gravity': 1 }, after: { 'write a': 2, 'explain gravity': 1 } });
  });
});

describe('decontaminate', () => {
  it('drops exact and near copies of evaluation inputs', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'decontaminate-'));
    await writeFile(
      join(directory, 'eval.jsonl'),
      [
        { sentence: 'She go to the market every morning with her mother.' },
        { sentence: 'They has finished there homework before the dinner time yesterday.' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const records = [
      makeRecord('a', 'she go to the market every morning with her mother .', 'x'),
      makeRecord('b', 'They has finished there homework before the dinner time today.', 'x'),
      makeRecord('c', 'A completely unrelated sentence about trains.', 'x'),
    ];
    const options = { against: 'eval.jsonl', field: 'sentence', near: 0.7, size: 1 };
    const result = await run(decontaminateFilter, options, records, { configDirectory: directory });
    expect(result.keptIds).toEqual(['c']);
    expect(result.dropped.map((entry) => entry.detail)).toMatchObject([
      { match: 'exact', evaluation_index: 0 },
      { match: 'near', evaluation_index: 1 },
    ]);
  });
});
