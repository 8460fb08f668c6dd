/** Rows per date on a real DuckDB file: one grouped count per table, bounded by size; views and BigQuery not counted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../intervals/day.js';
import { DuckDbWarehouse } from './duckdb.js';
import { countRowsPerDate } from './row-counts.js';
import type { Warehouse } from './warehouse.js';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };

describe('countRowsPerDate', () => {
  let dir: string;
  let warehouse: DuckDbWarehouse;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-rows-'));
    const file = path.join(dir, 'w.duckdb');
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    await c.run(`CREATE SCHEMA raw; CREATE TABLE raw.games(game_date DATE, v INT);
      INSERT INTO raw.games VALUES ('2024-01-02', 1), ('2024-01-02', 2), ('2024-01-05', 1), ('2023-12-31', 1);
      CREATE VIEW raw.games_view AS SELECT * FROM raw.games;`);
    c.closeSync();
    instance.closeSync();
    warehouse = new DuckDbWarehouse({ path: file, searchPath: dir });
  });
  afterEach(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts rows per date within the window, and skips views and tables over the bound with a note', async () => {
    const probes = [{ table: 'raw.games', dateColumn: 'game_date' }, { table: 'raw.games_view', dateColumn: 'game_date' }];
    const counts = await countRowsPerDate(warehouse, probes, window);
    expect(counts.get('raw.games')).toEqual({ kind: 'counted', days: [dayOf('2024-01-02'), dayOf('2024-01-05')], counts: [2, 1] });
    expect(counts.get('raw.games_view')).toEqual({ kind: 'skipped', why: 'not counted: not a table (a view: counting would run its query)' });
    const bounded = await countRowsPerDate(warehouse, probes.slice(0, 1), window, 3);
    expect(bounded.get('raw.games')).toEqual({ kind: 'skipped', why: 'not counted: about 4 rows, over the 3 a report counts' });
  });

  it('sends BigQuery no query at all', async () => {
    const asked: string[] = [];
    const bigquery = { engine: 'bigquery', checkValues: async () => void asked.push('checkValues') } as unknown as Warehouse;
    const counts = await countRowsPerDate(bigquery, [{ table: 'd.t', dateColumn: 'd' }], window);
    expect(counts.get('d.t')).toMatchObject({ kind: 'skipped' });
    expect(asked).toEqual([]);
  });
});
