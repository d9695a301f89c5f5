/** One generated task input, ready to be sent to the teacher; `fields` carries provenance (template id, operator, …). */
export interface SynthesizedInput {
  id: string;
  input: string;
  fields: Record<string, unknown>;
}
