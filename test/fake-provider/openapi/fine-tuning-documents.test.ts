import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../server.js';
import { json, jsonl, pollStatuses, postJson, uploadFile } from '../test-helpers.js';
import { documentFixture, schemaProblems } from './document-schemas.js';

/**
 * The fake's fine-tuning shapes against the providers' published OpenAPI documents (fixtures extracted by
 * extract-schemas.ts; source file and commit inside each fixture). Every response of a whole job's life is
 * checked, so a field the fake adds in the wrong type, or a required one it leaves out, fails here.
 */
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const examples = Array.from({ length: 6 }, (_, index) => ({ messages: [{ role: 'user', content: `q ${index}` }, { role: 'assistant', content: `a ${index}` }] }));
const finished = (job: Record<string, unknown>) => ['succeeded', 'failed', 'cancelled', 'completed', 'error'].includes(job.status as string);

async function files(): Promise<{ training: string; validation: string }> {
  provider = await startFakeProvider({});
  const training = await uploadFile(provider.url, jsonl(examples), 'fine-tune', 'train.jsonl');
  const validation = await uploadFile(provider.url, jsonl(examples.slice(0, 2)), 'fine-tune', 'valid.jsonl');
  return { training: training.id, validation: validation.id };
}

describe('the fixtures', () => {
  it('name their source document and commit', () => {
    expect(documentFixture('openai').source).toMatchObject({ repository: 'github.com/openai/openai-openapi', file: 'openapi.yaml', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(documentFixture('together').source).toMatchObject({ repository: 'github.com/togethercomputer/openapi', file: 'openapi.yaml', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it('catch a wrong shape (the check can fail)', () => {
    expect(schemaProblems('openai', 'FineTuningJob', { id: 'x', status: 'done' })).toContainEqual(expect.stringContaining('must have required property'));
    expect(schemaProblems('together', 'FineTuneCheckpoint', { step: '3', path: 'p', created_at: 'now', checkpoint_type: 'Final' })).toEqual(['/step must be integer']);
  });
});

describe('OpenAI fine-tuning (openai/openai-openapi: CreateFineTuningJobRequest, FineTuningJob, list events, list checkpoints)', () => {
  it('every job, event and checkpoint the fake answers conforms', async () => {
    const { training, validation } = await files();
    const request = { model: 'gpt-base', training_file: training, validation_file: validation, seed: 1, suffix: 'x', method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2, batch_size: 2 } } } };
    expect(schemaProblems('openai', 'CreateFineTuningJobRequest', request, { strictRequest: true })).toEqual([]);
    const created = await json(postJson(`${provider!.url}/fine_tuning/jobs`, request));
    expect(schemaProblems('openai', 'FineTuningJob', created)).toEqual([]);
    const { last } = await pollStatuses(`${provider!.url}/fine_tuning/jobs/${created.id}`, finished);
    expect(last.status).toBe('succeeded');
    expect(schemaProblems('openai', 'FineTuningJob', last)).toEqual([]);
    const events = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/events?limit=100`));
    expect(schemaProblems('openai', 'ListFineTuningJobEventsResponse', events)).toEqual([]);
    const checkpoints = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/checkpoints`));
    expect(checkpoints.data.length).toBe(2);
    expect(schemaProblems('openai', 'ListFineTuningJobCheckpointsResponse', checkpoints)).toEqual([]);

    provider!.setBehaviour({ fineTuning: { outcome: 'failed' } });
    const failing = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'gpt-base', training_file: training }));
    const failed = (await pollStatuses(`${provider!.url}/fine_tuning/jobs/${failing.id}`, finished)).last;
    expect(failed.status).toBe('failed');
    expect(schemaProblems('openai', 'FineTuningJob', failed)).toEqual([]);
  });
});

describe('Together fine-tuning (togethercomputer/openapi: POST /fine-tunes body, FinetuneResponse, FinetuneListEvents, FinetuneListCheckpoints, GET /fine-tunes/{id}/metrics)', () => {
  it('every job, event list, checkpoint list and metrics answer the fake gives conforms', async () => {
    const { training, validation } = await files();
    const request = { model: 'm', training_file: training, validation_file: validation, n_epochs: 2, n_checkpoints: 2, n_evals: 2, batch_size: 2, random_seed: 4, training_type: { type: 'Lora', lora_r: 8, lora_alpha: 16, lora_dropout: 0.05, lora_trainable_modules: 'all-linear' } };
    expect(schemaProblems('together', 'CreateFineTuneRequest', request, { strictRequest: true })).toEqual([]);
    const created = await json(postJson(`${provider!.url}/fine-tunes`, request));
    expect(schemaProblems('together', 'FinetuneResponseTruncated', created)).toEqual([]);
    const { last } = await pollStatuses(`${provider!.url}/fine-tunes/${created.id}`, finished);
    expect(last.status).toBe('completed');
    // `id` is `format: uuid` in FinetuneResponse while every example (and the description) says `ft-…`: formats are not checked.
    expect(schemaProblems('together', 'FinetuneResponse', last)).toEqual([]);
    const events = await json(fetch(`${provider!.url}/fine-tunes/${created.id}/events`));
    expect(schemaProblems('together', 'FinetuneListEvents', events)).toEqual([]);
    const checkpoints = await json(fetch(`${provider!.url}/fine-tunes/${created.id}/checkpoints`));
    expect(checkpoints.data.length).toBe(2);
    expect(schemaProblems('together', 'FinetuneListCheckpoints', checkpoints)).toEqual([]);
    const metrics = await json(fetch(`${provider!.url}/fine-tunes/${created.id}/metrics`));
    expect(metrics.metrics.length).toBeGreaterThan(0);
    expect(schemaProblems('together', 'FineTuneMetricsResponse', metrics)).toEqual([]);

    const full = await json(postJson(`${provider!.url}/fine-tunes`, { model: 'm', training_file: training, training_type: { type: 'Full' } }));
    expect(schemaProblems('together', 'FinetuneResponseTruncated', full)).toEqual([]);
  });
});
