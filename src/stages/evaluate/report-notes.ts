import type { ComparedModel } from './compared-model.js';
import { STUDENT, TEACHER } from './evaluate-config.js';
import type { ServingFigures } from './latency-cost.js';

/** The student's prompt is usually shorter than the teacher's (no few-shot examples): say so beside the costs. */
export function promptLengthNote(serving: Record<string, ServingFigures>, models: readonly ComparedModel[]): string[] {
  const student = serving[STUDENT]?.tokens_per_request.prompt;
  const teacherModel = models.find((model) => model.name === TEACHER);
  const teacher = serving[TEACHER]?.tokens_per_request.prompt;
  if (student === undefined || teacher === undefined || teacherModel === undefined || teacher === 0) return [];
  const examples = teacherModel.prompt.fewShot?.length ?? 0;
  const shots = examples > 0 ? ` with ${examples} few-shot examples` : '';
  return [`Prompt tokens per request: student ${student.toFixed(0)}, teacher ${teacher.toFixed(0)}${shots} (${((student / teacher) * 100).toFixed(0)}% of the teacher's); costs per 1k requests include this difference.`];
}

export function latencyNotes(serving: Record<string, ServingFigures>): string[] {
  const notes: string[] = [];
  for (const [name, figures] of Object.entries(serving)) {
    if (figures.cached > 0) notes.push(`${name}: ${figures.cached} of ${figures.n} answers came from the cache; their latency is the one recorded when first asked.`);
    if (figures.failed > 0) notes.push(`${name}: ${figures.failed} requests failed for good; their outputs count as wrong.`);
  }
  return notes;
}
