/** Config: read dag.json5 and the target files, validate them (shape → normalise → rules) into a `DagConfig`, the edges its targets imply, and the JSON Schema for editors. */
export type * from './inputs.js';
export * from './load.js';
export * from './diagnostics.js';
export * from './edges.js';
export * from './json-schema.js';
export type * from './types.js';
