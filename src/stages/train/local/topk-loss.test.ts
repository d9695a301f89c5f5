import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedTask } from '../../../config/load.js';
import { taskSchema } from '../../../config/schema.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import type { StageContext } from '../../context.js';
import { runPaths } from '../../run-paths.js';
import { studentSettings } from '../student-settings.js';
import { workerJob } from './worker-job.js';

const temp = useTempDir();

function task(teacher: Record<string, unknown>, student: Record<string, unknown>): LoadedTask {
  const config = taskSchema.parse({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { endpoint: 'local', model: 't', ...teacher }, student });
  return { file: '/tasks/task.yaml', dir: '/tasks', config, raw: {} };
}

const topk = { type: 'topk_kd', teacher_tokenizer: 'org/teacher', top_k: 5, alpha: 0.5, direction: 'reverse' };

describe('student.loss.type: topk_kd', () => {
  it('hands the stored log-probs file, k and the teacher tokenizer to the worker', () => {
    const loaded = task({ logprobs: { top_k: 5 } }, { base: 'org/model', loss: topk });
    const paths = runPaths(temp.path());
    mkdirSync(paths.generate.dir, { recursive: true });
    writeFileSync(join(paths.generate.dir, 'logprobs.jsonl'), '');
    const stage = { task: loaded, paths } as unknown as StageContext;
    const job = workerJob({ stage, settings: studentSettings(loaded), trainFile: paths.split.train, validationFile: paths.split.validation });
    expect(job.loss).toEqual({ type: 'topk_kd', alpha: 0.5, direction: 'reverse', top_k: 5, teacher_tokenizer: 'org/teacher', logprobs_file: join(paths.generate.dir, 'logprobs.jsonl') });
  });

  it('says what is missing before any training starts', () => {
    expect(() => studentSettings(task({}, { base: 'org/model', loss: topk }))).toThrow(/set teacher\.logprobs: \{ top_k: k \}/);
    expect(() => studentSettings(task({ logprobs: { top_k: 3 } }, { base: 'org/model', loss: topk }))).toThrow(/5 is more than the 3/);
    expect(() => studentSettings(task({ logprobs: { top_k: 5 } }, { base: 'org/model', loss: { type: 'topk_kd' } }))).toThrow(/teacher_tokenizer: required/);
    expect(() => studentSettings(task({ logprobs: { top_k: 5 } }, { base: 'org/model', trainer: 'hosted', loss: topk }))).toThrow(/topk_kd needs the local trainer/);
    expect(() => studentSettings(task({}, { base: 'org/model', loss: { type: 'sft', top_k: 5 } }))).toThrow(/top_k: only used when loss.type is topk_kd/);
    expect(() => taskSchema.parse({ name: 'x', inputs: { path: 'i' }, teacher: { endpoint: 'e', model: 't', logprobs: { top_k: 21 } } })).toThrow();
  });

  it('refuses to start when generate stored no log-probs', () => {
    const loaded = task({ logprobs: { top_k: 5 } }, { base: 'org/model', loss: topk });
    const paths = runPaths(join(temp.path(), 'empty-run'));
    const stage = { task: loaded, paths } as unknown as StageContext;
    expect(() => workerJob({ stage, settings: studentSettings(loaded), trainFile: paths.split.train, validationFile: paths.split.validation })).toThrow(/logprobs\.jsonl does not exist; run generate with teacher\.logprobs set/);
  });
});
