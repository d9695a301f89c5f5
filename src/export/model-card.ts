import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadTask } from '../config/load.js';
import { runPaths } from '../stages/run-paths.js';

// Only the fields the card shows; each file is read leniently (a card is written even for an older run).
const exportSchema = z.object({
  format: z.string(),
  engine: z.string(),
  dtype: z.string().nullable().optional(),
  gguf_type: z.string().nullable().optional(),
  items: z.number(),
  agreement: z.number(),
  metric: z.object({ name: z.string(), student: z.number().nullable(), export: z.number().nullable() }),
});
const trainedSchema = z.object({ trainer: z.string(), method: z.string(), base_model: z.string() });
const reportSchema = z.object({
  primary_metric: z.string(),
  transfer_ratio: z.object({ value: z.number(), ci95: z.tuple([z.number(), z.number()]).nullable() }).nullable(),
  verdict: z.object({ label: z.string(), reason: z.string() }),
});

/** What the model card says, gathered from the run directory and the export's `export.json`. */
export interface ModelCardFacts {
  name: string;
  teacher: string | null;
  base: string;
  trainer: string;
  method: string;
  hyperparameters: Record<string, unknown>;
  trainingRows: number | null;
  exported: z.infer<typeof exportSchema>;
  evaluation: z.infer<typeof reportSchema> | null;
}

/** A Hub repo id (`owner/name`), which the Hub accepts as `base_model`; a local folder is not one. */
function hubModelId(model: string): string | null {
  return /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(model) && !existsSync(model) ? model : null;
}

export function gatherModelCardFacts(folder: string, runDir: string, configPath: string): ModelCardFacts {
  const paths = runPaths(runDir);
  const task = loadTask(configPath);
  const trained = trainedSchema.parse(JSON.parse(readFileSync(paths.train.metrics, 'utf8')));
  const report = existsSync(paths.evaluate.report) ? reportSchema.safeParse(JSON.parse(readFileSync(paths.evaluate.report, 'utf8'))) : undefined;
  return {
    name: task.config.name,
    teacher: task.config.teacher?.model ?? null,
    base: trained.base_model,
    trainer: trained.trainer,
    method: trained.method,
    hyperparameters: { ...(task.config.student?.hyperparameters ?? {}) },
    trainingRows: existsSync(paths.split.train) ? readFileSync(paths.split.train, 'utf8').split('\n').filter((line) => line.trim() !== '').length : null,
    exported: exportSchema.parse(JSON.parse(readFileSync(join(folder, 'export.json'), 'utf8'))),
    evaluation: report?.success ? report.data : null,
  };
}

/** A Hub model card: metadata the Hub indexes, then how the model was trained and how the export was checked. */
export function renderModelCard(facts: ModelCardFacts, repo: string): string {
  const { exported } = facts;
  const base = hubModelId(facts.base);
  const gguf = exported.format !== 'merged';
  const metadata = {
    ...(base === null ? {} : { base_model: base }),
    ...(gguf ? {} : { library_name: 'transformers' }),
    pipeline_tag: 'text-generation',
    tags: ['distillery', 'distillation', ...(gguf ? ['gguf'] : [])],
  };
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  const score = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(4));
  const lines = [
    `---\n${stringify(metadata).trimEnd()}\n---`,
    '',
    `# ${facts.name}: distilled student`,
    '',
    `A task-specific student distilled with Distillery from ${facts.teacher === null ? 'imported teacher answers' : `the teacher \`${facts.teacher}\``}.`,
    '',
    '## How it was trained',
    '',
    `- base model: \`${facts.base}\``,
    `- trainer: ${facts.trainer}, method: ${facts.method}`,
    ...(facts.trainingRows === null ? [] : [`- training rows: ${facts.trainingRows} teacher answers after curation`]),
    ...(Object.keys(facts.hyperparameters).length === 0 ? [] : [`- hyperparameters: ${Object.entries(facts.hyperparameters).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')}`]),
    '',
    '## How it was verified',
    '',
  ];
  if (facts.evaluation !== null) {
    const ratio = facts.evaluation.transfer_ratio;
    lines.push(`- held-out evaluation: verdict **${facts.evaluation.verdict.label}** (${facts.evaluation.verdict.reason})`);
    if (ratio !== null) lines.push(`- transfer ratio (student / teacher ${facts.evaluation.primary_metric}): ${ratio.value.toFixed(3)}${ratio.ci95 ? ` (95% CI ${ratio.ci95[0].toFixed(3)}–${ratio.ci95[1].toFixed(3)})` : ''}`);
  }
  lines.push(
    `- this export (${exported.format}${exported.gguf_type ? ` ${exported.gguf_type}` : exported.dtype ? `, ${exported.dtype}` : ''}), answering greedily on ${exported.engine}, gives the trained student's answer on ${percent(exported.agreement)} of ${exported.items} evaluation items; ${exported.metric.name}: student ${score(exported.metric.student)}, export ${score(exported.metric.export)} (\`export.json\`)`,
  );
  lines.push('', '## Run it', '', ...runCommands(exported.format, repo).map((command) => `    ${command}`));
  return `${lines.join('\n')}\n`;
}

/** How to run the pushed repo with the engine its format is for (each engine fetches from the Hub itself). */
function runCommands(format: string, repo: string): string[] {
  if (format === 'merged') return [`vllm serve ${repo}`];
  if (format === 'ollama') return [`ollama run hf.co/${repo}`, `llama-server -hf ${repo}`];
  return [`llama-server -hf ${repo}`];
}

/** Writes `README.md` into the export folder unless one is there; returns whether it wrote one. */
export function writeModelCard(folder: string, runDir: string, configPath: string, repo: string): boolean {
  const file = join(folder, 'README.md');
  if (existsSync(file)) return false;
  writeFileSync(file, renderModelCard(gatherModelCardFacts(folder, runDir, configPath), repo));
  return true;
}
