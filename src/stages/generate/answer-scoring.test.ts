import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { ConfigError } from '../../errors.js';
import { openRun } from '../../pipeline/open-run.js';
import { runInputsStage } from '../inputs/inputs-stage.js';
import { runGenerateStage } from './generate-stage.js';
import { scoresAnswers } from './answer-scoring.js';

const temp = useTempDir();

describe('scoring fixed answers (teacher.logprobs on answers not generated with them)', () => {
  it('applies to imported answers always, and to generated ones with source: score', () => {
    const teacher = (source?: 'generate' | 'score') => ({ logprobs: { top_k: 5, source: source ?? 'generate' } }) as Parameters<typeof scoresAnswers>[0];
    expect(scoresAnswers(teacher(), true)).toBe(true);
    expect(scoresAnswers(teacher(), false)).toBe(false);
    expect(scoresAnswers(teacher('score'), false)).toBe(true);
    expect(scoresAnswers(undefined, true)).toBe(false);
  });

  it('refuses an endpoint that is not vLLM before anything is recorded', async () => {
    const dir = temp.path();
    writeFileSync(join(dir, 'answers.jsonl'), '{"id": "a", "text": "one two", "answer": "three"}\n');
    writeFileSync(
      join(dir, 'task.yaml'),
      stringify({
        name: 'scoring',
        endpoints: { hosted: { base_url: 'http://127.0.0.1:9/v1', flavor: 'openai' } },
        inputs: { path: 'answers.jsonl', field: 'text', output_field: 'answer' },
        teacher: { endpoint: 'hosted', model: 'gpt-4.1', logprobs: { top_k: 5 } },
      }),
    );
    const run = openRun({ configPath: join(dir, 'task.yaml'), runDir: join(dir, 'run'), environment: {} });
    try {
      await runInputsStage(run.context);
      const error = await runGenerateStage(run.context).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/teacher\.logprobs: scoring fixed answers needs vLLM's prompt_logprobs; endpoint 'hosted' has flavor openai/);
      expect(existsSync(join(dir, 'run', 'generate', 'outputs.jsonl'))).toBe(false);
    } finally {
      await run.close();
    }
  });
});
