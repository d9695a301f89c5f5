import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../errors.js';
import { buildFilters } from './build-filters.js';
import type { ChatFunction } from './chat.js';
import type { Filter } from './filter.js';
import { renderFunnel } from './funnel.js';
import { runCuration } from './run-curation.js';
import { makeRecord } from './test-records.js';

const CONFIG = `
curate:
  - judge: { endpoint: nebius, model: teacher-judge, min_score: 4 }
  - drop_truncated
  - length: { output_chars: [5, 800] }
  - refusal
  - language: { expected: en }
  - dedup: { exact: true, near: { threshold: 0.8, on: input, shingle: word, size: 1, num_perm: 128 } }
  - diversity: { key: template, cap: 2 }
  - verify: { regex: "^[A-Z]" }
`;

function records() {
  const english = 'The weather in the city is cold and the streets are wet with rain.';
  return [
    makeRecord('r1', 'Fix: he go to school', 'He goes to school every day with his friends.', { fields: { template: 'a' } }),
    makeRecord('r2', 'Fix: she like apples', 'She likes apples', { truncated: true }),
    makeRecord('r3', 'Fix: they was here', 'ok'),
    makeRecord('r4', 'Fix: i has a cat', "I'm sorry, but I can't help with that."),
    makeRecord('r5', 'Fix: we is happy', 'Nous sommes heureux et les enfants sont dans le jardin avec le chien.'),
    makeRecord('r6', 'Fix:  HE GO TO SCHOOL', 'He goes to school.', { fields: { template: 'a' } }),
    makeRecord('r7', 'Fix: the dog run fast in the big green park today', english, { fields: { template: 'a' } }),
    makeRecord('r8', 'Fix: the dog run fast in the big green park', english, { fields: { template: 'a' } }),
    makeRecord('r9', 'Describe rain', english, { fields: { template: 'a' } }),
    makeRecord('r10', 'Describe snow', 'lowercase start is rejected by the regex check here.', { fields: { template: 'b' } }),
    makeRecord('r11', 'Describe wind', english.replace('cold', 'windy'), { fields: { template: 'b' } }),
  ];
}

const fakeJudge: ChatFunction = async (messages) => {
  const content = messages[0]?.content ?? '';
  if (content.includes('Describe wind')) return { content: 'Score: 2 — vague.' };
  return { content: '{"score": 5, "rationale": "fine"}' };
};

async function build(config: string) {
  const directory = await mkdtemp(join(tmpdir(), 'curate-'));
  return buildFilters(parse(config).curate, { configDirectory: directory, chatFor: () => fakeJudge });
}

describe('runCuration', () => {
  it('runs a YAML config cheapest first and accounts for every record', async () => {
    const { order, filters } = await build(CONFIG);
    const result = await runCuration(records(), filters, { order });
    const { funnel } = result;
    expect(funnel.steps.map((step) => step.filter)).toEqual([
      'drop_truncated',
      'length',
      'refusal',
      'language',
      'verify',
      'dedup',
      'diversity',
      'judge',
    ]);
    expect(result.kept.map((record) => record.id)).toEqual(['r1', 'r7']);
    expect(funnel.raw).toBe(11);
    expect(funnel.kept + funnel.steps.reduce((sum, step) => sum + step.dropped, 0)).toBe(funnel.raw);
    expect(result.kept.length + result.dropped.length).toBe(11);
    const reasons = Object.fromEntries(result.dropped.map((entry) => [entry.record.id, entry.reason]));
    expect(reasons).toEqual({
      r2: 'truncated',
      r3: 'length',
      r4: 'refusal',
      r5: 'language',
      r10: 'verify',
      r6: 'exact_duplicate',
      r8: 'near_duplicate',
      r9: 'diversity_cap',
      r11: 'judge_score',
    });
    expect(funnel.examples.exact_duplicate?.[0]?.detail).toEqual({ duplicate_of: 'r1' });
    expect(funnel.steps[6]?.report).toEqual({ key: 'template', distinct: 2, before: { a: 3, b: 1 }, after: { a: 2, b: 1 } });
    expect(funnel.examples.judge_score?.[0]?.detail).toMatchObject({ score: 2 });
    expect(renderFunnel(funnel)).toBe('raw 11 → truncated 10 → length 9 → refusal 8 → language 7 → verify 6 → dedup 4 → diversity 3 → judge 2');
  });

  it('keeps the written order with order: as_written', async () => {
    const { order, filters } = await build(`curate: { order: as_written, filters: [refusal, drop_truncated] }`);
    const result = await runCuration(records(), filters, { order });
    expect(result.funnel.steps.map((step) => step.filter)).toEqual(['refusal', 'drop_truncated']);
  });

  it('rejects a filter that loses records', async () => {
    const lossy: Filter = { name: 'lossy', cost: 0, apply: async (input) => ({ kept: input.slice(1), dropped: [] }) };
    await expect(runCuration(records(), [lossy])).rejects.toThrow(/lossy lost 1 record/);
  });

  it('names the offending entry in config errors', async () => {
    await expect(build('curate: [nonsense]')).rejects.toThrow(ConfigError);
    await expect(build('curate: [nonsense]')).rejects.toMatchObject({ key: 'curate.0' });
    await expect(build('curate: [{ length: { output_chars: [1] } }]')).rejects.toMatchObject({ key: 'curate.0.length.output_chars' });
    await expect(build('curate: [{ judge: { model: x } }]')).rejects.toThrow(/endpoint/);
  });

  it('accepts an entry written with no options', async () => {
    const { filters } = await build('curate:\n  - refusal:\n');
    expect(filters.map((filter) => filter.name)).toEqual(['refusal']);
  });
});
