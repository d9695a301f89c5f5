/** A line of `evaluate/judgments.jsonl` for the reference judge: one per distinct (input, prediction) pair. */
export interface ReferenceJudgment {
  kind: 'reference';
  input: string;
  prediction: string;
  /** Every (model, item id) whose prediction this is. */
  predictions: { model: string; id: string }[];
  decision: 'valid' | 'invalid';
  source: 'reference_match' | 'unchanged_input' | 'empty_output' | 'judge';
  /** The judge's reply (reasoning removed) and whether it could be read; judged pairs only. */
  reply?: string;
  unparsable?: boolean;
  error?: string | null;
}

/** A line of `evaluate/judgments.jsonl` for a pairwise comparison of the student with another model. */
export interface PairwiseJudgment {
  kind: 'pairwise';
  id: string;
  /** The model shown first (as answer A). */
  first: string;
  second: string;
  /** Whether this is the extra, swapped-order judgment of a position-bias item. */
  swapped: boolean;
  verdict: 'first' | 'second' | 'tie' | 'unparsable';
  /** From the student's side. */
  outcome: 'win' | 'tie' | 'loss' | 'unparsable';
  /** No call was made: both answers are the same text. */
  identical: boolean;
  reply?: string;
  error?: string | null;
}
