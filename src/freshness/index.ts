/** Freshness: measures what the warehouse holds (check.ts) and judges each target against its calendar and upstream (missing.ts, pure). */
export * from './assess.js';
export * from './check.js';
export * from './state.js';
