import { existsSync } from 'node:fs';
import { resolvePath, type LoadedTask } from '../../config/load.js';
import { DistilleryError } from '../../errors.js';
import { installedWorkerPython } from '../../local-worker/worker-environment.js';
import { parseJsonLine, runWorker } from '../train/local/worker-process.js';
import { tokenStatisticsSchema, type TokenStatistics } from './token-statistics.js';

/** Counts tokens of a chat JSONL file with the student's real tokenizer. */
export type TokenCounter = (file: string) => Promise<TokenStatistics>;

/**
 * The student's tokenizer through the worker's `tokens` command, when the trainer is local and a worker
 * environment is already there (never installed for this). Hugging Face runs offline: a tokenizer that is
 * neither a local folder nor in the cache is unavailable, not a download.
 */
export function workerTokenCounter(task: LoadedTask, environment: NodeJS.ProcessEnv, signal: AbortSignal): TokenCounter | undefined {
  const student = task.config.student;
  if (student?.trainer !== 'local') return undefined;
  const python = installedWorkerPython({ environment, configuredPython: student.python });
  if (python === undefined) return undefined;
  const local = resolvePath(task, student.base);
  const tokenizer = existsSync(local) ? local : student.base;
  return async (file) => {
    const lines: string[] = [];
    const args = ['tokens', '--tokenizer', tokenizer, file, ...(student.trust_remote_code ? ['--trust-remote-code'] : [])];
    const exit = await runWorker({ python, args, environment: { HF_HUB_OFFLINE: '1', ...environment }, signal, onLine: (line) => lines.push(line) });
    const parsed = exit.code === 0 ? tokenStatisticsSchema.safeParse(parseJsonLine(lines.at(-1))) : undefined;
    if (parsed?.success) return parsed.data;
    throw new DistilleryError(`the worker's tokens command failed (status ${exit.code}): ${exit.logTail.slice(-3).join(' | ') || lines.at(-1) || 'no output'}`);
  };
}
