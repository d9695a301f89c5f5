import { resolvePrompt, type LoadedTask } from '../../config/load.js';
import { requireTeacher } from '../../config/teacher-section.js';
import { ConfigError } from '../../errors.js';
import type { PromptSpec } from '../../data/chat-format.js';
import type { ComparedModelConfig, EvaluateConfig } from './evaluate-config.js';
import type { StudentResolver } from './student-resolver.js';

/** A compared model with everything needed to ask it: where, which model, and how its prompt is built. */
export interface ComparedModel {
  name: string;
  endpoint: string;
  model: string;
  prompt: PromptSpec;
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
  extraBody: Record<string, unknown>;
  stream: boolean;
}

type Defaults = Omit<ComparedModel, 'name' | 'endpoint' | 'model'>;

const EMPTY: Defaults = { prompt: {}, maxTokens: 1024, temperature: 0, topP: undefined, seed: undefined, extraBody: {}, stream: true };

/** Resolves every entry of `evaluate.models`: explicit ones as written, `from: train` through the resolver, `from: teacher` from `teacher:`. */
export async function resolveComparedModels(task: LoadedTask, config: EvaluateConfig, resolver: StudentResolver | undefined): Promise<ComparedModel[]> {
  const models: ComparedModel[] = [];
  for (const [name, entry] of Object.entries(config.models)) {
    const key = `evaluate.models.${name}`;
    if (!('from' in entry)) {
      models.push({ name, endpoint: entry.endpoint, model: entry.model, ...withOverrides(task, EMPTY, entry, key) });
    } else if (entry.from === 'teacher') {
      const teacher = requireTeacher(task.config, task.file, `${key}: { from: teacher }`);
      const base: Defaults = {
        prompt: { system: resolvePrompt(task, teacher.system, 'teacher.system'), userTemplate: teacher.user_template, fewShot: teacher.few_shot, assistantPrefix: teacher.assistant_prefix, noThink: teacher.no_think },
        maxTokens: teacher.max_tokens, temperature: teacher.temperature ?? 0, topP: teacher.top_p, seed: teacher.seed, extraBody: teacher.extra_body ?? {}, stream: true,
      };
      models.push({ name, endpoint: teacher.endpoint, model: teacher.model, ...withOverrides(task, base, entry, key) });
    } else {
      if (resolver === undefined) throw new ConfigError(`${task.file}: ${key}: { from: train } needs a trained student (run the train stage first)`, task.file, key);
      const served = await resolver.resolveStudent();
      const student = task.config.student;
      const base: Defaults = {
        ...EMPTY,
        prompt: { system: resolvePrompt(task, student?.system, 'student.system'), userTemplate: student?.user_template, assistantPrefix: student?.assistant_prefix || undefined },
      };
      models.push({ name, endpoint: served.endpoint, model: served.model, ...withOverrides(task, base, entry, key) });
    }
  }
  return models;
}

function withOverrides(task: LoadedTask, base: Defaults, entry: ComparedModelConfig, key: string): Defaults {
  return {
    prompt: {
      system: entry.system === undefined ? base.prompt.system : resolvePrompt(task, entry.system, `${key}.system`),
      userTemplate: entry.user_template ?? base.prompt.userTemplate,
      fewShot: entry.few_shot ?? base.prompt.fewShot,
      assistantPrefix: entry.assistant_prefix ?? base.prompt.assistantPrefix,
      noThink: entry.no_think ?? base.prompt.noThink,
    },
    maxTokens: entry.max_tokens ?? base.maxTokens,
    temperature: entry.temperature ?? base.temperature,
    topP: entry.top_p ?? base.topP,
    seed: entry.seed ?? base.seed,
    extraBody: { ...base.extraBody, ...entry.extra_body },
    stream: entry.stream ?? base.stream,
  };
}
