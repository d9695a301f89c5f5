// The evaluate section's schema lives with the rest of the config; re-exported for the stage's modules.
export * from '../../config/evaluate-config.js';
