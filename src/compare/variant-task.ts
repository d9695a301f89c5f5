import { checkReferences, type LoadedTask } from '../config/load.js';
import { taskSchema, type TaskConfigParsed } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { studentSettings } from '../stages/train/student-settings.js';

export interface Variant {
  name: string;
  description: string | undefined;
  /** The task as this variant trains it: the run's config with the variant's overrides applied. */
  task: LoadedTask;
}

/** The variants of `compare:` in their written order; the one named by `against` (default the first) is the reference. */
export function variantsOf(task: LoadedTask): { variants: Variant[]; against: string } {
  const compare = task.config.compare;
  if (compare === undefined) throw new ConfigError(`${task.file}: compare: the section is missing (name the variants to compare under compare.variants)`, task.file, 'compare');
  if (task.config.student === undefined) throw new ConfigError(`${task.file}: student: compare trains the student, so the section is required`, task.file, 'student');
  if (task.config.evaluate === undefined) throw new ConfigError(`${task.file}: evaluate: compare evaluates every variant, so the section is required`, task.file, 'evaluate');
  const variants = Object.keys(compare.variants).map((name) => variantTask(task, name));
  return { variants, against: compare.against ?? variants[0]!.name };
}

/**
 * Applies one variant's overrides and checks the result as the train stage will (a loss the trainer cannot
 * run, a missing teacher tokenizer for topk_kd), so a bad variant fails before anything is trained.
 */
export function variantTask(task: LoadedTask, name: string): Variant {
  const override = task.config.compare?.variants[name];
  const student = task.config.student;
  const key = `compare.variants.${name}`;
  if (override === undefined || student === undefined) throw new ConfigError(`${task.file}: ${key}: no such variant`, task.file, key);
  const merged = {
    ...task.config,
    compare: undefined,
    split: { ...task.config.split, ...override.split },
    student: {
      ...student,
      ...override.student,
      hyperparameters: { ...student.hyperparameters, ...override.student?.hyperparameters },
    },
  };
  const parsed = taskSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${task.file}: ${key}: ${issue.path.join('.')}: ${issue.message}`, task.file, key);
  }
  const variant: LoadedTask = { ...task, config: parsed.data as TaskConfigParsed };
  try {
    checkReferences(variant.config, task.file);
    studentSettings(variant);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${key}: ${error.message}`, task.file, key);
    throw error;
  }
  return { name, description: override.description, task: variant };
}
