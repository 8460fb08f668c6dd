#!/usr/bin/env node
// Holds a DuckDB file open, as a notebook or another tool would: `node hold-warehouse.mjs <db> <ready-file>`.
// Writes <ready-file> once the file is open and locked, then waits until it is killed.
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, ready] = process.argv.slice(2);
const instance = await DuckDBInstance.create(file);
const connection = await instance.connect();
await connection.run('CREATE TABLE IF NOT EXISTS held (x INTEGER)');
writeFileSync(ready, String(process.pid));
setInterval(() => undefined, 1000);
