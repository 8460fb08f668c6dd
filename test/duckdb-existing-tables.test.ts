/**
 * Which tables exist, asked of a real DuckDB file both ways: a few looked up by name (outside a
 * transaction: what gates and loads ask, one target at a time) and many in one catalog scan.
 * The two must agree, views over missing tables included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingTables } from '../src/warehouse/duckdb-reads.js';

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
const catalog = 'w';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dagrun-exists-'));
  instance = await DuckDBInstance.create(path.join(dir, 'w.duckdb'));
  connection = await instance.connect();
  await connection.run(`CREATE SCHEMA raw; CREATE TABLE raw.games(d DATE); CREATE TABLE raw.gone(d DATE);
    CREATE VIEW raw.over_gone AS SELECT * FROM raw.gone; DROP TABLE raw.gone; CREATE VIEW raw.fine AS SELECT * FROM raw.games`);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('existingTables', () => {
  const asked = ['raw.games', 'RAW.Games', 'raw.nope', 'nope.games', 'raw.fine', 'raw.over_gone'];
  const exist = ['raw.games', 'RAW.Games', 'raw.fine', 'raw.over_gone'];

  it('by name, outside a transaction: tables and views (even one over a dropped table), any case; not a missing table or schema', async () => {
    for (const table of asked) expect(await existingTables(connection, [table], { autocommit: true, catalog }), table).toEqual(new Set(exist.includes(table) ? [table] : []));
  });

  it('agrees with one scan of the catalog, which answers inside a transaction and for many tables', async () => {
    expect(await existingTables(connection, asked)).toEqual(new Set(exist));
    const many = [...asked, ...Array.from({ length: 10 }, (_, i) => `raw.t${i}`)];
    expect(await existingTables(connection, many, { autocommit: true, catalog })).toEqual(new Set(exist));
    await connection.run('BEGIN TRANSACTION READ ONLY');
    expect(await existingTables(connection, asked)).toEqual(new Set(exist));
    await connection.run('ROLLBACK');
  });

  it('agrees with the scan where a name could mean something else: a dataset named like the file, DuckDB\'s own schemas', async () => {
    // the file is analytics.duckdb: "analytics"."daily" alone would be its main.daily
    const named = await DuckDBInstance.create(path.join(dir, 'analytics.duckdb'));
    const c = await named.connect();
    await c.run('CREATE TABLE main.daily(d DATE)');
    const names = ['analytics.daily', 'main.daily', 'pg_catalog.pg_class', 'information_schema.tables', 'main.duckdb_tables'];
    const scanned = await existingTables(c, names);
    expect(scanned).toEqual(new Set(['main.daily']));
    for (const name of names) expect(await existingTables(c, [name], { autocommit: true, catalog: 'analytics' }), name).toEqual(new Set(scanned.has(name) ? [name] : []));
    c.closeSync();
    named.closeSync();
  });
});
