/** Core: results, failures, diagnostics and the small primitives every stage shares. */
export * from './result.js';
export * from './errors.js';
export * from './cycles.js';
