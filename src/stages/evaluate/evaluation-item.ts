/** One evaluation item: what the models are asked, what they are scored against, and how it is grouped. */
export interface EvaluationItem {
  id: string;
  /** The input as the models see it (after `preprocess`). */
  input: string;
  /** Reference outputs after `preprocess`; used for matching and judging. */
  references: string[];
  /** The gold label, for classification tasks. */
  label: string | undefined;
  /** Input and references as written in the data file, for metrics defined on that text (JFLEG's GLEU). */
  original: { input: string; references: string[] };
  /** Stratum of the item for each `stratify` key (e.g. `length_bucket: "11-20"`). */
  strata: Record<string, string>;
}
