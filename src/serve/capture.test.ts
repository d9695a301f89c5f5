import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../store/database.js';
import { captureInputs } from './capture.js';
import { RequestLog, type ServedRequest } from './request-log.js';

let database: SqliteDatabase | undefined;
afterEach(() => database?.close());

function served(input: string, fields: Partial<ServedRequest> = {}): ServedRequest {
  return {
    completionId: `chatcmpl-${Math.random()}`,
    at: '2026-11-23T10:00:00.000Z',
    model: 'grammar-checker',
    stream: false,
    input,
    studentOutput: `${input}!`,
    finalOutput: `${input}!`,
    servedBy: 'student',
    fallbackReason: null,
    fallbackDetail: null,
    status: 'ok',
    error: null,
    latencyMs: 12.5,
    promptTokens: 10,
    completionTokens: 3,
    ...fields,
  };
}

function logWith(rows: ServedRequest[]): RequestLog {
  database = openDatabase(':memory:');
  const log = new RequestLog(database);
  for (const row of rows) log.record(row);
  return log;
}

describe('captureInputs', () => {
  const rows = [
    served('fine input'),
    served('too long input', { servedBy: 'fallback', fallbackReason: 'input_too_long', studentOutput: null, finalOutput: 'teacher A' }),
    served('hard input', { at: '2026-11-23T11:00:00.000Z', servedBy: 'fallback', fallbackReason: 'verifier_failed', studentOutput: 'wrong', finalOutput: 'teacher B' }),
    served('hard input', { at: '2026-11-23T12:00:00.000Z', servedBy: 'fallback', fallbackReason: 'timeout', studentOutput: null, finalOutput: 'teacher C' }),
    served('lost input', { servedBy: null, status: 'failed', fallbackReason: 'error', studentOutput: null, finalOutput: null, error: 'HTTP 500' }),
  ];

  it('exports fallbacks once per input, student failures first, with stable ids and the teacher answer', () => {
    const captured = captureInputs(logWith(rows), 'fallback');
    expect(captured.map((row) => row.input)).toEqual(['hard input', 'too long input']);
    expect(captured[0]).toMatchObject({ requests: 2, student_failed: true, fallback_reasons: ['verifier_failed', 'timeout'], fallback_output: 'teacher C', student_output: 'wrong', last_seen: '2026-11-23T12:00:00.000Z' });
    expect(captured[0]!.id).toMatch(/^served-[0-9a-f]{16}$/);
    expect(captureInputs(logWith(rows), 'fallback')[0]!.id).toBe(captured[0]!.id);
  });

  it('selects what the student failed on, everything, or what came since a time', () => {
    expect(captureInputs(logWith(rows), 'failed').map((row) => row.input)).toEqual(['hard input', 'lost input']);
    expect(captureInputs(logWith(rows), 'all').map((row) => row.input)).toEqual(['hard input', 'lost input', 'fine input', 'too long input']);
    expect(captureInputs(logWith(rows), 'all', '2026-11-23T11:30:00Z')).toMatchObject([{ input: 'hard input', requests: 1, fallback_reasons: ['timeout'] }]);
  });
});
