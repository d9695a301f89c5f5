/** One line of `generate/outputs.jsonl`: the teacher's answer to one input. */
export interface GeneratedRecord {
  id: string;
  input: string;
  output: string;
  reasoning: string | null;
  finish_reason: string | null;
  truncated: boolean;
  usage: { prompt_tokens: number; completion_tokens: number };
  fields?: Record<string, unknown>;
}

/** One line of `generate/errors.jsonl`: an input that failed for good, with the last error. */
export interface GenerationFailure {
  id: string;
  input: string;
  error: string;
  attempts: number;
}
