/** Config: read dag.json5 and the target files, validate them (shape → normalise → rules) into a `DagConfig`, and the JSON Schema for editors. */
export * from './load.js';
export * from './diagnostics.js';
export * from './json-schema.js';
export type * from './types.js';
