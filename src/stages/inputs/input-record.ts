/** One task input as the inputs stage writes it to `inputs/inputs.jsonl`. */
export interface InputRecord {
  id: string;
  input: string;
  /** Extra columns the config keeps (category, template, …). */
  fields?: Record<string, unknown>;
}
