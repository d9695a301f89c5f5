/** `distillery ui`: a read-only dashboard over run directories. */
export { RunCatalog, type RunEntry } from './run-catalog.js';
export { startUiServer, type UiServer, type UiServerOptions } from './ui-server.js';
export { createUiApp } from './ui-app.js';
export { shellQuote } from './shell-quote.js';
