/**
 * The version of the DuckDB engine dagrun runs, read from its bindings' package.json without
 * loading the engine (reads kept for a file are kept for one engine: another may answer
 * differently). "unknown" when it cannot be found.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export function duckdbEngineVersion(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve('@duckdb/node-bindings/package.json');
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
