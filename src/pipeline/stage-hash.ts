import { join } from 'node:path';
import { canonicalJson, sha256 } from '../llm/cache-key.js';
import type { LoadedTask } from '../config/load.js';
import type { TaskConfigParsed } from '../config/schema.js';
import { datasetIdentity } from '../data/datasets/load-dataset.js';
import { withFileDigests } from './config-files.js';

export const STAGES = ['inputs', 'generate', 'curate', 'split', 'train', 'evaluate', 'report'] as const;
export type StageName = (typeof STAGES)[number];

/**
 * The config sections each stage's result depends on. A change there re-runs that stage and everything
 * after it; a change elsewhere (a price, the progress settings) does not.
 */
function sectionsOf(config: TaskConfigParsed, stage: StageName): unknown {
  switch (stage) {
    case 'inputs':
      return config.inputs;
    case 'generate': {
      // Only what changes the answers: budget, concurrency, polling and sync-vs-batch do not. The flavor does
      // (it shapes the body: an assistant prefix is sent to vllm/nebius/local, dropped for openai/together).
      // Imported answers (no teacher) depend on the inputs alone, which the chain already covers.
      if (!config.teacher) return { teacher: null };
      const { concurrency, max_cost, poll_interval, completion_window, batch_max_rounds, batch_sync_stragglers, mode, stream, ...answers } = config.teacher;
      const endpoint = config.endpoints[config.teacher.endpoint];
      // logprobs.source joins only when it is not the default (runs made before it existed keep their hash).
      const logprobs = answers.logprobs && { ...answers.logprobs, source: answers.logprobs.source === 'generate' ? undefined : answers.logprobs.source };
      return { teacher: { ...answers, logprobs }, endpoint: endpoint === undefined ? undefined : { base_url: endpoint.base_url, flavor: endpoint.flavor } };
    }
    case 'curate':
      return config.curate;
    case 'split':
      // include_reasoning joins only when on (earlier runs keep their hash); the trainer then decides where a trace goes.
      return {
        split: { ...config.split, include_reasoning: config.split.include_reasoning || undefined },
        system: config.student?.system,
        template: config.student?.user_template,
        prefix: config.student?.assistant_prefix,
        reasoning_for: config.split.include_reasoning ? (config.student?.trainer ?? 'local') : undefined,
      };
    case 'train':
      return { ...config.student, python: undefined, poll_interval: undefined };
    case 'evaluate':
      return config.evaluate;
    case 'report':
      return null;
  }
}

/** An evaluation set by name counts by its pinned checksums (the loader refuses any other bytes). */
function namedSet(object: Record<string, unknown>): unknown {
  if (typeof object.dataset !== 'string' || typeof object.split !== 'string') return undefined;
  try {
    return { ...object, dataset_sha256: datasetIdentity({ dataset: object.dataset, split: object.split }).sha256 };
  } catch {
    return undefined; // an unknown set fails where it is read, with its own message
  }
}

/**
 * A stage's hash chains its predecessors', so changing `inputs` invalidates every later stage too. Files the
 * sections name count by content: an edited prompt file re-runs its stage like an edited config.
 */
export function stageHashes(task: Pick<LoadedTask, 'config' | 'dir'>, runDirectory?: string): Record<StageName, string> {
  const options = { resolve: namedSet, persisted: runDirectory === undefined ? undefined : join(runDirectory, 'file-digests.json') };
  const hashes = {} as Record<StageName, string>;
  let previous = '';
  for (const stage of STAGES) {
    previous = sha256(previous + canonicalJson(withFileDigests(sectionsOf(task.config, stage) ?? null, task.dir, options)));
    hashes[stage] = previous;
  }
  return hashes;
}
