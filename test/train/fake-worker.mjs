// A scripted stand-in for `python -m distillery_worker train JOB.json`, run by Node in the local trainer's fast
// tests. FAKE_WORKER_SCENARIO picks the script: success, error-event, crash, hang, ignore-term.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [command, jobPath] = process.argv.slice(2);
const scenario = process.env.FAKE_WORKER_SCENARIO ?? 'success';
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const job = JSON.parse(readFileSync(jobPath, 'utf8'));
if (process.env.FAKE_WORKER_PID_FILE) writeFileSync(process.env.FAKE_WORKER_PID_FILE, String(process.pid));
process.stderr.write(`[fake-worker] ${command} ${jobPath}\n[fake-worker] PYTHONPATH=${process.env.PYTHONPATH}\n`);

if (scenario === 'success') {
  emit({ event: 'start', total_steps: 4, train_examples: 8, validation_examples: 4, device: 'cpu', versions: { torch: 'fake' } });
  const losses = [2.0, 1.6, 1.2, 1.0];
  const validLosses = { 2: 1.5, 4: 1.7 };
  const checkpoints = [];
  for (let step = 1; step <= 4; step++) {
    emit({ event: 'step', step, epoch: step / 2, loss: losses[step - 1], learning_rate: 0.0002, tokens_seen: step * 100 });
    if (step === 2) process.stdout.write('a stray print that is not an event\n');
    if (step % 2 === 0) {
      emit({ event: 'eval', step, epoch: step / 2, valid_loss: validLosses[step] });
      const checkpoint = { step, epoch: step / 2, valid_loss: validLosses[step], path: join(job.output_dir, 'checkpoints', `checkpoint-${step}`) };
      checkpoints.push(checkpoint);
      emit({ event: 'checkpoint', ...checkpoint });
    }
  }
  const chosen = job.checkpoint === 'best_valid_loss' ? checkpoints[0] : checkpoints[1];
  const adapter = join(job.output_dir, 'adapter');
  mkdirSync(adapter, { recursive: true });
  writeFileSync(join(adapter, 'adapter_config.json'), JSON.stringify({ r: job.lora.r ?? 16 }));
  emit({ event: 'done', adapter_dir: adapter, merged_dir: null, model_dir: null, chosen_checkpoint: { step: chosen.step, epoch: chosen.epoch, valid_loss: chosen.valid_loss }, train_loss: 1.1, valid_loss: chosen.valid_loss, trained_tokens: 400, seconds: 0.1 });
} else if (scenario === 'error-event') {
  emit({ event: 'start', total_steps: 4 });
  process.stderr.write('Traceback (most recent call last):\ntorch.OutOfMemoryError: CUDA out of memory\n');
  emit({ event: 'error', type: 'OutOfMemory', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
  process.exit(1);
} else if (scenario === 'crash') {
  for (let line = 1; line <= 30; line++) process.stderr.write(`log line ${line}\n`);
  process.exit(3);
} else {
  if (scenario === 'ignore-term') process.on('SIGTERM', () => process.stderr.write('[fake-worker] ignoring SIGTERM\n'));
  emit({ event: 'start', total_steps: 1000 });
  setInterval(() => undefined, 1000);
}
