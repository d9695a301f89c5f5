import type { InitAnswers, TaskKind } from './init-answers.js';
import { PROVIDERS } from './init-answers.js';

/** Quoted as JSON, which YAML reads as the same string whatever characters it holds. */
const quote = (value: string): string => JSON.stringify(value);

interface KindDefaults {
  system: (answers: InitAnswers) => string;
  maxTokens: number;
  curate: (answers: InitAnswers) => string[];
  metrics: string;
  why: string;
}

const KINDS: Record<TaskKind, KindDefaults> = {
  classification: {
    system: (answers) => `Classify the input as exactly one of: ${answers.labels!.join(', ')}.\nAnswer with the label only.\n`,
    maxTokens: 16,
    curate: (answers) => ['drop_truncated', `verify: { labels: [${answers.labels!.map(quote).join(', ')}] }   # answers outside the label set are dropped`, 'dedup: { exact: true }'],
    metrics: '[accuracy]',
    why: 'accuracy against the gold label column',
  },
  extraction: {
    system: () => 'Extract the requested fields from the input.\nAnswer with one JSON object that matches the schema in schemas/output.schema.json, nothing else.\n',
    maxTokens: 512,
    curate: () => ['drop_truncated', 'verify: { json_schema: schemas/output.schema.json }   # answers that are not valid JSON of this shape are dropped', 'dedup: { exact: true }'],
    metrics: '[exact_match]',
    why: 'exact match against the reference column',
  },
  rewriting: {
    system: () => 'Rewrite the input as instructed. Answer with the rewritten text only.\n',
    maxTokens: 1024,
    curate: () => ['drop_truncated', 'refusal', 'length: { output_chars: [1, 4000] }', 'dedup: { exact: true }'],
    metrics: '[chrf, gleu]',
    why: 'chrF and GLEU against the reference column',
  },
  'free-form': {
    system: () => 'You are a helpful assistant for this task. Answer the input directly.\n',
    maxTokens: 1024,
    curate: () => ['drop_truncated', 'refusal', 'dedup: { exact: true }'],
    metrics: '[chrf, rouge_l]',
    why: 'chrF and ROUGE-L against the reference column',
  },
};

const EXTRACTION_SCHEMA = `${JSON.stringify(
  {
    $comment: 'The shape every teacher answer must have (curate: verify drops the rest). Edit to your fields.',
    type: 'object',
    required: ['answer'],
    properties: { answer: { type: 'string' } },
  },
  null,
  2,
)}\n`;

/**
 * The files `distillery init` writes, by path relative to the task folder: a commented `task.yaml` (with the
 * schema line editors use), the system prompt, and for extraction the answer's JSON Schema.
 * `inputsPath`, `evalPath` and `schemaPath` are already relative to the task folder.
 */
export function taskFiles(answers: InitAnswers, paths: { inputs: string; evaluation?: string; schema: string }): Record<string, string> {
  const kind = KINDS[answers.kind];
  const provider = answers.provider === 'custom' ? { base_url: answers.base_url!, api_key_env: answers.api_key_env, flavor: 'openai' } : { ...PROVIDERS[answers.provider], ...(answers.api_key_env ? { api_key_env: answers.api_key_env } : {}) };
  const endpoint = [`base_url: ${quote(answers.base_url ?? provider.base_url)}`, provider.api_key_env ? `api_key_env: ${provider.api_key_env}` : undefined, `flavor: ${provider.flavor}`].filter(Boolean).join(', ');
  const imported = answers.output_field !== undefined;
  const lines: string[] = [
    `# yaml-language-server: $schema=${paths.schema}`,
    `# ${answers.name}: a ${answers.kind} task, written by \`distillery init\`. Every key is described in the README's`,
    '# "Config reference"; your editor completes and checks them through the schema line above.',
    `name: ${quote(answers.name)}`,
    '',
    'endpoints:',
    `  provider: { ${endpoint} }${provider.api_key_env ? `   # the key is read from $${provider.api_key_env}, never written anywhere` : ''}`,
    '',
    '# prices:                      # USD per 1M tokens: needed for --estimate costs and teacher.max_cost',
    `#   ${quote(answers.teacher_model ?? 'teacher-model')}: { input: 0.20, output: 0.60 }`,
    '',
    `# The inputs: one row per task input. words/chars bounds, dedup: true and sample: { n, seed } are optional.`,
    `inputs: { path: ${quote(paths.inputs)}, field: ${quote(answers.field)}${imported ? `, output_field: ${quote(answers.output_field!)}` : ''} }`,
    '',
  ];
  if (imported) {
    lines.push('# No teacher section: the inputs already hold the teacher answers (inputs.output_field), so no model is called.', '');
  } else {
    lines.push(
      'teacher:',
      '  endpoint: provider',
      `  model: ${quote(answers.teacher_model!)}`,
      '  system: prompts/system.txt           # edit the prompt there; a change re-runs generation (cached answers are reused)',
      `  max_tokens: ${kind.maxTokens}`,
      '  temperature: 0',
      '  mode: sync                          # batch: provider Batch API at about half price, answers within 24 h',
      '  # max_cost: 5                       # USD; stops submitting once spent (needs prices:)',
      '',
    );
  }
  lines.push('curate:                             # filters, cheapest first; every dropped row lands in curate/dropped.jsonl with its reason');
  for (const filter of kind.curate(answers)) lines.push(`  - ${filter}`);
  lines.push('', 'split: { validation: 0.05, seed: 42 }', '');
  lines.push(
    'student:',
    `  base: ${quote(answers.student_base)}`,
    `  trainer: ${answers.trainer}${answers.trainer === 'hosted' ? '                     # the provider\'s fine-tuning API' : '                      # the Python worker on this machine (see distillery doctor)'}`,
    ...(answers.trainer === 'hosted' ? ['  endpoint: provider'] : []),
    '  system: prompts/system.txt',
    '  hyperparameters: { epochs: 3 }',
    '',
  );
  if (paths.evaluation !== undefined) {
    const column = answers.kind === 'classification' ? `label: ${quote(answers.eval_reference ?? 'label')}` : `references: ${quote(answers.eval_reference ?? 'reference')}`;
    const base = answers.trainer === 'hosted' ? `{ endpoint: provider, model: ${quote(answers.student_base)}, system: prompts/system.txt }` : `{ endpoint: local, model: ${quote(answers.student_base)}, system: prompts/system.txt }`;
    lines.push(
      `# Held-out evaluation: ${kind.why}; the student against the teacher and its untuned base.`,
      'evaluate:',
      `  data: { path: ${quote(paths.evaluation)}, input: ${quote(answers.eval_input)}, ${column} }`,
      '  models:',
      '    student: { from: train }',
      ...(imported ? [] : ['    teacher: { from: teacher }']),
      `    base: ${base}`,
      `  metrics: ${kind.metrics}`,
      '',
    );
  } else {
    lines.push('# evaluate: add held-out data with references to compare the student with the teacher (README: "Evaluate").', '');
  }
  const files: Record<string, string> = { 'task.yaml': lines.join('\n'), 'prompts/system.txt': kind.system(answers) };
  if (answers.kind === 'extraction') files['schemas/output.schema.json'] = EXTRACTION_SCHEMA;
  return files;
}
