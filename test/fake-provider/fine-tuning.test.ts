import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from './server.js';
import { json, jsonl, pollStatuses, postJson, uploadFile } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const examples = Array.from({ length: 10 }, (_, index) => ({
  messages: [
    { role: 'user', content: `question number ${index}` },
    { role: 'assistant', content: `answer ${index}` },
  ],
}));
const tokensPerEpoch = examples.length * 5;

async function start(options: FakeProviderOptions = {}): Promise<{ training: string; validation: string }> {
  provider = await startFakeProvider(options);
  const training = await uploadFile(provider.url, jsonl(examples), 'fine-tune', 'train.jsonl');
  const validation = await uploadFile(provider.url, jsonl(examples.slice(0, 3)), 'fine-tune', 'valid.jsonl');
  return { training: training.id, validation: validation.id };
}

const finished = (job: Record<string, any>) => ['succeeded', 'failed', 'cancelled', 'completed', 'error'].includes(job.status);

async function chatWith(model: string): Promise<Response> {
  return postJson(`${provider!.url}/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });
}

describe('fine-tuning, OpenAI flavour', () => {
  it('walks validating_files → queued → running → succeeded with checkpoints, events and a served model', async () => {
    const files = await start({ models: ['gpt-base'] });
    const created = await json(
      postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'gpt-base', training_file: files.training, validation_file: files.validation, suffix: 'distilled', seed: 7, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 2 } } } }),
    );
    expect(created.method).toEqual({ type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 2, learning_rate_multiplier: 'auto' } } });
    expect(created).toMatchObject({ object: 'fine_tuning.job', status: 'validating_files', model: 'gpt-base', fine_tuned_model: null, training_file: files.training, validation_file: files.validation, seed: 7, suffix: 'distilled', hyperparameters: { n_epochs: 3, batch_size: 2, learning_rate_multiplier: 'auto' }, trained_tokens: null, error: null, result_files: [] });
    expect(created.id).toMatch(/^ftjob-/);
    const { statuses, last } = await pollStatuses(`${provider!.url}/fine_tuning/jobs/${created.id}`, finished);
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
    expect(last.fine_tuned_model).toBe(`ft:gpt-base:fake-org:distilled:${created.id.slice(-8)}`);
    expect(last.trained_tokens).toBe(tokensPerEpoch * 3);
    expect(last.hyperparameters.learning_rate_multiplier).toBe(1.8);
    expect(last.finished_at).toEqual(expect.any(Number));
    expect(last.result_files).toHaveLength(1);

    const checkpoints = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/checkpoints`));
    expect(checkpoints).toMatchObject({ object: 'list', has_more: false });
    expect(checkpoints.data.map((checkpoint: { step_number: number }) => checkpoint.step_number)).toEqual([15, 10, 5]);
    const [lastCheckpoint, middle, firstCheckpoint] = checkpoints.data;
    expect(lastCheckpoint).toMatchObject({ object: 'fine_tuning.job.checkpoint', fine_tuning_job_id: created.id, fine_tuned_model_checkpoint: `${last.fine_tuned_model}:ckpt-step-15`, metrics: { step: 15 } });
    expect(lastCheckpoint.id).toMatch(/^ftckpt_/);
    expect(firstCheckpoint.metrics.train_loss).toBeGreaterThan(middle.metrics.train_loss);
    expect(middle.metrics.train_loss).toBeGreaterThan(lastCheckpoint.metrics.train_loss);
    // The whole-file loss is lowest in the middle; the one-batch loss is noisy (lowest at the end here).
    expect(middle.metrics.full_valid_loss).toBeLessThan(firstCheckpoint.metrics.full_valid_loss);
    expect(middle.metrics.full_valid_loss).toBeLessThan(lastCheckpoint.metrics.full_valid_loss);
    expect(lastCheckpoint.metrics.valid_loss).toBeLessThan(middle.metrics.valid_loss);
    expect((await chatWith(lastCheckpoint.fine_tuned_model_checkpoint)).status).toBe(200);
    expect((await chatWith(last.fine_tuned_model)).status).toBe(200);
    expect((await chatWith('ft:gpt-base:other')).status).toBe(404);

    const events = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/events?limit=3`));
    expect(events).toMatchObject({ object: 'list', has_more: true });
    expect(events.data[0]).toMatchObject({ object: 'fine_tuning.job.event', level: 'info', message: 'The job has successfully completed', type: 'message' });
    const all = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/events?limit=100`));
    const metrics = all.data.filter((event: { type: string }) => event.type === 'metrics');
    expect(metrics).toHaveLength(3);
    expect(metrics[0].data).toMatchObject({ step: 15, train_loss: lastCheckpoint.metrics.train_loss, valid_loss: lastCheckpoint.metrics.valid_loss });
    const after = await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/events?after=${events.data[2].id}&limit=1`));
    expect(after.data[0].id).toBe(all.data[3].id);

    const csv = await (await fetch(`${provider!.url}/files/${last.result_files[0]}/content`)).text();
    expect(csv.split('\n')[0]).toBe('step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy');
    const list = await json(fetch(`${provider!.url}/fine_tuning/jobs`));
    expect(list.data[0].id).toBe(created.id);
  });

  it('takes a configured loss curve and fails when configured', async () => {
    const files = await start({ fineTuning: { outcome: 'failed' } });
    const job = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training }));
    const { statuses, last } = await pollStatuses(`${provider!.url}/fine_tuning/jobs/${job.id}`, finished);
    expect(statuses).toEqual(['queued', 'running', 'failed']);
    expect(last.error).toMatchObject({ code: 'server_error', message: expect.any(String) });
    expect(last.fine_tuned_model).toBeNull();

    provider!.setBehaviour({ fineTuning: { outcome: 'succeeded', losses: (epoch) => ({ train_loss: 1 / epoch, valid_loss: 2 / epoch }) } });
    const second = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training, hyperparameters: { n_epochs: 2 } }));
    await pollStatuses(`${provider!.url}/fine_tuning/jobs/${second.id}`, finished);
    const checkpoints = await json(fetch(`${provider!.url}/fine_tuning/jobs/${second.id}/checkpoints`));
    expect(checkpoints.data.map((checkpoint: { metrics: { full_valid_loss: number } }) => checkpoint.metrics.full_valid_loss)).toEqual([1, 2]);

    provider!.setBehaviour({ fineTuning: { keepLastCheckpoints: 3 } });
    const long = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training, hyperparameters: { n_epochs: 5 } }));
    await pollStatuses(`${provider!.url}/fine_tuning/jobs/${long.id}`, finished);
    const kept = await json(fetch(`${provider!.url}/fine_tuning/jobs/${long.id}/checkpoints`));
    expect(kept.data.map((checkpoint: { step_number: number }) => checkpoint.step_number)).toEqual([50, 40, 30]);
  });

  it('fails while validating a training file that is not JSONL of messages, and 400s on a missing file', async () => {
    const files = await start();
    const bad = await uploadFile(provider!.url, '{"prompt": "x"}\n', 'fine-tune');
    const job = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: bad.id }));
    const { statuses, last } = await pollStatuses(`${provider!.url}/fine_tuning/jobs/${job.id}`, finished);
    expect(statuses).toEqual(['failed']);
    expect(last.error).toMatchObject({ code: 'invalid_training_file', param: 'training_file' });
    const missing = await postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: 'file-missing' });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.param).toBe('training_file');
    const wrongPurpose = await uploadFile(provider!.url, jsonl(examples), 'batch');
    expect((await postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: wrongPurpose.id, validation_file: files.validation })).status).toBe(400);
  });

  it('refuses a request its OpenAPI document does not allow: unknown fields, fractional epochs', async () => {
    const files = await start();
    const unknown = await postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training, lora_r: 8 });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.message).toContain("must NOT have additional properties 'lora_r'");
    const fractional = await postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2.5 } } } });
    expect(fractional.status).toBe(400);
    expect((await json(fractional)).error.message).toContain('/method/supervised/hyperparameters/n_epochs');
    expect(provider!.state.fineTuningJobs.size).toBe(0);
  });

  it('cancels a running job', async () => {
    const files = await start();
    const job = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'm', training_file: files.training }));
    const cancelled = await json(fetch(`${provider!.url}/fine_tuning/jobs/${job.id}/cancel`, { method: 'POST' }));
    expect(cancelled.status).toBe('cancelled');
    expect((await json(fetch(`${provider!.url}/fine_tuning/jobs/${job.id}`))).status).toBe('cancelled');
    expect((await fetch(`${provider!.url}/fine_tuning/jobs/${job.id}/cancel`, { method: 'POST' })).status).toBe(400);
  });
});

function parseSafetensors(bytes: Buffer): { header: Record<string, any>; dataLength: number } {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  return { header, dataLength: bytes.length - 8 - headerLength };
}

describe('fine-tuning, Nebius flavour', () => {
  it('gives checkpoints adapter result files and deploys a checkpoint through /v0/models', async () => {
    // Fine-tuning id `meta-llama/Meta-Llama-3.1-8B-Instruct`; the served (inference) id `meta-llama/Llama-3.1-8B-Instruct`.
    const files = await start({ fineTuningFlavor: 'nebius', models: ['meta-llama/Llama-3.1-8B-Instruct'] });
    const created = await json(postJson(`${provider!.url}/fine_tuning/jobs`, { model: 'meta-llama/Meta-Llama-3.1-8B-Instruct', training_file: files.training, hyperparameters: { n_epochs: 2, lora: true, lora_r: 16 } }));
    expect(created).not.toHaveProperty('fine_tuned_model');
    expect(created.hyperparameters).toMatchObject({ batch_size: 8, learning_rate: 0.00001, n_epochs: 2, lora: true, lora_r: 16, packing: true, context_length: 8192 });
    const { statuses, last } = await pollStatuses(`${provider!.url}/fine_tuning/jobs/${created.id}`, finished);
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
    expect(last).toMatchObject({ trained_steps: 4, total_steps: 4, trained_tokens: tokensPerEpoch * 2 });

    const checkpoints = (await json(fetch(`${provider!.url}/fine_tuning/jobs/${created.id}/checkpoints`))).data;
    expect(checkpoints).toHaveLength(2);
    const best = checkpoints[1];
    expect(best.result_files).toHaveLength(2);
    const names = await Promise.all(best.result_files.map(async (id: string) => (await json(fetch(`${provider!.url}/files/${id}`))).filename));
    expect(names).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const config = await json(fetch(`${provider!.url}/files/${best.result_files[0]}/content`));
    expect(config).toMatchObject({ peft_type: 'LORA', base_model_name_or_path: 'meta-llama/Meta-Llama-3.1-8B-Instruct' });
    const weights = Buffer.from(await (await fetch(`${provider!.url}/files/${best.result_files[1]}/content`)).arrayBuffer());
    const { header, dataLength } = parseSafetensors(weights);
    const tensors = Object.entries(header).filter(([name]) => name !== '__metadata__') as Array<[string, { dtype: string; shape: number[]; data_offsets: [number, number] }]>;
    expect(tensors.length).toBeGreaterThan(0);
    expect(Math.max(...tensors.map(([, tensor]) => tensor.data_offsets[1]))).toBe(dataLength);
    for (const [, tensor] of tensors) expect(tensor.data_offsets[1] - tensor.data_offsets[0]).toBe(tensor.shape.reduce((a, b) => a * b, 1) * 4);

    const v0 = provider!.url.replace(/\/v1$/, '/v0');
    const trainingId = await postJson(`${v0}/models`, { name: 'my-student', base_model: 'meta-llama/Meta-Llama-3.1-8B-Instruct', source: `${created.id}:${best.id}` });
    expect(trainingId.status).toBe(400);
    expect((await json(trainingId)).error.param).toBe('base_model');
    const deploy = await postJson(`${v0}/models`, { name: 'my-student', base_model: 'meta-llama/Llama-3.1-8B-Instruct', source: `${created.id}:${best.id}` });
    expect(deploy.status).toBe(200);
    const model = await json(deploy);
    expect(model).toMatchObject({ base_model: 'meta-llama/Llama-3.1-8B-Instruct', source: `${created.id}:${best.id}`, status: 'validating', status_reason: null });
    expect(model.name).toMatch(/^meta-llama\/Llama-3\.1-8B-Instruct-LoRa:my-student-[a-z0-9]{4}$/);
    expect((await chatWith(model.name)).status).toBe(404);
    const { statuses: modelStatuses } = await pollStatuses(`${v0}/models/${model.name}`, (body) => body.status === 'active');
    expect(modelStatuses).toEqual(['active']);
    expect((await chatWith(model.name)).status).toBe(200);

    const badSource = await postJson(`${provider!.url.replace(/\/v1$/, '')}/v0/models`, { name: 'x', base_model: 'b', source: `${created.id}:ftckpt_nope` });
    expect(badSource.status).toBe(400);
  });
});

describe('fine-tuning, Together flavour', () => {
  it('walks pending → queued → running → compressing → uploading → completed with events and checkpoints', async () => {
    const files = await start({ models: ['meta-llama/Llama-3.2-1B-Instruct'] });
    const request = { model: 'meta-llama/Llama-3.2-1B-Instruct', training_file: files.training, validation_file: files.validation, n_epochs: 3, n_checkpoints: 3, n_evals: 3, batch_size: 5, suffix: 'student', random_seed: 5 };
    // Not Together's shape: LoRA settings at the top level (Together's document has them in training_type only).
    const flat = await postJson(`${provider!.url}/fine-tunes`, { ...request, lora: true, lora_r: 8 });
    expect(flat.status).toBe(400);
    expect((await json(flat)).error.message).toContain("additional properties 'lora'");
    const created = await json(postJson(`${provider!.url}/fine-tunes`, { ...request, training_type: { type: 'Lora', lora_r: 8, lora_alpha: 8 } }));
    expect(created).toMatchObject({ status: 'pending', model: 'meta-llama/Llama-3.2-1B-Instruct', n_epochs: 3, batch_size: 5, random_seed: 5, training_type: { type: 'Lora', lora_r: 8, lora_alpha: 8 }, trainingfile_numlines: 10 });
    expect(created.id).toMatch(/^ft-[0-9a-f-]{36}$/);
    expect(created.model_output_name).toMatch(/^fake-user\/Llama-3\.2-1B-Instruct-student-/);
    expect(Date.parse(created.created_at)).not.toBeNaN();
    const { statuses, last } = await pollStatuses(`${provider!.url}/fine-tunes/${created.id}`, finished);
    expect(statuses).toEqual(['queued', 'running', 'compressing', 'uploading', 'completed']);
    expect(last).toMatchObject({ epochs_completed: 3, token_count: tokensPerEpoch * 3 });
    expect((await chatWith(last.model_output_name)).status).toBe(200);

    const events = (await json(fetch(`${provider!.url}/fine-tunes/${created.id}/events`))).data;
    expect(events[0]).toMatchObject({ object: 'fine-tune-event', type: 'job_pending', level: 'info' });
    expect(events[events.length - 1].type).toBe('job_complete');
    expect(events.filter((event: { type: string }) => event.type === 'epoch_complete')).toHaveLength(3);
    const checkpoints = (await json(fetch(`${provider!.url}/fine-tunes/${created.id}/checkpoints`))).data;
    expect(checkpoints.map((checkpoint: { step: number; checkpoint_type: string }) => [checkpoint.step, checkpoint.checkpoint_type])).toEqual([
      [2, 'Intermediate'],
      [4, 'Intermediate'],
      [6, 'Final'],
    ]);
    expect(checkpoints[0]).toEqual({ step: 2, path: expect.any(String), created_at: expect.any(String), checkpoint_type: 'Intermediate' });
    const { metrics } = await json(fetch(`${provider!.url}/fine-tunes/${created.id}/metrics`));
    expect(metrics.filter((snapshot: Record<string, number>) => 'train/loss' in snapshot).map((snapshot: Record<string, number>) => snapshot['train/global_step'])).toEqual([2, 4, 6]);
    expect(metrics.filter((snapshot: Record<string, number>) => 'eval/loss' in snapshot)).toHaveLength(3);
    expect((await json(fetch(`${provider!.url}/fine-tunes`))).data).toHaveLength(1);
  });

  it('saves only the final checkpoint unless n_checkpoints asks for more, and evaluates only when n_evals says so', async () => {
    const files = await start();
    const job = await json(postJson(`${provider!.url}/fine-tunes`, { model: 'm', training_file: files.training, validation_file: files.validation, n_epochs: 4, training_type: { type: 'Full' } }));
    expect(job.training_type).toEqual({ type: 'Full' });
    await pollStatuses(`${provider!.url}/fine-tunes/${job.id}`, finished);
    const checkpoints = (await json(fetch(`${provider!.url}/fine-tunes/${job.id}/checkpoints`))).data;
    expect(checkpoints.map((checkpoint: { checkpoint_type: string }) => checkpoint.checkpoint_type)).toEqual(['Final']);
    const { metrics } = await json(fetch(`${provider!.url}/fine-tunes/${job.id}/metrics`));
    expect(metrics.some((snapshot: Record<string, number>) => 'eval/loss' in snapshot)).toBe(false);
  });

  it('ends in error on failure and cancels through cancel_requested', async () => {
    const files = await start({ fineTuning: { outcome: 'failed' } });
    const failing = await json(postJson(`${provider!.url}/fine-tunes`, { model: 'm', training_file: files.training }));
    expect((await pollStatuses(`${provider!.url}/fine-tunes/${failing.id}`, finished)).statuses).toEqual(['queued', 'running', 'error']);
    const cancelled = await json(postJson(`${provider!.url}/fine-tunes`, { model: 'm', training_file: files.training }));
    expect((await json(fetch(`${provider!.url}/fine-tunes/${cancelled.id}/cancel`, { method: 'POST' }))).status).toBe('cancel_requested');
    expect((await json(fetch(`${provider!.url}/fine-tunes/${cancelled.id}`))).status).toBe('cancelled');
  });
});
