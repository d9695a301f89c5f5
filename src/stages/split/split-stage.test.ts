import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { keptRows, openFixtureRun, type RunFixture } from '../../../test/train/run-fixture.js';
import { DataError } from '../../errors.js';
import { runSplitStage } from './split-stage.js';

const temp = useTempDir();
let fixture: RunFixture | undefined;
afterEach(async () => {
  await fixture?.run.close();
  fixture = undefined;
});

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

const student = { base: 'tiny', trainer: 'local', system: 'Correct the grammar.', user_template: 'Text: {input}', assistant_prefix: '<think>\n\n</think>\n\n' };

describe('runSplitStage', () => {
  it('writes train and validation in messages form with the student prompt and assistant prefix', async () => {
    fixture = openFixtureRun(temp.path(), { split: { validation: 3, seed: 7 }, student }, keptRows(12));
    const figures = await runSplitStage(fixture.run.context, { tokenCounter: null });
    expect(figures).toMatchObject({ rows: 12, train: 9, validation: 3, seed: 7, train_tokens: null });
    const train = lines(join(fixture.dir, 'split', 'train.jsonl'));
    const validation = lines(join(fixture.dir, 'split', 'validation.jsonl'));
    expect(train).toHaveLength(9);
    expect(validation).toHaveLength(3);
    expect(train[0]).toEqual({
      messages: [
        { role: 'system', content: 'Correct the grammar.' },
        { role: 'user', content: expect.stringMatching(/^Text: sentence number \d+$/) },
        { role: 'assistant', content: expect.stringMatching(/^<think>\n\n<\/think>\n\nSENTENCE NUMBER \d+\.$/) },
      ],
    });
    const users = [...train, ...validation].map((row) => (row.messages as { content: string }[])[1]!.content);
    expect(new Set(users).size).toBe(12);
  });

  it('is deterministic for a seed and differs for another', async () => {
    const splitWith = async (seed: number): Promise<string> => {
      const dir = join(temp.path(), `seed-${seed}-${Math.random()}`);
      mkdirSync(dir);
      const run = openFixtureRun(dir, { split: { validation: 4, seed }, student }, keptRows(30));
      await runSplitStage(run.run.context, { tokenCounter: null });
      await run.run.close();
      return readFileSync(join(run.dir, 'split', 'validation.jsonl'), 'utf8');
    };
    const first = await splitWith(1);
    expect(await splitWith(1)).toBe(first);
    expect(await splitWith(2)).not.toBe(first);
  });

  it('exports Alpaca and prompt/completion copies when asked, and writes stats', async () => {
    fixture = openFixtureRun(temp.path(), { split: { validation: 0.25, seed: 1, formats: ['messages', 'alpaca', 'prompt_completion'] }, student }, keptRows(8));
    await runSplitStage(fixture.run.context, { tokenCounter: null });
    const alpaca = lines(join(fixture.dir, 'split', 'train.alpaca.jsonl'));
    expect(alpaca).toHaveLength(6);
    expect(alpaca[0]).toEqual({ instruction: 'Correct the grammar.', input: expect.stringMatching(/^Text: sentence/), output: expect.stringMatching(/^<think>/) });
    const completion = lines(join(fixture.dir, 'split', 'validation.prompt_completion.jsonl'));
    expect(completion).toHaveLength(2);
    expect(completion[0]!.prompt).toMatch(/^Correct the grammar\.\n\nText: sentence number/);
    const stats = JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8'));
    expect(stats).toMatchObject({ rows: 8, seed: 1, train: { count: 6, tokenizer: null }, validation: { count: 2 } });
    expect(stats.train.estimated.count).toBe(6);
    expect(stats.train.estimated.tokens.total).toBeGreaterThan(stats.train.estimated.assistant_tokens.total);
    expect(stats.train.estimated.tokens.p95).toBeGreaterThanOrEqual(stats.train.estimated.tokens.p50);
  });

  it('records real token statistics from a counter, and only warns when counting fails', async () => {
    fixture = openFixtureRun(temp.path(), { split: { validation: 2, seed: 1 }, student }, keptRows(6));
    const real = { count: 4, tokens: { total: 100, mean: 25, p50: 25, p95: 25, max: 25 }, assistant_tokens: { total: 40, mean: 10, p50: 10, p95: 10, max: 10 } };
    const figures = await runSplitStage(fixture.run.context, { tokenCounter: async () => real });
    expect(figures.train_tokens).toBe(100);
    expect(JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8')).train.tokenizer).toEqual(real);

    const failing = await runSplitStage(fixture.run.context, { tokenCounter: async () => Promise.reject(new Error('no tokenizer here')) });
    expect(failing.train_tokens).toBeNull();
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'log', stage: 'split', level: 'warn', message: expect.stringContaining('no tokenizer here') }));
  });

  it('with include_reasoning puts the trace in the target: a reasoning_content field for the local worker, inline <think> for hosted trainers and text exports', async () => {
    const rows = keptRows(6).map((row, index) => ({ ...row, reasoning: index === 0 ? null : `Capitalise sentence ${index}.` }));
    const local = { ...student, assistant_prefix: '' };
    fixture = openFixtureRun(temp.path(), { split: { validation: 2, seed: 1, include_reasoning: true, formats: ['messages', 'alpaca'] }, student: local }, rows);
    await runSplitStage(fixture.run.context, { tokenCounter: null });
    const all = [...lines(join(fixture.dir, 'split', 'train.jsonl')), ...lines(join(fixture.dir, 'split', 'validation.jsonl'))];
    const answers = all.map((row) => (row.messages as Record<string, string>[]).at(-1)!);
    const traced = answers.find((answer) => answer.content === 'SENTENCE NUMBER 3.');
    expect(traced).toEqual({ role: 'assistant', content: 'SENTENCE NUMBER 3.', reasoning_content: 'Capitalise sentence 3.' });
    // A row whose teacher gave no trace trains on the answer alone, counted and warned about.
    expect(answers.find((answer) => answer.content === 'SENTENCE NUMBER 0.')).toEqual({ role: 'assistant', content: 'SENTENCE NUMBER 0.' });
    const stats = JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8'));
    expect(stats.reasoning).toEqual({ placement: 'field', rows_with_trace: 5, rows_without_trace: 1 });
    expect(fixture.events).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('1 of 6 rows have no reasoning trace') }));
    const alpaca = [...lines(join(fixture.dir, 'split', 'train.alpaca.jsonl')), ...lines(join(fixture.dir, 'split', 'validation.alpaca.jsonl'))];
    expect(alpaca.map((row) => row.output)).toContain('<think>\nCapitalise sentence 3.\n</think>\n\nSENTENCE NUMBER 3.');
    await fixture.run.close();

    mkdirSync(join(temp.path(), 'hosted'));
    fixture = openFixtureRun(join(temp.path(), 'hosted'), { endpoints: { hosted: { base_url: 'http://127.0.0.1:1/v1' } }, split: { validation: 2, seed: 1, include_reasoning: true }, student: { ...local, trainer: 'hosted', endpoint: 'hosted' } }, rows);
    await runSplitStage(fixture.run.context, { tokenCounter: null });
    const hosted = [...lines(join(fixture.dir, 'split', 'train.jsonl')), ...lines(join(fixture.dir, 'split', 'validation.jsonl'))];
    expect(hosted.map((row) => (row.messages as Record<string, string>[]).at(-1))).toContainEqual({ role: 'assistant', content: '<think>\nCapitalise sentence 3.\n</think>\n\nSENTENCE NUMBER 3.' });
  });

  it('without include_reasoning drops the trace, as before', async () => {
    const rows = keptRows(4).map((row) => ({ ...row, reasoning: 'some thoughts' }));
    fixture = openFixtureRun(temp.path(), { split: { validation: 1, seed: 1 }, student }, rows);
    await runSplitStage(fixture.run.context, { tokenCounter: null });
    const text = readFileSync(join(fixture.dir, 'split', 'train.jsonl'), 'utf8');
    expect(text).not.toContain('some thoughts');
    expect(JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8')).reasoning).toBeUndefined();
  });

  it('fails clearly without kept.jsonl, with too few rows, or with a malformed row', async () => {
    fixture = openFixtureRun(temp.path(), { split: { validation: 5, seed: 1 }, student }, keptRows(5));
    await expect(runSplitStage(fixture.run.context, { tokenCounter: null })).rejects.toThrow(/too few for a validation set of 5/);
    rmSync(join(fixture.dir, 'curate', 'kept.jsonl'));
    await expect(runSplitStage(fixture.run.context, { tokenCounter: null })).rejects.toThrow(DataError);
    await expect(runSplitStage(fixture.run.context, { tokenCounter: null })).rejects.toThrow(/run the curate stage first/);
    expect(existsSync(join(fixture.dir, 'split', 'train.jsonl'))).toBe(false);
    writeFileSync(join(fixture.dir, 'curate', 'kept.jsonl'), '{"id": "a", "input": "x", "output": "y"}\n{"id": "b", "input": "x"}\n');
    await expect(runSplitStage(fixture.run.context, { tokenCounter: null })).rejects.toThrow(/kept\.jsonl:2: not a kept row: output/);
  });
});
