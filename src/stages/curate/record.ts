// Curation reads what generation writes; the format is owned by the generate stage.
export { GeneratedRecordSchema, type GeneratedRecord } from '../generate/generated-record.js';
