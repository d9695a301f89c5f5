import { ConfigError } from '../../../errors.js';
import type { StudentConfig, Hyperparameters } from '../student-settings.js';

export type HostedFlavor = 'openai' | 'nebius' | 'together';

/**
 * What each provider's create-job request takes, in its spelling (after `epochs` → `n_epochs`). OpenAI's
 * supervised method takes three (its OpenAPI `FineTuneSupervisedHyperparameters`); Nebius its own list;
 * Together takes flat fields, with the LoRA settings inside `training_type` (built by the Together client).
 */
const ACCEPTED: Record<HostedFlavor, readonly string[]> = {
  openai: ['n_epochs', 'batch_size', 'learning_rate_multiplier'],
  nebius: ['n_epochs', 'batch_size', 'learning_rate', 'warmup_ratio', 'weight_decay', 'max_grad_norm', 'packing', 'context_length', 'lora', 'lora_r', 'lora_alpha', 'lora_dropout'],
  together: ['n_epochs', 'batch_size', 'learning_rate', 'warmup_ratio', 'weight_decay', 'max_grad_norm', 'packing', 'max_seq_length', 'n_checkpoints', 'n_evals', 'lora_r', 'lora_alpha', 'lora_dropout', 'target_modules'],
};

/** Our names that a provider spells its own way (besides `epochs` → `n_epochs` for all). */
const RENAMED: Record<HostedFlavor, Record<string, string>> = {
  openai: {},
  nebius: { max_length: 'context_length' },
  together: { max_length: 'max_seq_length' },
};

/** Epochs are whole numbers for every hosted API (OpenAI: integer 1–50; Together, Nebius: integer). */
const INTEGER = ['n_epochs', 'lora_alpha'] as const;

/** OpenAI's documented bounds (`FineTuneSupervisedHyperparameters`): refused before anything is uploaded. */
const OPENAI_MAXIMA: Record<string, number> = { n_epochs: 50, batch_size: 256 };

export interface HostedHyperparameters {
  values: Record<string, unknown>;
  /** Keys the provider does not take: reported, never sent. */
  ignored: string[];
}

/**
 * The hyperparameters this provider accepts, in its spelling, passed through as given; anything else is
 * reported as ignored rather than sent (an unknown field is an error at OpenAI and silently dropped elsewhere).
 * Nebius trains a full model unless told `lora`, so `method` decides it there when the config does not say.
 */
export function hostedHyperparameters(hyperparameters: Hyperparameters, student: StudentConfig, flavor: HostedFlavor, file: string): HostedHyperparameters {
  const values: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(hyperparameters)) {
    if (value === undefined || key === 'seed') continue;
    const name = key === 'epochs' ? 'n_epochs' : (RENAMED[flavor][key] ?? key);
    if (!ACCEPTED[flavor].includes(name)) {
      ignored.push(key);
      continue;
    }
    if ((INTEGER as readonly string[]).includes(name) && (flavor !== 'openai' || name === 'n_epochs') && !Number.isInteger(value)) {
      throw new ConfigError(`${file}: student.hyperparameters.${key}: ${flavor} takes a whole number, not ${String(value)}`, file, `student.hyperparameters.${key}`);
    }
    const maximum = flavor === 'openai' ? OPENAI_MAXIMA[name] : undefined;
    if (maximum !== undefined && typeof value === 'number' && value > maximum) {
      throw new ConfigError(`${file}: student.hyperparameters.${key}: OpenAI takes at most ${maximum}, not ${value}`, file, `student.hyperparameters.${key}`);
    }
    values[name] = value;
  }
  if (flavor === 'nebius' && values.lora === undefined) values.lora = student.method !== 'full';
  if (flavor === 'together' && student.method === 'full') {
    const loraOnly = ['lora_r', 'lora_alpha', 'lora_dropout', 'target_modules'].filter((key) => values[key] !== undefined);
    for (const key of loraOnly) delete values[key];
    ignored.push(...loraOnly);
  }
  return { values, ignored };
}
