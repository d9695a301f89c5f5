import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../../../data/jsonl.js';
import { AbortedError } from '../../../errors.js';
import { ensureDir } from '../../run-paths.js';
import type { Trainer, TrainingContext } from '../trainer.js';
import { TrainingError } from '../training-errors.js';
import type { TrainingEvent } from '../training-event.js';
import type { TrainingResult } from '../training-metrics.js';
import { TrainingRecorder } from '../training-recorder.js';
import { ensureWorkerPython, type WorkerEnvironmentOptions } from '../../../local-worker/worker-environment.js';
import { parseWorkerLine, type WorkerEvent } from './worker-events.js';
import { HOSTED_ONLY_HYPERPARAMETERS, workerJob, type WorkerJob } from './worker-job.js';
import { startTeacherServer, type TeacherServer } from './teacher-server.js';
import { runWorker } from './worker-process.js';
import { accelerateConfig, launcherArguments } from './distributed-launch.js';

export interface LocalTrainerOptions {
  /** The interpreter to use; otherwise `ensureWorkerPython` finds or installs one. */
  python?: string;
  /** A script run instead of `-m distillery_worker` (tests: a scripted fake worker). */
  script?: string;
  /** SIGTERM → SIGKILL grace period on Ctrl-C (default 10 s). */
  graceMs?: number;
  device?: WorkerJob['device'];
  environment?: Omit<WorkerEnvironmentOptions, 'environment' | 'configuredPython'>;
}

type DoneEvent = Extract<WorkerEvent, { event: 'done' }>;
type ErrorEvent = Extract<WorkerEvent, { event: 'error' }>;

/**
 * `student.trainer: local`: writes the worker's job file, runs `python -m distillery_worker train`, and turns its
 * JSON lines into normalized events, `train/events.jsonl` and `train/metrics.json`; its stderr is `train/worker.log`.
 */
export class LocalTrainer implements Trainer {
  readonly kind = 'local' as const;

  constructor(private readonly options: LocalTrainerOptions = {}) {}

  /** Continues from the newest checkpoint of a killed run; the worker starts over when the job changed since. */
  resume(context: TrainingContext): Promise<TrainingResult> {
    return this.run(context, true);
  }

  start(context: TrainingContext): Promise<TrainingResult> {
    return this.run(context, false);
  }

  private async run(context: TrainingContext, resume: boolean): Promise<TrainingResult> {
    const { stage, settings } = context;
    const paths = stage.paths.train;
    const say = (message: string): void => stage.emit({ type: 'log', stage: 'train', level: 'info', message });
    const python =
      this.options.python ??
      (await ensureWorkerPython({ ...this.options.environment, environment: stage.environment, configuredPython: settings.student.python, log: say }));
    ensureDir(paths.dir);
    const stale = [paths.adapter, join(paths.dir, 'merged'), join(paths.dir, 'model'), ...(resume ? [] : [join(paths.dir, 'checkpoints')])];
    for (const path of stale) rmSync(path, { recursive: true, force: true });
    writeFileSync(paths.log, `# ${new Date().toISOString()} ${python} -m distillery_worker train ${paths.job}\n`);
    writeJsonAtomic(paths.job, { ...workerJob(context, this.options.device), resume });
    const distributed = settings.student.distributed;
    let launcher: string[] | undefined;
    if (distributed !== undefined) {
      const configFile = join(paths.dir, 'accelerate.json');
      writeJsonAtomic(configFile, accelerateConfig(distributed));
      launcher = launcherArguments(resolve(configFile));
      say(`training with ${distributed.processes * distributed.machines} processes (${distributed.strategy}) under accelerate launch`);
    }

    const recorder = new TrainingRecorder(stage, {
      trainer: 'local',
      provider: 'worker',
      base_model: settings.baseModel,
      method: settings.student.method,
      checkpoint_rule: settings.student.checkpoint,
    });
    const ignored = HOSTED_ONLY_HYPERPARAMETERS.filter((key) => settings.hyperparameters[key] !== undefined);
    if (ignored.length > 0) recorder.record({ kind: 'message', level: 'warn', message: `student.hyperparameters ${ignored.join(', ')}: used by hosted trainers only, ignored here` });

    let done: DoneEvent | undefined;
    let failure: ErrorEvent | undefined;
    let teacher: TeacherServer | undefined;
    try {
      teacher = await startTeacherServer(settings.loss, { trainDir: paths.dir, environment: stage.environment, say });
      const exit = await runWorker({
        python,
        script: this.options.script,
        launcher,
        args: ['train', resolve(paths.job)],
        cwd: resolve(stage.paths.root),
        environment: teacher === undefined ? stage.environment : { ...stage.environment, ...teacher.environment },
        signal: stage.signal,
        logPath: paths.log,
        graceMs: this.options.graceMs,
        onLine: (line) => {
          const event = parseWorkerLine(line);
          if (event === undefined) {
            if (line.trim() !== '') recorder.record({ kind: 'message', level: 'warn', message: `worker printed an unrecognized line: ${line.slice(0, 200)}` });
            return;
          }
          if (event.event === 'done') done = event;
          if (event.event === 'error') failure = event;
          const normalized = normalize(event);
          if (normalized !== undefined) recorder.record(normalized);
        },
      });
      if (exit.aborted) throw new AbortedError('training stopped; the worker was terminated (run the train stage again to continue from its last checkpoint)');
      if (failure !== undefined) {
        throw new TrainingError(`worker ${failure.type}: ${failure.message}`, { workerErrorType: failure.type, logTail: exit.logTail });
      }
      if (exit.code !== 0 || done === undefined) {
        const how = exit.code === null ? `was killed by ${exit.signal}` : exit.code === 0 ? 'exited without a done event' : `exited with status ${exit.code}`;
        throw new TrainingError(`the training worker ${how}; last lines of ${paths.log}:\n${exit.logTail.join('\n')}`, { logTail: exit.logTail });
      }
      const chosenStep = done.chosen_checkpoint?.step;
      const chosen = recorder.metrics('running').checkpoints.find((checkpoint) => checkpoint.step === chosenStep) ?? null;
      return recorder.writeMetrics('succeeded', {
        chosen_checkpoint: chosen,
        trained_tokens: done.trained_tokens ?? null,
        cost: 0,
        served_model: null,
        adapter_dir: done.adapter_dir ?? done.model_dir ?? null,
        merged_dir: done.merged_dir ?? null,
        ...(done.train_seconds == null ? {} : { train_seconds: done.train_seconds }),
        teacher_calls: done.teacher_calls ?? 0,
        teacher_tokens: done.teacher_tokens ?? 0,
      });
    } finally {
      await teacher?.stop();
      await recorder.close();
    }
  }
}

function normalize(event: WorkerEvent): TrainingEvent | undefined {
  const epoch = (value: number | null | undefined): number | undefined => value ?? undefined;
  switch (event.event) {
    case 'start':
      return { kind: 'status', status: 'running', totalSteps: event.total_steps, message: `${event.total_steps ?? '?'} steps on ${event.device ?? 'an unknown device'}, ${event.train_examples ?? '?'} training examples` };
    case 'step':
      return { kind: 'step', step: event.step, epoch: epoch(event.epoch), loss: event.loss ?? undefined, learningRate: event.learning_rate ?? undefined, tokensSeen: event.tokens_seen ?? undefined };
    case 'eval':
      return event.valid_loss === null ? undefined : { kind: 'eval', step: event.step, epoch: epoch(event.epoch), validLoss: event.valid_loss };
    case 'checkpoint':
      return { kind: 'checkpoint', id: `checkpoint-${event.step}`, step: event.step, epoch: epoch(event.epoch), validLoss: event.valid_loss ?? undefined };
    case 'done':
      return { kind: 'status', status: 'succeeded' };
    case 'error':
      return { kind: 'message', level: 'error', message: `${event.type}: ${event.message}` };
  }
}
