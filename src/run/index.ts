/**
 * The run: a session (the pipeline loaded, the selection and the window resolved), the pipeline
 * opened under its lock with the selection measured, and a build executed behind its gates with
 * its record kept; reads of a DuckDB file kept for it as it is (read-cache.ts). CLI commands call
 * these and keep only arguments, signals and exit codes.
 */
export * from './build.js';
export * from './connection.js';
export * from './pipeline.js';
export * from './pipeline-load.js';
export * from './plan-selection.js';
export * from './read-cache.js';
export * from './run-tap.js';
export * from './session.js';
export * from './status.js';
export * from './status-document.js';
