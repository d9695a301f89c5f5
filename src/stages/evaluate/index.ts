/** The evaluate stage's public surface: what the pipeline, the config schema and the CLI use. */
export { runEvaluateStage, evaluateConfigOf, type EvaluateFigures } from './evaluate-stage.js';
export { evaluateConfigSchema, primaryMetricOf, type EvaluateConfig } from './evaluate-config.js';
export { fixedStudent, type StudentEndpoint, type StudentResolver } from './student-resolver.js';
export type { PredictionRecord } from './prediction-record.js';
export type { PairwiseJudgment, ReferenceJudgment } from './judgment-record.js';
