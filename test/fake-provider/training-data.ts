import type { FileStore } from './files.js';
import { HttpError } from './http.js';
import { countPromptTokens } from './tokens.js';

/** Losses at the end of `epoch` (1-based) of `nEpochs`. */
export interface EpochLosses {
  train_loss: number;
  valid_loss: number;
}

export type LossCurve = (epoch: number, nEpochs: number) => EpochLosses;

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * Default curve: train loss falls every epoch; valid loss is lowest at epoch `nEpochs - 1` (for 2+ epochs) and
 * rises after, so "best valid loss" and "last" are different checkpoints.
 */
export const defaultLossCurve: LossCurve = (epoch, nEpochs) => {
  const best = Math.max(1, nEpochs - 1);
  const distance = epoch - best;
  return {
    train_loss: round(0.3 + 1.7 * 0.55 ** epoch),
    valid_loss: round(0.75 + (distance < 0 ? 0.2 : 0.08) * distance * distance),
  };
};

export interface TrainingFileSummary {
  lines: number;
  tokens: number;
  bytes: number;
}

/**
 * The training data a job refers to: it must exist (else 400 at creation) and have purpose `fine-tune`.
 * Its content is checked separately by `checkTrainingContent`, since the real APIs do that while validating.
 */
export function requireTrainingFile(files: FileStore, id: string, param: string): Buffer {
  const file = files.get(id);
  if (file === undefined) throw new HttpError(400, `invalid ${param}: ${id}`, 'invalid_request_error', 'invalid_value', param);
  if (file.object.purpose !== 'fine-tune') {
    throw new HttpError(400, `File ${id} has purpose '${file.object.purpose}', expected 'fine-tune'.`, 'invalid_request_error', 'invalid_value', param);
  }
  return file.content;
}

/** Check JSONL of `{messages: [...]}` rows; returns the summary or the reason it is unusable. */
export function checkTrainingContent(content: Buffer): TrainingFileSummary | { problem: string } {
  let lines = 0;
  let tokens = 0;
  const rows = content.toString('utf8').split('\n');
  for (const [index, text] of rows.entries()) {
    if (text.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      return { problem: `Line ${index + 1} is not valid JSON.` };
    }
    const messages = (row as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages) || messages.length === 0) return { problem: `Line ${index + 1} has no 'messages' array.` };
    lines += 1;
    tokens += countPromptTokens(messages as Array<{ content?: unknown }>);
  }
  if (lines === 0) return { problem: 'The file has no training examples.' };
  return { lines, tokens, bytes: content.length };
}
