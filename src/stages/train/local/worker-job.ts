import { resolve } from 'node:path';
import type { TrainingContext } from '../trainer.js';
import { onPolicyLossFields } from './on-policy-loss.js';
import { topkLossFields } from './topk-loss.js';

/** The worker's job file (worker/distillery_worker/jobfile.py): unknown keys are errors there, so only these. */
export interface WorkerJob {
  base_model: string;
  train_file: string;
  validation_file: string;
  output_dir: string;
  method: 'lora' | 'qlora' | 'full';
  lora: { r?: number; alpha?: number; dropout?: number; target_modules?: 'all-linear' | string[] };
  hyperparameters: Record<string, number | boolean | string>;
  checkpoint: 'last' | 'best_valid_loss';
  merge: boolean;
  trust_remote_code: boolean;
  device: 'auto' | 'cpu' | 'cuda';
  loss: {
    type: 'sft' | 'kd' | 'topk_kd' | 'on_policy';
    teacher_model?: string;
    temperature?: number;
    alpha?: number;
    direction?: 'forward' | 'reverse';
    teacher_4bit?: boolean;
    top_k?: number;
    teacher_tokenizer?: string;
    logprobs_file?: string;
    beta?: number;
    max_new_tokens?: number;
    teacher?: 'local' | 'served';
  };
  /** Checked against the chat template: the prefix serving continues must be the text training saw. */
  assistant_prefix: string;
  attn_implementation: string;
  liger_kernel: boolean;
  /** Continue from the newest checkpoint of an interrupted run of this same job. */
  resume?: boolean;
}

/** Keys of `student.hyperparameters` the worker has no use for (hosted-only), reported as ignored. */
export const HOSTED_ONLY_HYPERPARAMETERS = ['learning_rate_multiplier', 'lora', 'n_checkpoints', 'n_evals'] as const;

/**
 * Builds the worker's job from the config; the worker writes its adapter to `<output_dir>/adapter`. Paths are
 * absolute: the worker resolves relative ones against its own working directory, not ours.
 */
export function workerJob(context: TrainingContext, device: WorkerJob['device'] = 'auto'): WorkerJob {
  const { student, hyperparameters, loss, baseModel } = context.settings;
  const trainingHyperparameters: WorkerJob['hyperparameters'] = {};
  const copy = {
    epochs: hyperparameters.epochs ?? hyperparameters.n_epochs,
    batch_size: hyperparameters.batch_size,
    gradient_accumulation_steps: hyperparameters.gradient_accumulation_steps,
    learning_rate: hyperparameters.learning_rate,
    lr_scheduler: hyperparameters.lr_scheduler,
    warmup_ratio: hyperparameters.warmup_ratio,
    weight_decay: hyperparameters.weight_decay,
    max_grad_norm: hyperparameters.max_grad_norm,
    max_length: hyperparameters.max_length,
    packing: hyperparameters.packing,
    seed: hyperparameters.seed ?? context.stage.task.config.split.seed,
    eval_steps: hyperparameters.eval_steps,
    early_stopping_patience: hyperparameters.early_stopping_patience,
    save_total_limit: hyperparameters.save_total_limit,
  };
  for (const [key, value] of Object.entries(copy)) if (value !== undefined) trainingHyperparameters[key] = value;
  const lora: WorkerJob['lora'] = {};
  if (hyperparameters.lora_r !== undefined) lora.r = hyperparameters.lora_r;
  if (hyperparameters.lora_alpha !== undefined) lora.alpha = hyperparameters.lora_alpha;
  if (hyperparameters.lora_dropout !== undefined) lora.dropout = hyperparameters.lora_dropout;
  if (hyperparameters.target_modules !== undefined) lora.target_modules = hyperparameters.target_modules;
  const workerLoss: WorkerJob['loss'] = { type: loss.type };
  if (loss.teacher_model !== undefined) workerLoss.teacher_model = loss.teacher_model;
  if (loss.temperature !== undefined) workerLoss.temperature = loss.temperature;
  if (loss.alpha !== undefined) workerLoss.alpha = loss.alpha;
  if (loss.direction !== undefined) workerLoss.direction = loss.direction;
  if (loss.teacher_4bit !== undefined) workerLoss.teacher_4bit = loss.teacher_4bit;
  Object.assign(workerLoss, topkLossFields(loss, context.stage.paths.generate.dir), onPolicyLossFields(loss));
  return {
    base_model: baseModel,
    train_file: resolve(context.trainFile),
    validation_file: resolve(context.validationFile),
    output_dir: resolve(context.stage.paths.train.dir),
    method: student.method,
    lora,
    hyperparameters: trainingHyperparameters,
    checkpoint: student.checkpoint,
    merge: student.merge,
    trust_remote_code: student.trust_remote_code,
    device,
    loss: workerLoss,
    assistant_prefix: student.assistant_prefix,
    attn_implementation: student.attn_implementation,
    liger_kernel: student.liger_kernel,
  };
}
