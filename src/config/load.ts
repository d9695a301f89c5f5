import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { promptSchema, taskSchema, type TaskConfigParsed } from './schema.js';
import { importsTeacherOutputs } from './teacher-section.js';

export interface LoadedTask {
  /** Absolute path of the config file. */
  file: string;
  /** Directory that relative paths in the config are resolved against. */
  dir: string;
  config: TaskConfigParsed;
  /** The raw text's hash inputs: the parsed document before defaults, for the resolved copy in the run. */
  raw: unknown;
}

/** Reads a YAML or JSON task file, validates it and names the key, file and line of the first problems. */
export function loadTask(path: string): LoadedTask {
  const file = resolve(path);
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`, file);
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ConfigError(`${file}: ${extname(file) === '.json' ? 'JSON' : 'YAML'} syntax: ${first.message}`, file);
  }
  const raw: unknown = document.toJS();
  const parsed = taskSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => {
      const key = issue.path.map(String).join('.') || '(top level)';
      // An unknown key is pointed at where it is written, not at the map that holds it.
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const node = nodeAt(document.contents, path);
      const where = node?.range ? `:${lineCounter.linePos(node.range[0]).line}` : '';
      return `${file}${where}: ${key}: ${describeIssue(issue)}`;
    });
    const firstKey = parsed.error.issues[0]?.path.map(String).join('.');
    throw new ConfigError(`invalid config\n  ${lines.join('\n  ')}`, file, firstKey);
  }
  const config = parsed.data;
  checkReferences(config, file);
  return { file, dir: dirname(file), config, raw };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
  return issue.message;
}

function nodeAt(node: unknown, path: readonly PropertyKey[]): Node | undefined {
  let current = node as Node | undefined;
  for (const segment of path) {
    if (isMap(current)) current = current.get(String(segment), true) as Node | undefined;
    else if (isSeq(current)) current = current.get(Number(segment), true) as Node | undefined;
    else break;
  }
  return current;
}

/** Built-in endpoint names that need no `endpoints:` entry. */
export const BUILTIN_ENDPOINTS = new Set(['local']);

/** The checks that span sections (a schema checks one key at a time); also run on each compare variant. */
export function checkReferences(config: TaskConfigParsed, file: string): void {
  const known = new Set([...Object.keys(config.endpoints), ...BUILTIN_ENDPOINTS]);
  const references: [string, string | undefined][] = [
    ['teacher.endpoint', config.teacher?.endpoint],
    ['student.endpoint', config.student?.endpoint],
    ['embeddings.endpoint', config.embeddings?.endpoint],
  ];
  for (const [key, name] of references) {
    if (name !== undefined && !known.has(name)) {
      throw new ConfigError(
        `${file}: ${key}: unknown endpoint '${name}' (defined: ${[...known].join(', ') || 'none'})`,
        file,
        key,
      );
    }
  }
  if (config.student?.trainer === 'hosted' && !config.student.endpoint) {
    throw new ConfigError(`${file}: student.endpoint: required when student.trainer is hosted`, file, 'student.endpoint');
  }
  if (!config.teacher && !importsTeacherOutputs(config)) {
    throw new ConfigError(
      `${file}: teacher: required (the model that answers the inputs), unless the inputs bring their answers: inputs.output_field, or inputs.format: chat`,
      file,
      'teacher',
    );
  }
  // An assistant prefix is continued only by servers that render the chat template (continue_final_message);
  // OpenAI and Together drop that field, so the prefix would silently stop being a prefix and change the answers.
  const teacherEndpoint = config.teacher ? config.endpoints[config.teacher.endpoint] : undefined;
  if (config.teacher?.assistant_prefix && (teacherEndpoint?.flavor === 'openai' || teacherEndpoint?.flavor === 'together')) {
    throw new ConfigError(
      `${file}: teacher.assistant_prefix: endpoint '${config.teacher.endpoint}' has flavor ${teacherEndpoint.flavor}, which cannot continue an assistant prefix; ` +
        'set its flavor to vllm, nebius or local (servers that render the chat template), or remove the prefix',
      file,
      'teacher.assistant_prefix',
    );
  }
  // A prefix (an empty <think></think> block) closes the reasoning the trace should fill: training on both is a contradiction.
  if (config.split.include_reasoning && config.student?.assistant_prefix) {
    throw new ConfigError(
      `${file}: student.assistant_prefix: ${JSON.stringify(config.student.assistant_prefix)} conflicts with split.include_reasoning: true ` +
        '(the target starts with the teacher\'s reasoning, not a fixed prefix); remove the prefix or set include_reasoning: false',
      file,
      'student.assistant_prefix',
    );
  }
  if (!config.inputs.path && !config.inputs.synthesize) {
    throw new ConfigError(`${file}: inputs: give a path or a synthesize section`, file, 'inputs');
  }
}

/** Resolves a path from the config against the config's directory. */
export function resolvePath(task: Pick<LoadedTask, 'dir'>, path: string): string {
  return isAbsolute(path) ? path : resolve(task.dir, path);
}

const PROMPT_FILE = /^[^\n]+\.(txt|md|prompt|jinja|j2)$/;

/**
 * A prompt is a literal, `{ file }`, `{ text }`, or a one-line string ending in .txt/.md/.prompt that names a
 * file relative to the config (which must then exist: a missing prompt file is an error, not a literal prompt).
 */
export function resolvePrompt(
  task: Pick<LoadedTask, 'dir' | 'file'>,
  prompt: z.infer<typeof promptSchema> | undefined,
  key: string,
): string | undefined {
  if (prompt === undefined) return undefined;
  let path: string | undefined;
  if (typeof prompt === 'string') {
    if (!PROMPT_FILE.test(prompt.trim())) return prompt;
    path = prompt.trim();
  } else if ('text' in prompt) {
    return prompt.text;
  } else {
    path = prompt.file;
  }
  const absolute = resolvePath(task, path);
  if (!existsSync(absolute)) throw new ConfigError(`${task.file}: ${key}: prompt file not found: ${absolute}`, task.file, key);
  return readFileSync(absolute, 'utf8').trimEnd();
}
