/** The report's public surface: the report.json contract and the two renderers. */
export { evaluationReportSchema, type EvaluationReport, type MetricValue, type ModelReport } from './evaluation-report-schema.js';
export { readEarlierStages, type CurationFunnel, type EarlierStages, type LossCurves } from './earlier-stages.js';
export { renderHtml } from './html-report.js';
export { renderMarkdown } from './markdown-report.js';
export type { ReportContent, ReportExample } from './report-content.js';
