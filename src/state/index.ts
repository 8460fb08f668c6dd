/** State: dagrun's own files under `.dagrun/` — private writes that fail in words (disk.ts), a bounded run history (retention.ts). */
export * from './disk.js';
export * from './retention.js';
