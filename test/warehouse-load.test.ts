/**
 * Rows handed over by commands (`build.output`) and write records, against a real DuckDB file:
 * a range's rows and its records land together or not at all, a bad file changes nothing,
 * and the warehouse's own clock orders writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { type LoadRequest, UNFINISHED } from '../src/warehouse/warehouse.js';
import { dayOf, formatDay } from '../src/intervals/day.js';
import { writeGroupsOf } from './helpers/write-groups.js';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
const days = (...isos: string[]) => isos.map(dayOf);

describe('DuckDbWarehouse.loadRows', () => {
  let dir: string;
  let warehouse: DuckDbWarehouse;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-load-'));
    warehouse = new DuckDbWarehouse({ path: path.join(dir, 'w.duckdb'), searchPath: dir });
  });
  afterEach(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A load request for `dates` of table s.t from `file` (written with `content`). */
  function request(name: string, content: string, dates: string[], extra: Partial<LoadRequest> = {}): LoadRequest {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    const ds = days(...dates);
    return {
      target: 't', table: 's.t', dateColumn: 'd', file, format: (extra.format ?? path.extname(name).slice(1)) as LoadRequest['format'],
      start: ds[0]!, end: ds[ds.length - 1]!, dates: ds, allowEmptyDates: false, labels: {},
      record: { target: 't', days: ds, fingerprint: 'f1', runId: 'r1' }, ...extra,
    };
  }

  async function rows(sql = 'SELECT CAST(d AS VARCHAR) AS d, id::INTEGER, v::INTEGER FROM s.t ORDER BY d, id'): Promise<unknown[][]> {
    await warehouse.close();
    const instance = await DuckDBInstance.create(path.join(dir, 'w.duckdb'));
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowsJS();
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  async function recorded(): Promise<{ fingerprint: string; days: string[]; unfinishedRun?: string }[]> {
    const groups = writeGroupsOf(await warehouse.readWriteRanges(['t'], window));
    return groups
      .map((g) => ({ fingerprint: g.fingerprint, days: [...g.days].sort((a, b) => a - b).map(formatDay), ...(g.unfinishedRun ? { unfinishedRun: g.unfinishedRun } : {}) }))
      .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
  }

  it('creates the table from a CSV, then replaces exactly the dates handed over, with their records', async () => {
    const first = request('a.csv', 'd,id,v\n2024-01-01,0007,1\n2024-01-02,0008,1\n2024-01-03,0009,1\n', ['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(await warehouse.loadRows(first)).toEqual({ rows: 3 });
    // the second range replaces 01-02 only: its old row goes, 01-01 and 01-03 stay
    const second = request('b.csv', 'd,id,v\n2024-01-02,0010,2\n2024-01-02,0011,2\n', ['2024-01-02'], {
      record: { target: 't', days: days('2024-01-02'), fingerprint: 'f2', runId: 'r2' },
    });
    expect(await warehouse.loadRows(second)).toEqual({ rows: 2 });
    expect(await recorded()).toEqual([
      { fingerprint: 'f1', days: ['2024-01-01', '2024-01-03'] },
      { fingerprint: 'f2', days: ['2024-01-02'] },
    ]);
    // ids keep their leading zeros in the second file too: an existing table's types apply to CSV
    expect(await rows('SELECT CAST(d AS VARCHAR), id, v::INTEGER FROM s.t ORDER BY d, id')).toEqual([
      ['2024-01-01', '0007', 1], ['2024-01-02', '0010', 2], ['2024-01-02', '0011', 2], ['2024-01-03', '0009', 1],
    ]);
  });

  it('loads NDJSON (text ids stay text) and Parquet', async () => {
    await warehouse.loadRows(request('a.ndjson', '{"d":"2024-01-05","id":"0022","v":1.5}\n', ['2024-01-05']));
    expect(await rows('SELECT CAST(d AS VARCHAR), id, v FROM s.t')).toEqual([['2024-01-05', '0022', 1.5]]);
    warehouse = new DuckDbWarehouse({ path: path.join(dir, 'w.duckdb'), searchPath: dir });
    const parquet = path.join(dir, 'p.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    await c.run(`COPY (SELECT DATE '2024-01-06' AS d, '0023' AS id, 2.5 AS v) TO '${parquet}' (FORMAT parquet)`);
    c.closeSync();
    instance.closeSync();
    await warehouse.loadRows({ ...request('unused.parquet', '', ['2024-01-06']), file: parquet });
    expect(await rows('SELECT CAST(d AS VARCHAR), id, v FROM s.t ORDER BY d')).toEqual([['2024-01-05', '0022', 1.5], ['2024-01-06', '0023', 2.5]]);
  });

  it('refuses rows dated outside the dates handed over, naming them, and changes nothing', async () => {
    await warehouse.loadRows(request('a.csv', 'd,id,v\n2024-01-01,1,1\n', ['2024-01-01']));
    const bad = request('b.csv', 'd,id,v\n2024-01-01,2,2\n2024-01-09,3,2\n2024-01-10,4,2\n', ['2024-01-01']);
    await expect(warehouse.loadRows(bad)).rejects.toThrow('CSV output of t: rows dated outside the dates handed over: 2024-01-09..2024-01-10');
    expect(await rows()).toEqual([['2024-01-01', 1, 1]]);
  });

  it('refuses dates of the range that came back with no rows unless the target allows it', async () => {
    const some = request('a.csv', 'd,id,v\n2024-01-01,1,1\n', ['2024-01-01', '2024-01-02', '2024-01-03']);
    await expect(warehouse.loadRows(some)).rejects.toThrow(
      'CSV output of t: no rows for 2024-01-02..2024-01-03 (set build.allowEmptyDates if a date may have none)',
    );
    await expect(warehouse.loadRows({ ...some, allowEmptyDates: true })).resolves.toEqual({ rows: 1 });
    // an empty file is zero rows: allowed, it empties the dates and records them
    await warehouse.loadRows({ ...request('empty.csv', '', ['2024-01-01']), allowEmptyDates: true });
    expect(await rows()).toEqual([]);
  });

  it('names a missing file, a missing date column and undated rows', async () => {
    const missing = { ...request('x.csv', '', ['2024-01-01']), file: path.join(dir, 'never-written.csv') };
    await expect(warehouse.loadRows(missing)).rejects.toThrow(/the command exited 0 but wrote no file at .*never-written\.csv/);
    await expect(warehouse.loadRows(request('a.csv', 'day,v\n2024-01-01,1\n', ['2024-01-01']))).rejects.toThrow(
      'CSV output of t: the rows have no date column "d" (columns: day, v)',
    );
    await expect(warehouse.loadRows(request('b.csv', 'd,v\n2024-01-01,1\n,2\n', ['2024-01-01']))).rejects.toThrow('CSV output of t: 1 row has no d');
  });

  it('marks days unfinished until their records land, and stamps writes with a clock later than every record', async () => {
    await warehouse.recordWrites([{ target: 't', days: days('2024-01-01'), writtenAt: 4e12, fingerprint: 'future', runId: 'r0' }]);
    await warehouse.beginWrites({ target: 't', days: days('2024-01-02', '2024-01-03'), fingerprint: 'f1', runId: 'r1' });
    expect(await recorded()).toEqual([
      { fingerprint: UNFINISHED, days: ['2024-01-02', '2024-01-03'], unfinishedRun: 'r1' },
      { fingerprint: 'future', days: ['2024-01-01'] },
    ]);
    await warehouse.recordWrites([{ target: 't', days: days('2024-01-02'), fingerprint: 'f1', runId: 'r1' }]);
    const records = await warehouse.readWrites(['t'], window);
    const at = (day: string) => records.find((r) => r.day === dayOf(day))!;
    expect(at('2024-01-03').fingerprint).toBe(UNFINISHED); // never finished
    expect(at('2024-01-02').fingerprint).toBe('f1');
    // a record from a machine whose clock ran ahead (4e12 ms) still comes before a later write
    expect(at('2024-01-02').writtenAt).toBeGreaterThan(at('2024-01-01').writtenAt);
    expect(at('2024-01-02').writtenAt).toBeGreaterThan(at('2024-01-03').writtenAt);
  });

  it('commits a SQL range and its records in one transaction: a failing script leaves neither', async () => {
    const base = { target: 't', table: 's.t', start: dayOf('2024-01-01'), end: dayOf('2024-01-01'), dates: days('2024-01-01'), labels: {} };
    await expect(
      warehouse.runSql({ ...base, sql: "CREATE TABLE s.t AS SELECT DATE '2024-01-01' AS d; INSERT INTO s.t VALUES ('boom')", record: { target: 't', days: days('2024-01-01'), fingerprint: 'f', runId: 'r' } }),
    ).rejects.toThrow(/boom/);
    expect(await recorded()).toEqual([]);
    expect(await warehouse.presentDates([{ table: 's.t', dateColumn: 'd' }], window)).toEqual(new Map([['s.t', { exists: false, days: [] }]]));
    await warehouse.runSql({ ...base, sql: 'CREATE TABLE s.t AS SELECT DATE \'2024-01-01\' AS d', record: { target: 't', days: days('2024-01-01'), fingerprint: 'f', runId: 'r' } });
    expect(await recorded()).toEqual([{ fingerprint: 'f', days: ['2024-01-01'] }]);
  });
});

