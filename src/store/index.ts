export * from './database.js';
export * from './response-cache.js';
export * from './run-state.js';
