import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelClient } from '../../llm/model-client.js';
import type { InputRecord } from '../inputs/input-record.js';
import type { GeneratedRecord, GenerationFailure } from './generated-record.js';
import type { AnswerFields, TeacherRequests } from './teacher-request.js';

export interface OutputsFigures {
  answered: number;
  truncated: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Inputs whose stored answer is not a row (`on_truncated: drop`). */
  dropped: GenerationFailure[];
}

/**
 * The row of one input, read from the response cache under the request hash of the config in force (the
 * single record of what was answered): undefined when that request was never answered. With
 * `on_truncated: retry` the answer to the retry request wins when there is one.
 */
export function storedRow(input: InputRecord, requests: TeacherRequests, client: ModelClient): { record: GeneratedRecord; answer: AnswerFields } | { dropped: GenerationFailure } | undefined {
  const { teacher } = requests;
  const first = client.cached(requests.parameters(input));
  if (first === undefined) return undefined;
  let maxTokens = teacher.max_tokens;
  let answer: AnswerFields = first;
  let record = requests.toRecord(input, first, maxTokens);
  if (!('rejection' in record) && record.truncated && teacher.on_truncated === 'retry' && requests.retryMaxTokens > maxTokens) {
    const retry = client.cached(requests.parameters(input, requests.retryMaxTokens));
    const retried = retry === undefined ? undefined : requests.toRecord(input, retry, requests.retryMaxTokens);
    if (retried !== undefined && !('rejection' in retried)) {
      record = retried;
      answer = retry!;
      maxTokens = requests.retryMaxTokens;
    }
  }
  // Only accepted answers are stored, so a rejection here means the rules changed: ask again.
  if ('rejection' in record) return undefined;
  if (record.truncated && teacher.on_truncated === 'drop') {
    return { dropped: { id: input.id, input: input.input, error: `truncated at ${maxTokens} tokens (teacher.on_truncated: drop)`, attempts: 1 } };
  }
  return { record, answer };
}

/**
 * Writes `generate/outputs.jsonl` from the stored answers, in input order: a temporary file, fsync, rename,
 * fsync of the folder. A kill at any instant leaves the previous file or the new one, never a mix, and the
 * file is never the record of progress (the cache is), so nothing in it can be torn or stale.
 */
export function writeOutputsFile(path: string, inputs: readonly InputRecord[], requests: TeacherRequests, client: ModelClient, onRow: (id: string) => void = () => undefined): OutputsFigures {
  const figures: OutputsFigures = { answered: 0, truncated: 0, prompt_tokens: 0, completion_tokens: 0, dropped: [] };
  const lines: string[] = [];
  let bytes = 0;
  writeFileDurably(path, (write) => {
    const drain = (): void => {
      write(`${lines.join('\n')}\n`);
      lines.length = 0;
      bytes = 0;
    };
    for (const input of inputs) {
      const row = storedRow(input, requests, client);
      if (row === undefined) continue;
      if ('dropped' in row) {
        figures.dropped.push(row.dropped);
        continue;
      }
      const line = JSON.stringify(row.record);
      onRow(input.id);
      figures.answered++;
      figures.truncated += row.record.truncated ? 1 : 0;
      figures.prompt_tokens += row.record.usage.prompt_tokens;
      figures.completion_tokens += row.record.usage.completion_tokens;
      lines.push(line);
      bytes += line.length;
      if (bytes >= 1 << 20) drain();
    }
    if (lines.length > 0) drain();
  });
  return figures;
}

/** Temp file + fsync + rename + fsync of the folder: the old content or the new, whatever happens. */
export function writeFileDurably(path: string, fill: (write: (text: string) => void) => void): void {
  // A temporary file of a run killed during its rewrite is garbage: the file it was to replace is whole.
  const prefix = `${basename(path)}.tmp-`;
  for (const name of readdirSync(dirname(path))) if (name.startsWith(prefix)) rmSync(join(dirname(path), name), { force: true });
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    fill((text) => writeSync(fd, text));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}
