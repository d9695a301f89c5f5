// The serve section's schema lives with the rest of the config; re-exported for the gateway's modules.
export * from '../config/serve-config.js';
