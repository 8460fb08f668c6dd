/** Freshness: measures what the warehouse holds (check.ts), fingerprints definitions (fingerprint.ts), and judges each target against its calendar, upstream writes and definition (assess.ts, pure). */
export * from './assess.js';
export * from './check.js';
export * from './state.js';
