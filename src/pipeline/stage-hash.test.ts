import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { loadTask } from '../config/load.js';
import { stageHashes } from './stage-hash.js';

const temp = useTempDir();

function hashes(split: Record<string, unknown>, trainer = 'local'): ReturnType<typeof stageHashes> {
  const config = { name: 'x', inputs: { path: 'in.jsonl', output_field: 'answer' }, split, student: { base: 'tiny', trainer, ...(trainer === 'hosted' ? { endpoint: 'tuner' } : {}) }, endpoints: { tuner: { base_url: 'http://127.0.0.1:9/v1' } } };
  return stageHashes(loadTask(temp.write('task.yaml', stringify(config))));
}

describe('split.include_reasoning in the stage hashes', () => {
  it('re-runs split (not curate) when toggled; when on, the trainer (where a trace goes) counts too, and only then', () => {
    const off = hashes({ validation: 1 });
    expect(hashes({ validation: 1, include_reasoning: false })).toEqual(off);
    const on = hashes({ validation: 1, include_reasoning: true });
    expect(on.curate).toBe(off.curate);
    expect(on.split).not.toBe(off.split);
    expect(hashes({ validation: 1, include_reasoning: true }, 'hosted').split).not.toBe(on.split);
    expect(hashes({ validation: 1 }, 'hosted').split).toBe(off.split);
  });
});

describe('teacher.logprobs.source in the stage hashes', () => {
  const generate = (logprobs: Record<string, unknown>) =>
    stageHashes(loadTask(temp.write('task.yaml', stringify({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { endpoint: 'local', model: 'm', logprobs } })))).generate;

  it('counts only when it is not the default, so a run made before the field existed keeps its generation', () => {
    expect(generate({ top_k: 5, source: 'generate' })).toBe(generate({ top_k: 5 }));
    expect(generate({ top_k: 5, source: 'score' })).not.toBe(generate({ top_k: 5 }));
    expect(generate({ top_k: 20 })).not.toBe(generate({ top_k: 5 }));
  });
});
