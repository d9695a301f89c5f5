import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { evaluationDataSchema } from './evaluate-config.js';
import { lengthBucket } from './length-bucket.js';
import { readEvaluationData } from './read-evaluation-data.js';

describe('readEvaluationData', () => {
  const directory = useTempDir();

  it('detokenizes input and references for the models, keeps the originals for GLEU, and computes strata', async () => {
    const path = directory.write('test.jsonl', [
      JSON.stringify({ id: 'a', sentence: 'He do n\'t like it .', corrections: ['He does n\'t like it .'], topic: 'x' }),
      JSON.stringify({ id: 'b', sentence: 'One two three four five six seven eight nine ten eleven .', corrections: 'Fixed .', topic: 'y' }),
    ].join('\n'));
    const config = evaluationDataSchema.parse({ path, input: 'sentence', references: 'corrections', preprocess: ['detokenize_punctuation'], stratify: ['length_bucket', 'topic'] });
    const items = await readEvaluationData(path, config);
    expect(items[0]).toEqual({
      id: 'a', input: "He don't like it.", references: ["He doesn't like it."], label: undefined,
      original: { input: "He do n't like it .", references: ["He does n't like it ."] }, strata: { length_bucket: '1-10', topic: 'x' },
    });
    expect(items[1]?.strata).toEqual({ length_bucket: '11-20', topic: 'y' });
    expect(items[1]?.references).toEqual(['Fixed.']);
  });

  it('names the file and line of a row without references', async () => {
    const path = directory.write('bad.jsonl', '{"input": "x", "refs": ["y"]}\n{"input": "z", "refs": []}\n');
    const config = evaluationDataSchema.parse({ path, references: 'refs' });
    await expect(readEvaluationData(path, config)).rejects.toThrow(/bad\.jsonl:2: field 'refs'/);
  });

  it('buckets lengths by ten words', () => {
    expect(['', 'one', 'a b c d e f g h i j', 'a b c d e f g h i j k', 'w '.repeat(41)].map(lengthBucket)).toEqual(['0', '1-10', '1-10', '11-20', '41+']);
  });
});
