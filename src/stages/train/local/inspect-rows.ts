import { existsSync } from 'node:fs';
import { z } from 'zod';
import { resolvePath, type LoadedTask } from '../../../config/load.js';
import { DistilleryError } from '../../../errors.js';
import { studentSettings } from '../student-settings.js';
import { parseJsonLine, runWorker } from './worker-process.js';

/** The worker's `inspect` report (worker/distillery_worker/inspection.py). */
export const inspectionSchema = z.object({
  file: z.string(),
  template: z.string(),
  max_length: z.number().int(),
  conversations: z.number().int(),
  sequences: z.number().int(),
  truncated: z.number().int(),
  answers_losing_end_token: z.number().int(),
  tokens: z.object({ total: z.number().int(), max: z.number().int(), trained_total: z.number().int() }),
  rows: z.array(
    z.object({
      row: z.number().int(),
      segments: z.array(z.object({ text: z.string(), trained: z.boolean(), tokens: z.number().int() })),
      tokens: z.number().int(),
      trained_tokens: z.number().int(),
      truncated_tokens: z.number().int(),
      loses_end_token: z.boolean(),
    }),
  ),
});
export type Inspection = z.infer<typeof inspectionSchema>;

/** Worker default when `student.hyperparameters.max_length` is not set (jobfile.py). */
const WORKER_MAX_LENGTH = 1024;

/** Renders the student's training file with its own chat template and masking, through the worker. */
export async function inspectTrainingRows(task: LoadedTask, file: string, rows: number, python: string, environment: NodeJS.ProcessEnv): Promise<Inspection> {
  if (!existsSync(file)) throw new DistilleryError(`no training file at ${file}: run the split stage first (distillery split)`);
  const { student, hyperparameters, baseModel } = studentSettings(task);
  const local = resolvePath(task, student.base);
  const args = [
    'inspect',
    '--tokenizer', existsSync(local) ? local : baseModel,
    file,
    '--max-length', String(hyperparameters.max_length ?? WORKER_MAX_LENGTH),
    '--rows', String(rows),
    '--assistant-prefix', student.assistant_prefix,
    ...(student.trust_remote_code ? ['--trust-remote-code'] : []),
  ];
  const lines: string[] = [];
  const exit = await runWorker({ python, args, environment, onLine: (line) => lines.push(line) });
  const last = parseJsonLine(lines.at(-1));
  if (exit.code !== 0) {
    const error = z.object({ type: z.string(), message: z.string() }).safeParse(last);
    throw new DistilleryError(error.success ? `inspect: ${error.data.type}: ${error.data.message}` : `the worker's inspect command failed (status ${exit.code}): ${exit.logTail.slice(-3).join(' | ')}`);
  }
  const parsed = inspectionSchema.safeParse(last);
  if (!parsed.success) throw new DistilleryError(`the worker's inspect command printed an unexpected report: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** Trained spans between ⟦ ⟧ (or in colour on a terminal); counts and what max_length cuts, per row and overall. */
export function formatInspection(report: Inspection, colour = false): string {
  const mark = (text: string): string => (colour ? `\u001b[42;30m${text}\u001b[0m` : `⟦${text}⟧`);
  const out: string[] = [];
  for (const row of report.rows) {
    const cut = row.truncated_tokens > 0 ? `, ${row.truncated_tokens} cut by max_length${row.loses_end_token ? ' — the answer loses its end-of-turn token' : ''}` : '';
    out.push(`── row ${row.row}: ${row.tokens} tokens, ${row.trained_tokens} trained${cut}`);
    out.push(row.segments.map((segment) => (segment.trained ? mark(segment.text) : segment.text)).join(''));
    out.push('');
  }
  out.push(`${report.conversations} conversations → ${report.sequences} training sequences (chat template of ${report.template})`);
  out.push(`${report.tokens.total} tokens, ${report.tokens.trained_total} trained; longest ${report.tokens.max} (max_length ${report.max_length})`);
  out.push(`${report.truncated} sequence(s) truncated by max_length; ${report.answers_losing_end_token} answer(s) lose their end-of-turn token`);
  if (!colour) out.push('Trained text is between ⟦ ⟧; everything else is context the loss ignores.');
  return `${out.join('\n')}\n`;
}
