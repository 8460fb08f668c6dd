/**
 * The DuckDB client, loaded with `require`: it is a CommonJS package of ~150 files, and
 * importing it from ESM makes Node lex every file for its exports, which cost more start-up
 * time than the native library itself. Types still come from a type-only import.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `@duckdb/node-api`, typed as usual. */
export const duckdb = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
