/**
 * The DuckDB client. `scripts/bundle.mjs` bundles it with dagrun: loaded file by file it is a
 * CommonJS package of ~125 files, which cost more start-up time than the native library itself.
 * The native bindings stay a separate package.
 */
import * as duckdbApi from '@duckdb/node-api';

/** `@duckdb/node-api`, typed as usual. */
export const duckdb = duckdbApi;
