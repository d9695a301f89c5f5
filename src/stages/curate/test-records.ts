import type { GeneratedRecord } from './record.js';

/** A record with sensible defaults, for tests. */
export function makeRecord(id: string, input: string, output: string, extra: Partial<GeneratedRecord> = {}): GeneratedRecord {
  return {
    id,
    input,
    output,
    reasoning: null,
    finish_reason: 'stop',
    truncated: false,
    usage: { prompt_tokens: 10, completion_tokens: 10 },
    ...extra,
  };
}
