/**
 * `dagrun init`: the files of a new pipeline — a small working starter, or target files for the
 * tables an existing warehouse already holds.
 */
export { starterPipeline, STARTER_SEED_SQL, type StarterPipeline } from './starter.js';
export { pipelineFromTables, type TableFinding, type PipelineFromTables } from './from-tables.js';
export { existingFiles, writeFiles, type ProjectFiles } from './files.js';
export { schemaLinks, type SchemaLinks } from './schema-links.js';
