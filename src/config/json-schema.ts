/**
 * The JSON Schema files editors use to complete and check dag.json5 and target files
 * (`$schema: '../../schema/target.schema.json'`). They are generated from the same shapes
 * the validator checks (`schema.ts`), and a test keeps the committed copies in step.
 */
import { dagShape, targetShape } from './schema.js';
import { toJsonSchema } from './shape.js';

/** The folder, relative to the repository root, that holds the committed schema files. */
export const SCHEMA_DIR = 'schema';

/** Each schema file's name and its exact text (pretty-printed, ending in a newline). */
export function jsonSchemaFiles(): Record<string, string> {
  const render = (title: string, schema: Record<string, unknown>) =>
    JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema }, null, 2) + '\n';
  return {
    'dag.schema.json': render('dagrun pipeline (dag.json5)', toJsonSchema(dagShape)),
    'target.schema.json': render('dagrun target (targets/**/<name>.json5)', toJsonSchema(targetShape)),
  };
}
