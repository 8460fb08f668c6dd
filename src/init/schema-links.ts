/** `$schema` links from a new pipeline's files to the JSON Schema files of the dagrun that wrote them. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The schema folder of this dagrun: both dist/init/ (tsc's output) and dist/bundle/ (the bundle)
 * sit two levels below the package root, where schema/ is.
 */
const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/** Turns a file's folder (relative to the project) into the `$schema` value for dag.json5 or a target file. */
export interface SchemaLinks {
  readonly dag: string;
  readonly target: (folder: string) => string;
}

/**
 * Relative links from files in `projectDir` to the installed schema files (with `npm install -D
 * dagrun` in the project: `./node_modules/dagrun/schema/dag.schema.json`), in / form for editors.
 */
export function schemaLinks(projectDir: string, schemaDir: string = SCHEMA_DIR): SchemaLinks {
  const link = (folder: string, file: string) => {
    const relative = path.relative(path.join(projectDir, folder), path.join(schemaDir, file)).split(path.sep).join('/');
    return relative.startsWith('.') ? relative : `./${relative}`;
  };
  return { dag: link('.', 'dag.schema.json'), target: (folder) => link(folder, 'target.schema.json') };
}
