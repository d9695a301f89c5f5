import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { judgeConfigSchema } from './evaluate-config.js';
import { DEFAULT_PAIRWISE_PROMPT, judgeTemplates, validityPrompt } from './judge-prompts.js';

describe('judge prompts', () => {
  const directory = useTempDir();
  const task = () => ({ dir: directory.path(), file: `${directory.path()}/task.yaml` });

  it('reads a replacement validity prompt from a file and keeps the default pairwise one', () => {
    directory.write('prompts/judge.txt', 'Input: {input}\nRefs:\n{references}\nCandidate: {prediction}\nAnswer VALID or INVALID; JSON like {"ok": 1} stays literal.\n');
    const templates = judgeTemplates(task(), judgeConfigSchema.parse({ endpoint: 'e', model: 'm', prompt: 'prompts/judge.txt' }));
    expect(templates.pairwise).toBe(DEFAULT_PAIRWISE_PROMPT);
    expect(validityPrompt(templates.validity, 'he go', ['he goes', 'he went'], 'he goes {input}')).toBe(
      'Input: he go\nRefs:\n1. he goes\n2. he went\nCandidate: he goes {input}\nAnswer VALID or INVALID; JSON like {"ok": 1} stays literal.',
    );
  });

  it('an unknown slot is a config error before any call', () => {
    expect(() => judgeTemplates(task(), judgeConfigSchema.parse({ endpoint: 'e', model: 'm', prompt: { text: 'Judge {answer}' } }))).toThrow(/evaluate\.judge\.prompt: template slot \{answer\} has no value/);
  });
});
