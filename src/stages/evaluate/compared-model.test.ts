import { describe, expect, it } from 'vitest';
import { loadTask } from '../../config/load.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { resolveComparedModels } from './compared-model.js';
import { evaluateConfigSchema } from './evaluate-config.js';
import { fixedStudent } from './student-resolver.js';

describe('resolveComparedModels', () => {
  const directory = useTempDir();

  function setup(models: Record<string, unknown>) {
    directory.write('inputs.jsonl', '{"input":"x"}\n');
    directory.write('prompts/proofreader.txt', 'You are a proofreader.\n');
    const task = loadTask(directory.write('task.yaml', `
name: t
inputs: { path: inputs.jsonl }
teacher: { endpoint: local, model: big, system: prompts/proofreader.txt, few_shot: [{ input: a, output: b }], max_tokens: 512, temperature: 0.7 }
student: { base: small, system: Fix it., assistant_prefix: "<think></think>" }
`));
    const config = evaluateConfigSchema.parse({ data: { path: 'x.jsonl', references: 'r' }, models, metrics: ['exact_match'] });
    return { task, config };
  }

  it('takes { from: train } from the resolver and the student section, { from: teacher } from the teacher, overrides winning', async () => {
    const { task, config } = setup({ student: { from: 'train', max_tokens: 64 }, teacher: { from: 'teacher', temperature: 0 }, base: { endpoint: 'local', model: 'small', no_think: true, system: 'prompts/proofreader.txt' } });
    const [student, teacher, base] = await resolveComparedModels(task, config, fixedStudent('hosted', 'ft:small:abc'));
    expect(student).toMatchObject({ endpoint: 'hosted', model: 'ft:small:abc', maxTokens: 64, temperature: 0, stream: true, prompt: { system: 'Fix it.', assistantPrefix: '<think></think>' } });
    expect(teacher).toMatchObject({ endpoint: 'local', model: 'big', maxTokens: 512, temperature: 0, prompt: { system: 'You are a proofreader.', fewShot: [{ input: 'a', output: 'b' }] } });
    expect(base).toMatchObject({ model: 'small', maxTokens: 1024, prompt: { system: 'You are a proofreader.', noThink: true } });
  });

  it('asks for a trained student when { from: train } has no resolver', async () => {
    const { task, config } = setup({ student: { from: 'train' } });
    await expect(resolveComparedModels(task, config, undefined)).rejects.toThrow(/evaluate\.models\.student: \{ from: train \} needs a trained student/);
  });
});
