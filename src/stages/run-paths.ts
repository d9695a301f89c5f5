import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The run directory's layout (ARCHITECTURE.md): one folder per stage, plain files, one SQLite file. */
export function runPaths(runDir: string) {
  const stage = (name: string) => join(runDir, name);
  return {
    root: runDir,
    database: join(runDir, 'state.sqlite'),
    config: join(runDir, 'config.yaml'),
    inputs: {
      dir: stage('inputs'),
      inputs: join(runDir, 'inputs', 'inputs.jsonl'),
      rejected: join(runDir, 'inputs', 'rejected.jsonl'),
      filtered: join(runDir, 'inputs', 'filtered.jsonl'),
      summary: join(runDir, 'inputs', 'summary.json'),
    },
    generate: {
      dir: stage('generate'),
      requests: join(runDir, 'generate', 'requests.jsonl'),
      outputs: join(runDir, 'generate', 'outputs.jsonl'),
      errors: join(runDir, 'generate', 'errors.jsonl'),
      summary: join(runDir, 'generate', 'summary.json'),
      batches: join(runDir, 'generate', 'batches'),
    },
    curate: {
      dir: stage('curate'),
      kept: join(runDir, 'curate', 'kept.jsonl'),
      dropped: join(runDir, 'curate', 'dropped.jsonl'),
      funnel: join(runDir, 'curate', 'funnel.json'),
    },
    split: {
      dir: stage('split'),
      train: join(runDir, 'split', 'train.jsonl'),
      validation: join(runDir, 'split', 'validation.jsonl'),
      stats: join(runDir, 'split', 'stats.json'),
    },
    train: {
      dir: stage('train'),
      job: join(runDir, 'train', 'job.json'),
      events: join(runDir, 'train', 'events.jsonl'),
      metrics: join(runDir, 'train', 'metrics.json'),
      adapter: join(runDir, 'train', 'adapter'),
      log: join(runDir, 'train', 'worker.log'),
    },
    evaluate: {
      dir: stage('evaluate'),
      predictions: join(runDir, 'evaluate', 'predictions.jsonl'),
      judgments: join(runDir, 'evaluate', 'judgments.jsonl'),
      /** Per item: input, references, strata and whether each model was right (the dashboard's item view). */
      items: join(runDir, 'evaluate', 'items.jsonl'),
      report: join(runDir, 'evaluate', 'report.json'),
    },
    reportMarkdown: join(runDir, 'report.md'),
    reportHtml: join(runDir, 'report.html'),
  };
}

export type RunPaths = ReturnType<typeof runPaths>;

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
