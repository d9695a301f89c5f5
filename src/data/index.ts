export * from './jsonl.js';
export * from './tabular.js';
export * from './text.js';
