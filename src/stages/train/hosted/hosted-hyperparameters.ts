import type { StudentConfig, Hyperparameters } from '../student-settings.js';

/** Keys the worker uses that no hosted API takes; reported as ignored rather than sent. */
export const LOCAL_ONLY_HYPERPARAMETERS = ['gradient_accumulation_steps', 'lr_scheduler', 'max_length', 'eval_steps', 'early_stopping_patience', 'target_modules'] as const;

/**
 * The hyperparameters in the providers' spelling, passed through as given (`epochs` becomes `n_epochs`,
 * `seed` goes to the job itself). Nebius and Together train a full model unless told `lora`, so `method`
 * decides it there when the config does not say.
 */
export function hostedHyperparameters(hyperparameters: Hyperparameters, student: StudentConfig, flavor: 'openai' | 'nebius' | 'together'): { values: Record<string, unknown>; ignored: string[] } {
  const values: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(hyperparameters)) {
    if (value === undefined || key === 'seed') continue;
    if ((LOCAL_ONLY_HYPERPARAMETERS as readonly string[]).includes(key)) {
      ignored.push(key);
      continue;
    }
    values[key === 'epochs' ? 'n_epochs' : key] = value;
  }
  if (flavor !== 'openai' && values.lora === undefined) values.lora = student.method !== 'full';
  return { values, ignored };
}
