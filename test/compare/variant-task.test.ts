import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadTask } from '../../src/config/load.js';
import { variantsOf } from '../../src/compare/variant-task.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();

function task(compare: unknown, split: Record<string, unknown> = {}, student: Record<string, unknown> = {}) {
  return loadTask(
    temp.write(
      'task.yaml',
      stringify({
        name: 'variants',
        inputs: { path: 'in.jsonl' },
        teacher: { endpoint: 'local', model: 'teacher', logprobs: { top_k: 20 } },
        split: { validation: 0.1, seed: 7, ...split },
        student: { base: 'student', method: 'full', checkpoint: 'best_valid_loss', hyperparameters: { epochs: 5, learning_rate: 0.004, batch_size: 16 }, ...student },
        evaluate: { data: { path: 'test.jsonl', references: 'answer' }, models: { student: { from: 'train' } }, metrics: ['exact_match'] },
        compare,
      }),
    ),
  );
}

describe('compare variants', () => {
  it('override only what they write: the run keeps its method, checkpoint rule, other hyperparameters and split', () => {
    const { variants, against } = variantsOf(
      task({
        variants: {
          sft: {},
          kd: { student: { loss: { type: 'topk_kd', teacher_tokenizer: 'teacher', top_k: 5 }, hyperparameters: { epochs: 3 } } },
          traces: { split: { include_reasoning: true } },
        },
      }),
    );
    expect(against).toBe('sft');
    const [sft, kd, traces] = variants.map((variant) => variant.task.config);
    expect(kd!.student).toMatchObject({ method: 'full', checkpoint: 'best_valid_loss', hyperparameters: { epochs: 3, learning_rate: 0.004, batch_size: 16 }, loss: { type: 'topk_kd', top_k: 5 } });
    expect(sft!.student).toEqual({ ...kd!.student, loss: undefined, hyperparameters: { epochs: 5, learning_rate: 0.004, batch_size: 16 } });
    expect(traces!.split).toEqual({ ...sft!.split, include_reasoning: true });
    expect(traces!.student).toEqual(sft!.student);
  });

  it('keep a split setting the run has on when they change something else', () => {
    const { variants } = variantsOf(task({ variants: { a: { split: { formats: ['messages', 'alpaca'] } } } }, { include_reasoning: true }));
    expect(variants[0]!.task.config.split).toMatchObject({ include_reasoning: true, validation: 0.1, seed: 7, formats: ['messages', 'alpaca'] });
  });

  it('are checked across sections like the task itself: keeping reasoning under the run\'s fixed assistant prefix is refused', () => {
    const loaded = task({ variants: { sft: {}, traces: { split: { include_reasoning: true } } } }, {}, { assistant_prefix: '<think></think>' });
    expect(() => variantsOf(loaded)).toThrow(/compare\.variants\.traces: .*student\.assistant_prefix: .* conflicts with split\.include_reasoning/);
  });

  it('cannot change the data budget', () => {
    expect(() => task({ variants: { a: { split: { validation: 0.5 } } } })).toThrow(/unknown key 'validation'/);
  });
});
