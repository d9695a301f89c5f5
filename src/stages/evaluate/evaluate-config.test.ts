import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateConfigSchema, primaryMetricOf } from './evaluate-config.js';

const USER_CONFIG = `
data: { path: ../shared/data/jfleg/test.jsonl, input: sentence, references: corrections, preprocess: [detokenize_punctuation], stratify: [length_bucket] }
models:
  student:  { from: train }
  teacher:  { endpoint: nebius, model: Qwen/Qwen3-235B-A22B, system: prompts/proofreader.txt }
  baseline: { endpoint: nebius, model: Qwen/Qwen3-14B, system: prompts/proofreader.txt }
  base:     { endpoint: local, model: Qwen/Qwen3-4B }
metrics: [exact_match, reference_match_then_judge, gleu]
judge: { endpoint: nebius, model: deepseek-ai/DeepSeek-R1, prompt: prompts/judge.txt }
pairwise: { against: teacher, sample: 100, both_orders: 30 }
concurrency: 16
primary_metric: gleu
tokenize_for_gleu: jfleg
`;

describe('evaluateConfigSchema', () => {
  it('accepts the grammar-correction config and fills the defaults', () => {
    const config = evaluateConfigSchema.parse(parse(USER_CONFIG));
    expect(config.models.student).toEqual({ from: 'train' });
    expect(config.pairwise).toEqual({ against: 'teacher', sample: 100, both_orders: 30 });
    expect(config.verdict).toEqual({ viable_max_drop: 5, marginal_max_drop: 10, min_speedup: 2 });
    expect(config.judge?.max_tokens).toBe(4096);
    expect(primaryMetricOf(config)).toBe('gleu');
    expect(config.seed).toBe(42);
  });

  it.each([
    ['a model without student', (raw: Record<string, unknown>) => ({ ...raw, models: { teacher: { endpoint: 'x', model: 'y' } } }), 'models'],
    ['a judge metric without a judge', (raw: Record<string, unknown>) => ({ ...raw, judge: undefined }), 'judge'],
    ['a primary metric not computed', (raw: Record<string, unknown>) => ({ ...raw, primary_metric: 'bleu' }), 'primary_metric'],
    ['pairwise against an unknown model', (raw: Record<string, unknown>) => ({ ...raw, pairwise: { against: 'oracle' } }), 'pairwise.against'],
    ['a typo in a key', (raw: Record<string, unknown>) => ({ ...raw, concurency: 4 }), ''],
    ['reference metrics without references', (raw: Record<string, unknown>) => ({ ...raw, data: { path: 'x.jsonl' } }), 'data.references'],
  ])('rejects %s', (_, change, path) => {
    const result = evaluateConfigSchema.safeParse(change(parse(USER_CONFIG) as Record<string, unknown>));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
