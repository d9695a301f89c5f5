/** One task input as the inputs stage writes it to `inputs/inputs.jsonl`. */
export interface InputRecord {
  id: string;
  input: string;
  /** Extra columns the config keeps (category, template, …). */
  fields?: Record<string, unknown>;
  /** A teacher answer brought with the input (`inputs.output_field` or chat-log rows): no model is asked. */
  imported?: ImportedAnswer;
}

export interface ImportedAnswer {
  output: string;
  reasoning: string | null;
  finish_reason: string | null;
  truncated: boolean;
  /** Chat-log rows: the messages before the answer (the last user message is `input`). */
  prompt?: { role: string; content: string }[];
}
