import { sha256 } from '../llm/cache-key.js';
import type { LoggedRequest, RequestLog, RequestSelection } from './request-log.js';

/** One captured input, ready for the next round's inputs file (`{id, input}` plus what was learned about it). */
export interface CapturedInput {
  id: string;
  input: string;
  /** How many logged requests had this input. */
  requests: number;
  /** The student failed on it at least once (error, timeout, verifier). */
  student_failed: boolean;
  fallback_reasons: string[];
  /** The latest answer the fallback gave (a ready teacher output), if any. */
  fallback_output: string | null;
  student_output: string | null;
  last_seen: string;
}

const STUDENT_FAILURES = new Set(['error', 'timeout', 'verifier_failed']);

/**
 * Logged inputs, one row per distinct input (the id is a hash of it, so it is stable across captures), those
 * the student failed on first, then by first appearance.
 */
export function captureInputs(log: RequestLog, selection: RequestSelection, since?: string): CapturedInput[] {
  const byInput = new Map<string, CapturedInput & { order: number }>();
  const rows: LoggedRequest[] = log.select(selection, since === undefined ? undefined : new Date(since).toISOString());
  rows.forEach((row, order) => {
    if (row.input.trim() === '') return;
    const captured = byInput.get(row.input) ?? {
      id: `served-${sha256(row.input).slice(0, 16)}`,
      input: row.input,
      requests: 0,
      student_failed: false,
      fallback_reasons: [],
      fallback_output: null,
      student_output: null,
      last_seen: row.at,
      order,
    };
    captured.requests++;
    captured.last_seen = row.at;
    if (row.fallbackReason !== null) {
      if (!captured.fallback_reasons.includes(row.fallbackReason)) captured.fallback_reasons.push(row.fallbackReason);
      if (STUDENT_FAILURES.has(row.fallbackReason)) captured.student_failed = true;
    }
    if (row.servedBy === 'fallback' && row.finalOutput !== null) captured.fallback_output = row.finalOutput;
    if (row.studentOutput !== null) captured.student_output = row.studentOutput;
    byInput.set(row.input, captured);
  });
  return [...byInput.values()]
    .sort((left, right) => Number(right.student_failed) - Number(left.student_failed) || left.order - right.order)
    .map(({ order: _order, ...captured }) => captured);
}
