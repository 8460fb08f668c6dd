/**
 * State: everything under `.dagrun/` — where each file lives (paths.ts), its format and how it is
 * read and written (run records, run folders, range logs, durations, live state, last status, kept warehouse reads, the cached pipeline),
 * the pipeline lock, a bounded run history, and private writes that fail in words (disk.ts).
 * Rendering what these files hold is report/'s job.
 */
export * from './disk.js';
export * from './durations-file.js';
export * from './last-status-file.js';
export * from './live-file.js';
export * from './lock.js';
export * from './lock-owner.js';
export * from './paths.js';
export * from './pipeline-cache-file.js';
export * from './range-log-file.js';
export * from './read-cache-file.js';
export * from './retention.js';
export * from './run-history.js';
export * from './run-record.js';
export * from './sealed-file.js';
