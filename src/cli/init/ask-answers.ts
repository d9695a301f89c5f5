import { createInterface } from 'node:readline/promises';
import { TASK_KINDS } from './init-answers.js';

/** A raw answer as typed or given by flag: strings (labels comma-separated). */
export type RawAnswers = Record<string, string | undefined>;

interface Question {
  key: string;
  text: string;
  fallback?: (answers: RawAnswers) => string | undefined;
  when?: (answers: RawAnswers) => boolean;
}

const QUESTIONS: Question[] = [
  { key: 'name', text: 'Task name', fallback: () => 'my-task' },
  { key: 'kind', text: `Task kind (${TASK_KINDS.join(' / ')})`, fallback: () => 'free-form' },
  { key: 'labels', text: 'Labels, comma-separated', when: (answers) => answers.kind === 'classification' },
  { key: 'inputs', text: 'Inputs file (JSONL, CSV, Parquet; .gz/.zst too)' },
  { key: 'field', text: 'Column holding the input text', fallback: () => 'input' },
  { key: 'output_field', text: 'Column already holding teacher answers (empty: a teacher model answers)' },
  { key: 'provider', text: 'Provider (openai / nebius / together / local / custom)', fallback: () => 'openai' },
  { key: 'base_url', text: 'Base URL (OpenAI-compatible, ending in /v1)', when: (answers) => answers.provider === 'custom' },
  { key: 'api_key_env', text: 'Environment variable holding the API key', when: (answers) => answers.provider === 'custom' },
  { key: 'teacher_model', text: 'Teacher model id', when: (answers) => !answers.output_field },
  { key: 'student_base', text: 'Student base model (provider model id, or Hugging Face id for local training)' },
  { key: 'trainer', text: 'Trainer (hosted: the provider fine-tunes / local: this machine)', fallback: (answers) => (answers.provider === 'local' ? 'local' : 'hosted') },
  { key: 'eval_data', text: 'Evaluation file with references (empty: none yet)' },
  { key: 'eval_input', text: 'Evaluation column holding the input', when: (answers) => Boolean(answers.eval_data), fallback: (answers) => answers.field },
  {
    key: 'eval_reference',
    text: 'Evaluation column holding the reference (label for classification)',
    when: (answers) => Boolean(answers.eval_data),
    fallback: (answers) => (answers.kind === 'classification' ? 'label' : 'reference'),
  },
];

/** Asks, on a terminal, every question that no flag answered; Enter takes the default shown in brackets. */
export async function askMissing(given: RawAnswers, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<RawAnswers> {
  const answers: RawAnswers = { ...given };
  const terminal = createInterface({ input, output });
  try {
    for (const question of QUESTIONS) {
      if (answers[question.key] !== undefined || (question.when && !question.when(answers))) continue;
      const fallback = question.fallback?.(answers);
      const typed = (await terminal.question(`${question.text}${fallback ? ` [${fallback}]` : ''}: `)).trim();
      answers[question.key] = typed === '' ? fallback : typed;
    }
  } finally {
    terminal.close();
  }
  return answers;
}

/** Defaults for a non-interactive run (flags only): what Enter would have taken. */
export function withDefaults(given: RawAnswers): RawAnswers {
  const answers: RawAnswers = { ...given };
  for (const question of QUESTIONS) {
    if (answers[question.key] !== undefined || (question.when && !question.when(answers))) continue;
    answers[question.key] = question.fallback?.(answers);
  }
  return answers;
}
