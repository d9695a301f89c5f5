import { normalizeForMatch } from './text-match.js';

/** How a prediction's validity is settled before (or instead of) asking the judge. */
export type ReferenceDecision =
  | { decision: 'valid'; source: 'reference_match' }
  | { decision: 'invalid'; source: 'empty_output' | 'unchanged_input' }
  | { decision: 'judge' };

/**
 * The decision table of `reference_match_then_judge`:
 * - no output (the request failed) → invalid;
 * - equal (normalized) to one of the references → valid;
 * - equal to the unchanged input, when no reference leaves the input unchanged → invalid;
 * - anything else → the judge decides.
 */
export function decideByReference(input: string, references: readonly string[], prediction: string): ReferenceDecision {
  const normalized = normalizeForMatch(prediction);
  if (normalized === '') return { decision: 'invalid', source: 'empty_output' };
  const normalizedReferences = references.map(normalizeForMatch);
  if (normalizedReferences.includes(normalized)) return { decision: 'valid', source: 'reference_match' };
  const normalizedInput = normalizeForMatch(input);
  if (normalized === normalizedInput && !normalizedReferences.includes(normalizedInput)) return { decision: 'invalid', source: 'unchanged_input' };
  return { decision: 'judge' };
}
