/** Where the trained student answers: an endpoint name (configured, or the built-in `local` worker) and a model id. */
export interface StudentEndpoint {
  endpoint: string;
  /** The served model id: a hosted fine-tune's id, or the local worker's adapter name. */
  model: string;
}

/**
 * Resolves `models.student: { from: train }`. The pipeline builds it from the train stage's result (the
 * hosted job's fine-tuned model, or the local worker serving the adapter), so evaluation never imports the
 * train stage's code.
 */
export interface StudentResolver {
  resolveStudent(): Promise<StudentEndpoint>;
}

/** A resolver for a student that is already served (tests, `distillery evaluate --student-endpoint`). */
export function fixedStudent(endpoint: string, model: string): StudentResolver {
  return { resolveStudent: async () => ({ endpoint, model }) };
}
