/** Evaluation metrics: pure functions over sentences, plus scoreFiles for the CLI. */
export { type BleuOptions, type BleuResult, type BleuSmoothing, corpusBleu } from './bleu.js';
export { type ChrfOptions, type ChrfResult, corpusChrf } from './chrf.js';
export { type ClassificationOptions, type ClassificationReport, type LabelScores, classificationReport } from './classification.js';
export { type ExactMatchOptions, type ExactMatchResult, exactMatch, normalizeForExactMatch } from './exact-match.js';
export { type CorpusGleuResult, type GleuOptions, type GleuSummary, corpusGleu, sentenceGleu } from './gleu.js';
export { detokenizePunctuation, tokenizeLikeJfleg } from './jfleg-tokenization.js';
export { MetricInputError } from './metric-input-error.js';
export { PythonRandom, type PythonVersion } from './python-random.js';
export {
  type CorpusRougeLResult,
  type RougeLOptions,
  type RougeLScore,
  corpusRougeL,
  longestCommonSubsequence,
  rougeScoreTokenize,
  sentenceRougeL,
} from './rouge-l.js';
export { SACREBLEU_VERSION } from './sacrebleu-signature.js';
export { type FileMetric, type ScoreFilesRequest, type ScoreFilesResult, scoreFiles } from './score.js';
export { splitFileLines } from './text-lines.js';
export { tokenize13a } from './tokenizer-13a.js';
