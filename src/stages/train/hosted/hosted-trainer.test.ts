import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../../../../test/fake-provider/index.js';
import { schemaProblems } from '../../../../test/fake-provider/openapi/document-schemas.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { openFixtureRun, type RunFixture } from '../../../../test/train/run-fixture.js';
import { runSplitStage } from '../../split/split-stage.js';
import { runTrainStage } from '../train-stage.js';
import type { TrainingMetrics } from '../training-metrics.js';
import { FineTuningJobError } from '../training-errors.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
const fixtures: RunFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.run.close();
  await provider?.close();
  provider = undefined;
});

async function setUp(flavor: 'openai' | 'nebius' | 'together', student: Record<string, unknown>, options: FakeProviderOptions = {}, signal?: AbortSignal): Promise<RunFixture> {
  provider ??= await startFakeProvider({ fineTuningFlavor: flavor === 'together' ? 'openai' : flavor, ...options });
  const fixture = openFixtureRun(
    temp.path(),
    {
      endpoints: { tuner: { base_url: provider.url, flavor } },
      prices: { 'base-model': { input: 0, output: 0, training: 8 } },
      split: { validation: 4, seed: 3 },
      student: { base: 'base-model', trainer: 'hosted', endpoint: 'tuner', poll_interval: 0.005, system: 'Shout.', ...student },
    },
    undefined,
    { signal },
  );
  fixtures.push(fixture);
  await runSplitStage(fixture.run.context, { tokenCounter: null });
  return fixture;
}

const metricsOf = (fixture: RunFixture): TrainingMetrics => JSON.parse(readFileSync(join(fixture.dir, 'train', 'metrics.json'), 'utf8')) as TrainingMetrics;
const posts = (path: string) => provider!.state.requests.filter((request) => request.method === 'POST' && request.path === path);

describe('HostedTrainer, OpenAI flavour', () => {
  it('uploads both files, creates the job with hyperparameters as given, chooses the best checkpoint and prices it', async () => {
    const fixture = await setUp('openai', { checkpoint: 'best_valid_loss', suffix: 'shouty', hyperparameters: { epochs: 3, batch_size: 2, learning_rate_multiplier: 0.5, max_length: 512, lora_r: 8 } });
    const figures = await runTrainStage(fixture.run.context);

    const uploads = posts('/v1/files').map((request) => request.body);
    expect(uploads).toEqual([expect.objectContaining({ purpose: 'fine-tune', filename: 'train.jsonl' }), expect.objectContaining({ purpose: 'fine-tune', filename: 'validation.jsonl' })]);
    const [created] = posts('/v1/fine_tuning/jobs');
    // OpenAI's supervised method, with only the three hyperparameters it takes.
    expect(created!.body).toEqual({
      model: 'base-model',
      training_file: expect.any(String),
      validation_file: expect.any(String),
      seed: 3,
      suffix: 'shouty',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 2, learning_rate_multiplier: 0.5 } } },
    });
    expect(schemaProblems('openai', 'CreateFineTuningJobRequest', created!.body, { strictRequest: true })).toEqual([]);

    const metrics = metricsOf(fixture);
    const job = [...provider!.state.fineTuningJobs.values()][0]!.object;
    expect(metrics).toMatchObject({ trainer: 'hosted', provider: 'openai', job_id: job.id, status: 'succeeded', checkpoint_rule: 'best_valid_loss' });
    // 8 training rows, batch 2: 4 steps an epoch; the fake's full_valid_loss is lowest at epoch 2 of 3 (its
    // one-batch valid_loss is lowest at epoch 3: choosing by that would take step 12).
    expect(metrics.epochs.map((epoch) => [epoch.epoch, epoch.step])).toEqual([[1, 4], [2, 8], [3, 12]]);
    expect(metrics.epochs.every((epoch) => typeof epoch.valid_loss === 'number' && typeof epoch.train_loss === 'number')).toBe(true);
    expect(metrics.checkpoints.map((checkpoint) => checkpoint.step)).toEqual([4, 8, 12]);
    expect(metrics.chosen_checkpoint).toMatchObject({ step: 8, epoch: 2 });
    expect(metrics.served_model).toBe(`${job.fine_tuned_model as string}:ckpt-step-8`);
    expect(metrics.trained_tokens).toBe(job.trained_tokens);
    expect(metrics.cost).toBeCloseTo(((job.trained_tokens as number) * 8) / 1_000_000, 10);
    expect(figures).toMatchObject({ trainer: 'hosted', chosen_step: 8, served_model: metrics.served_model, cost: metrics.cost, epochs: 3 });
    expect(fixture.run.context.state.ledger()).toEqual([expect.objectContaining({ stage: 'train', purpose: 'training', model: 'base-model', promptTokens: job.trained_tokens, cost: metrics.cost })]);
    expect(fixture.run.context.state.job('train')?.jobId).toBe(job.id);
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'training-step', stage: 'train', step: 8, epoch: 2 }));
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: 'student.hyperparameters lora_r, max_length: not taken by openai fine-tuning, not sent' }));
    const jobFile = JSON.parse(readFileSync(join(fixture.dir, 'train', 'job.json'), 'utf8'));
    expect(jobFile).toMatchObject({ trainer: 'hosted', flavor: 'openai', job_id: job.id, request: { model: 'base-model' } });
    const events = readFileSync(join(fixture.dir, 'train', 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(events.filter((event) => event.kind === 'eval')).toHaveLength(3);
    expect(events.some((event) => event.kind === 'status' && event.status === 'succeeded')).toBe(true);
  });

  it('refuses fractional or too many epochs, and too large a batch, before uploading anything', async () => {
    const fixture = await setUp('openai', { hyperparameters: { epochs: 2.5 } });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/student\.hyperparameters\.epochs: openai takes a whole number, not 2\.5/);
    for (const [hyperparameters, message] of [
      [{ n_epochs: 51 }, /student\.hyperparameters\.n_epochs: OpenAI takes at most 50, not 51/],
      [{ batch_size: 512 }, /student\.hyperparameters\.batch_size: OpenAI takes at most 256, not 512/],
    ] as const) {
      const again = await setUp('openai', { hyperparameters });
      await expect(runTrainStage(again.run.context)).rejects.toThrow(message);
    }
    expect(provider!.state.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('takes the last checkpoint and the job model with checkpoint: last', async () => {
    const fixture = await setUp('openai', { checkpoint: 'last', hyperparameters: { n_epochs: 2, batch_size: 4 } });
    await runTrainStage(fixture.run.context);
    const metrics = metricsOf(fixture);
    const job = [...provider!.state.fineTuningJobs.values()][0]!.object;
    expect(metrics.chosen_checkpoint?.step).toBe(4);
    expect(metrics.served_model).toBe(job.fine_tuned_model);
    // Running the stage again re-attaches to the finished job: no new job, no second ledger entry.
    await runTrainStage(fixture.run.context);
    expect(posts('/v1/fine_tuning/jobs')).toHaveLength(1);
    expect(fixture.run.context.state.ledger()).toEqual([expect.objectContaining({ requests: 1 })]);
    expect(metricsOf(fixture)).toMatchObject({ served_model: job.fine_tuned_model, chosen_checkpoint: { step: 4 } });
    expect(metricsOf(fixture).epochs).toEqual([expect.objectContaining({ epoch: 1, valid_loss: expect.any(Number) }), expect.objectContaining({ epoch: 2, valid_loss: expect.any(Number) })]);
  });

  it('keeps per-epoch losses from the metric events when the provider keeps only the last checkpoints', async () => {
    const fixture = await setUp('openai', { checkpoint: 'best_valid_loss', hyperparameters: { epochs: 5, batch_size: 4 } }, { fineTuning: { keepLastCheckpoints: 3 } });
    await runTrainStage(fixture.run.context);
    const metrics = metricsOf(fixture);
    expect(metrics.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(metrics.epochs.every((epoch) => typeof epoch.valid_loss === 'number')).toBe(true);
    expect(metrics.checkpoints.map((checkpoint) => checkpoint.step)).toEqual([6, 8, 10]);
    // The fake's valid loss is lowest at epoch 4 (step 8), which is among the kept checkpoints.
    expect(metrics.chosen_checkpoint).toMatchObject({ step: 8, epoch: 4 });
  });

  it('re-attaches to the stored job after an interruption instead of paying twice', async () => {
    const controller = new AbortController();
    const first = await setUp('openai', { hyperparameters: { epochs: 2, batch_size: 4 } }, { fineTuning: { pollsPerStatus: 3 } }, controller.signal);
    const stopAfterCreate = setInterval(() => {
      if (posts('/v1/fine_tuning/jobs').length > 0) controller.abort(new Error('interrupted'));
    }, 1);
    await expect(runTrainStage(first.run.context)).rejects.toThrow(/keeps running at the provider/);
    clearInterval(stopAfterCreate);
    const jobId = first.run.context.state.job('train')?.jobId;
    expect(jobId).toMatch(/^ftjob-/);
    await first.run.close();
    fixtures.splice(0);

    const second = openFixtureRun(temp.path(), JSON.parse(JSON.stringify({ endpoints: { tuner: { base_url: provider!.url, flavor: 'openai' } }, prices: {}, split: { validation: 4, seed: 3 }, student: { base: 'base-model', trainer: 'hosted', endpoint: 'tuner', poll_interval: 0.005, system: 'Shout.', hyperparameters: { epochs: 2, batch_size: 4 } } })));
    fixtures.push(second);
    const figures = await runTrainStage(second.run.context);
    expect(figures.job_id).toBe(jobId);
    expect(posts('/v1/fine_tuning/jobs')).toHaveLength(1);
    expect(posts('/v1/files')).toHaveLength(2);
    expect(second.events).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining(`re-attaching to fine-tuning job ${jobId}`) }));
    expect(second.run.context.state.ledger()).toHaveLength(1);
    const resumedEvents = readFileSync(join(second.dir, 'train', 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(resumedEvents.filter((event) => event.kind === 'message' && event.message.startsWith('created fine-tuning job'))).toHaveLength(1);
    expect(resumedEvents.filter((event) => event.kind === 'eval').map((event) => event.step)).toEqual([2, 4]);

    // A fresh start (--fresh) creates a second job on purpose.
    await runTrainStage(second.run.context, { fresh: true });
    expect(posts('/v1/fine_tuning/jobs')).toHaveLength(2);
  });

  it.each([
    ['openai', '/v1/fine_tuning/jobs'],
    ['together', '/v1/fine-tunes'],
  ] as const)('%s: a create whose answer was lost (the job may exist) is found again by its training file on the next run, not paid twice', async (flavor, path) => {
    const fixture = await setUp(flavor, { hyperparameters: { epochs: 1 } });
    // The provider makes the job, then the connection drops mid-answer: the client cannot know it exists.
    provider!.setBehaviour({ faults: [{ match: { nth: 1 }, kind: 'drop-mid-response', endpoint: path }] });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/connection|broke|failed/);
    const jobs = () => (flavor === 'openai' ? provider!.state.fineTuningJobs : provider!.state.togetherJobs);
    expect(jobs().size).toBe(1);
    provider!.setBehaviour({ faults: [] });
    const figures = await runTrainStage(fixture.run.context);
    expect(posts(path)).toHaveLength(1);
    expect(jobs().size).toBe(1);
    expect(figures.job_id).toBe([...jobs().keys()][0]);
    expect(posts('/v1/files').length + posts('/v1/files/upload').length).toBe(2);
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining('found at the provider') }));
  });

  it('turns a failed job into an error with the provider message, and a later run starts a new job', async () => {
    const fixture = await setUp('openai', { hyperparameters: { epochs: 1 } }, { fineTuning: { outcome: 'failed' } });
    const failure = runTrainStage(fixture.run.context);
    await expect(failure).rejects.toThrow(FineTuningJobError);
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/fine-tuning job ftjob-\S+ failed: The job failed \(configured failure\)\./);
    provider!.setBehaviour({ fineTuning: { outcome: 'succeeded' } });
    await runTrainStage(fixture.run.context);
    expect(posts('/v1/fine_tuning/jobs')).toHaveLength(3);
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('starting a new one') }));
  });
});

describe('HostedTrainer, a job cancelled at the provider', () => {
  it('stops with an error that says so', async () => {
    const fixture = await setUp('openai', { hyperparameters: { epochs: 1 } }, { fineTuning: { pollsPerStatus: 4 } });
    const cancelWhenCreated = setInterval(() => {
      const job = [...provider!.state.fineTuningJobs.values()][0];
      if (job === undefined) return;
      clearInterval(cancelWhenCreated);
      void fetch(`${provider!.url}/fine_tuning/jobs/${job.object.id}/cancel`, { method: 'POST' });
    }, 1);
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/fine-tuning job ftjob-\S+ cancelled: the provider gave no reason/);
    clearInterval(cancelWhenCreated);
    expect(fixture.run.context.state.ledger()).toEqual([]);
  });
});

describe('HostedTrainer, Nebius flavour', () => {
  it('downloads the chosen checkpoint adapter and makes it callable through /v0/models', async () => {
    const fixture = await setUp('nebius', { checkpoint: 'best_valid_loss', deploy_base: 'base-model-served', hyperparameters: { epochs: 3, batch_size: 4, lora_r: 8, max_length: 2048 } }, { fineTuning: { pollsPerStatus: 2 }, models: ['base-model-served'] });
    await runTrainStage(fixture.run.context);
    const [created] = posts('/v1/fine_tuning/jobs');
    expect(created!.body).toMatchObject({ hyperparameters: { n_epochs: 3, batch_size: 4, lora_r: 8, lora: true, context_length: 2048 } });
    const metrics = metricsOf(fixture);
    const record = [...provider!.state.fineTuningJobs.values()][0]!;
    const best = record.checkpoints.find((checkpoint) => checkpoint.step_number === 4)!;
    expect(metrics.chosen_checkpoint).toMatchObject({ id: best.id, step: 4, epoch: 2 });
    expect(readdirSync(join(fixture.dir, 'train', 'adapter')).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    expect(metrics.adapter_dir).toBe(join(fixture.dir, 'train', 'adapter'));
    const [deploy] = posts('/v0/models');
    expect(deploy!.body).toEqual({ name: 'grammar-checker', base_model: 'base-model-served', source: `${record.object.id}:${best.id}` });
    expect(metrics.served_model).toMatch(/^base-model-served-LoRa:grammar-checker-[a-z0-9]{4}$/);
    expect(provider!.state.customModels.get(metrics.served_model!)?.object.status).toBe('active');
    expect(provider!.state.servedModels.has(metrics.served_model!)).toBe(true);
  });
});

describe('HostedTrainer, Nebius deployment interrupted', () => {
  it('a run stopped while the custom model deploys polls that model on the next run instead of deploying a second one', async () => {
    const controller = new AbortController();
    const first = await setUp('nebius', { hyperparameters: { epochs: 1 } }, { fineTuning: { pollsPerStatus: 3 }, models: ['base-model'] }, controller.signal);
    const stopAfterDeploy = setInterval(() => {
      if (posts('/v0/models').length > 0) controller.abort(new Error('interrupted'));
    }, 1);
    await expect(runTrainStage(first.run.context)).rejects.toThrow();
    clearInterval(stopAfterDeploy);
    expect(posts('/v0/models')).toHaveLength(1);
    await first.run.close();
    fixtures.splice(0);

    const second = openFixtureRun(temp.path(), { endpoints: { tuner: { base_url: provider!.url, flavor: 'nebius' } }, prices: { 'base-model': { input: 0, output: 0, training: 8 } }, split: { validation: 4, seed: 3 }, student: { base: 'base-model', trainer: 'hosted', endpoint: 'tuner', poll_interval: 0.005, system: 'Shout.', hyperparameters: { epochs: 1 } } });
    fixtures.push(second);
    await runTrainStage(second.run.context);
    expect(posts('/v1/fine_tuning/jobs')).toHaveLength(1);
    expect(posts('/v0/models')).toHaveLength(1);
    expect(provider!.state.customModels.size).toBe(1);
    expect(metricsOf(second).served_model).toBe([...provider!.state.customModels.keys()][0]);
  });
});

describe('HostedTrainer, Nebius deployment problems', () => {
  it('fails before training when the base has no inference id the endpoint serves', async () => {
    const fixture = await setUp('nebius', { hyperparameters: { epochs: 1 } }, { models: ['meta-llama/Llama-3.1-8B-Instruct'] });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/student\.deploy_base: the endpoint serves no model 'base-model'/);
    expect(provider!.state.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('polls /v0/models/{vendor}/{name} with the slash as is and reports status_reason when deployment fails', async () => {
    const fixture = await setUp('nebius', { deploy_base: 'vendor/served-base', hyperparameters: { epochs: 1 } }, { models: ['vendor/served-base'], fineTuning: { deployOutcome: 'error' } });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/model vendor\/served-base-LoRa:grammar-checker-\w{4} is error: Adapter rank exceeds the maximum/);
    const polls = provider!.state.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/v0/models/'));
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((request) => request.path.startsWith('/v0/models/vendor/served-base-LoRa'))).toBe(true);
  });
});

describe('HostedTrainer, Together flavour', () => {
  it('creates a LoRA job in training_type with random_seed and reads losses from /metrics', async () => {
    const fixture = await setUp('together', { checkpoint: 'best_valid_loss', hyperparameters: { epochs: 3, batch_size: 4, lora_r: 16, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj'], n_checkpoints: 3, max_length: 512 } });
    await runTrainStage(fixture.run.context);
    const [created] = posts('/v1/fine-tunes');
    expect(created!.body).toEqual({
      model: 'base-model',
      training_file: expect.any(String),
      validation_file: expect.any(String),
      n_epochs: 3,
      n_evals: 3,
      n_checkpoints: 3,
      batch_size: 4,
      max_seq_length: 512,
      random_seed: 3,
      training_type: { type: 'Lora', lora_r: 16, lora_alpha: 32, lora_dropout: 0.1, lora_trainable_modules: 'q_proj,v_proj' },
    });
    expect(schemaProblems('together', 'CreateFineTuneRequest', created!.body, { strictRequest: true })).toEqual([]);
    expect(provider!.state.requests.some((request) => request.path.endsWith('/metrics'))).toBe(true);
    const job = [...provider!.state.togetherJobs.values()][0]!.object;
    expect(job.status).toBe('completed');
    const metrics = metricsOf(fixture);
    expect(metrics).toMatchObject({ provider: 'together', job_id: job.id, trained_tokens: job.token_count, served_model: job.model_output_name });
    expect(metrics.epochs.map((epoch) => epoch.valid_loss)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(metrics.chosen_checkpoint).toMatchObject({ step: 4, epoch: 2 });
    expect(fixture.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('serves only the final model') }));
    expect(fixture.events).not.toContainEqual(expect.objectContaining({ message: expect.stringContaining('n_checkpoints') }));
  });

  it('trains a full model when method is full (LoRA settings reported, not sent) and says it needs a dedicated endpoint', async () => {
    const fixture = await setUp('together', { method: 'full', checkpoint: 'best_valid_loss', hyperparameters: { epochs: 2, batch_size: 4, lora_r: 16 } });
    await runTrainStage(fixture.run.context);
    const [created] = posts('/v1/fine-tunes');
    expect(created!.body).toMatchObject({ training_type: { type: 'Full' } });
    expect(created!.body).not.toHaveProperty('lora_r');
    const job = [...provider!.state.togetherJobs.values()][0]!.object;
    expect(job.training_type).toEqual({ type: 'Full' });
    const warnings = fixture.events.filter((event) => event.type === 'log' && event.level === 'warn').map((event) => (event as { message: string }).message);
    expect(warnings).toContain('student.hyperparameters lora_r: not taken by together fine-tuning, not sent');
    expect(warnings).toContainEqual(expect.stringContaining('set student.hyperparameters.n_checkpoints above 1'));
    expect(warnings).toContainEqual(expect.stringContaining('only from a dedicated endpoint'));
    // One checkpoint (the final one) is all there is to choose from.
    expect(metricsOf(fixture).checkpoints).toHaveLength(1);
  });

  it('refuses qlora before uploading', async () => {
    const fixture = await setUp('together', { method: 'qlora' });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/student\.method: Together trains lora or full, not qlora/);
    expect(posts('/v1/files/upload')).toEqual([]);
    expect(posts('/v1/files')).toEqual([]);
  });

  it('reports a failed Together job with its error event', async () => {
    const fixture = await setUp('together', { hyperparameters: { epochs: 1 } }, { fineTuning: { outcome: 'failed' } });
    await expect(runTrainStage(fixture.run.context)).rejects.toThrow(/fine-tuning job ft-\S+ error: Job failed \(configured failure\)\./);
    expect(existsSync(join(fixture.dir, 'train', 'adapter'))).toBe(false);
  });
});
