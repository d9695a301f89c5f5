import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import { askMissing, withDefaults, type RawAnswers } from './init/ask-answers.js';
import { initAnswersSchema, missingTogether, type InitAnswers } from './init/init-answers.js';
import { taskFiles } from './init/task-files.js';

interface InitOptions extends Record<string, string | boolean | undefined> {
  yes?: boolean;
  force?: boolean;
}

const FLAGS: [flag: string, key: string, description: string][] = [
  ['--name <name>', 'name', 'task name (names the run folder)'],
  ['--kind <kind>', 'kind', 'classification | extraction | rewriting | free-form'],
  ['--labels <a,b,c>', 'labels', 'classification labels'],
  ['--inputs <file>', 'inputs', 'the inputs file (JSONL, CSV, Parquet; .gz/.zst)'],
  ['--field <column>', 'field', 'column holding the input text (default input)'],
  ['--output-field <column>', 'output_field', 'column already holding teacher answers: no teacher is called'],
  ['--provider <name>', 'provider', 'openai | nebius | together | local | custom'],
  ['--base-url <url>', 'base_url', 'provider custom: OpenAI-compatible base URL'],
  ['--api-key-env <NAME>', 'api_key_env', 'environment variable holding the API key'],
  ['--teacher-model <id>', 'teacher_model', 'the teacher model'],
  ['--student-base <id>', 'student_base', 'the student base model'],
  ['--trainer <kind>', 'trainer', 'hosted | local'],
  ['--eval-data <file>', 'eval_data', 'evaluation file with references or labels'],
  ['--eval-input <column>', 'eval_input', 'evaluation column holding the input'],
  ['--eval-reference <column>', 'eval_reference', 'evaluation column holding the reference (or the label)'],
];

export function registerInit(program: Command): void {
  const command = program
    .command('init')
    .description('write a commented task.yaml (and prompt files) for a task of your own: asks on a terminal, or takes flags (--yes, or stdin not a TTY)')
    .argument('[dir]', 'folder for the task', '.')
    .option('--yes', 'ask nothing: flags and defaults only')
    .option('--force', 'overwrite an existing task.yaml');
  for (const [flag, , description] of FLAGS) command.option(flag, description);
  command.action(async (dir: string, options: InitOptions) => {
    const given: RawAnswers = {};
    for (const [flag, key] of FLAGS) {
      const optionName = flag.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
      const value = options[optionName];
      if (typeof value === 'string') given[key] = value;
    }
    given.name ??= basename(resolve(dir)).replace(/[^\w.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'my-task';
    const interactive = !options.yes && process.stdin.isTTY === true;
    const raw = interactive ? await askMissing(given, process.stdin, process.stderr) : withDefaults(given);
    const answers = parseAnswers(raw);
    const target = resolve(dir);
    const written = writeTask(target, answers, Boolean(options.force));
    const config = relative(process.cwd(), join(target, 'task.yaml')) || 'task.yaml';
    const runDir = join('runs', answers.name);
    const key = answers.provider === 'custom' ? answers.api_key_env : answers.api_key_env ?? keyOf(answers.provider);
    process.stdout.write(
      [
        `wrote ${written.map((file) => relative(process.cwd(), file)).join(', ')}`,
        '',
        'next:',
        ...(key ? [`  export ${key}=…                                   # the key, read only from this variable`] : []),
        `  npx distillery doctor ${config}                       # keys, engines, GPU, disk, endpoints`,
        ...(answers.output_field ? [] : [`  npx distillery generate ${config} --run-dir ${runDir} --estimate   # tokens and cost, nothing sent`]),
        `  npx distillery run ${config} --run-dir ${runDir} --to curate   # then read ${runDir}/curate/funnel.json`,
        `  npx distillery run ${config} --run-dir ${runDir}`,
        '',
      ].join('\n'),
    );
  });
}

function keyOf(provider: string): string | undefined {
  return ({ openai: 'OPENAI_API_KEY', nebius: 'NEBIUS_API_KEY', together: 'TOGETHER_API_KEY' } as Record<string, string>)[provider];
}

function parseAnswers(raw: RawAnswers): InitAnswers {
  const candidate: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || value === '') continue;
    candidate[key] = key === 'labels' ? value.split(',').map((label) => label.trim()).filter(Boolean) : value;
  }
  const parsed = initAnswersSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return { key, message: issue.code === 'invalid_type' && candidate[key] === undefined ? 'required' : issue.message };
    });
    for (const problem of missingTogether(candidate)) if (!issues.some((issue) => issue.key === problem.key)) issues.push(problem);
    const problems = issues.map(({ key, message }) => `  --${key.replace(/_/g, '-')}: ${message}`);
    throw new ConfigError(`init: the task is not complete:\n${problems.join('\n')}`, 'init');
  }
  return parsed.data;
}

function writeTask(target: string, answers: InitAnswers, force: boolean): string[] {
  const taskFile = join(target, 'task.yaml');
  if (existsSync(taskFile) && !force) throw new ConfigError(`${taskFile} exists: pass --force to overwrite it`, taskFile);
  const fromTarget = (path: string): string => relative(target, resolve(path)) || '.';
  const schema = join(workerDirectory(), '..', 'schema', 'task.schema.json');
  const files = taskFiles(answers, {
    inputs: fromTarget(answers.inputs),
    evaluation: answers.eval_data === undefined ? undefined : fromTarget(answers.eval_data),
    schema: relative(target, schema),
  });
  const written: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const file = join(target, path);
    if (path !== 'task.yaml' && existsSync(file) && !force) continue; // an edited prompt is kept
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(file);
  }
  return written;
}
