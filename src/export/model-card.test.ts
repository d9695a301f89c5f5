import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderModelCard, type ModelCardFacts } from './model-card.js';

const facts: ModelCardFacts = {
  name: 'router',
  teacher: 'Qwen/Qwen3-235B-A22B',
  base: '/tmp/models/tiny-base',
  trainer: 'local',
  method: 'full',
  hyperparameters: { epochs: 2 },
  trainingRows: null,
  exported: { format: 'gguf', engine: 'llama.cpp', dtype: 'float32', gguf_type: 'q8_0', items: 40, agreement: 0.975, metric: { name: 'accuracy', student: 0.9, export: 0.875 } },
  evaluation: { primary_metric: 'accuracy', transfer_ratio: { value: 0.95, ci95: [0.9, 0.99] }, verdict: { label: 'viable', reason: 'drop 4.5 points, 5x faster' } },
};

describe('the model card', () => {
  it('a GGUF export of a local base: gguf tags, no base_model (a local path is no Hub id), llama.cpp and Ollama commands', () => {
    const card = renderModelCard(facts, 'acme/router-gguf');
    const metadata = parse(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!);
    expect(metadata).toEqual({ pipeline_tag: 'text-generation', tags: ['distillery', 'distillation', 'gguf'] });
    expect(card).toContain('verdict **viable** (drop 4.5 points, 5x faster)');
    expect(card).toContain('transfer ratio (student / teacher accuracy): 0.950 (95% CI 0.900–0.990)');
    expect(card).toContain('this export (gguf q8_0), answering greedily on llama.cpp, gives the trained student\'s answer on 97.5% of 40 evaluation items; accuracy: student 0.9000, export 0.8750');
    expect(card).toContain('    llama-server -hf acme/router-gguf');
    expect(card).not.toContain('training rows');
  });

  it('a merged export of a Hub base names it as base_model for the Hub', () => {
    const card = renderModelCard({ ...facts, base: 'Qwen/Qwen3-4B', exported: { ...facts.exported, format: 'merged', engine: 'vllm', gguf_type: null }, evaluation: null }, 'acme/router');
    expect(parse(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!)).toMatchObject({ base_model: 'Qwen/Qwen3-4B', library_name: 'transformers' });
    expect(card).toContain('    vllm serve acme/router');
    expect(card).not.toContain('verdict');
  });
});
