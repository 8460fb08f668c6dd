import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, dateValue } from '@duckdb/node-api';
import { rangesOfDays } from '../src/intervals/day-ranges.js';
import { random } from './helpers/random.js';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { calendarKey } from '../src/warehouse/warehouse.js';
import { dayOf, formatDay, type Day } from '../src/intervals/day.js';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
const iso = (days: readonly Day[]) => days.map(formatDay);

describe('DuckDbWarehouse', () => {
  let dir: string;
  let file: string;
  let warehouse: DuckDbWarehouse;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-duck-'));
    file = path.join(dir, 'w.duckdb');
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    await c.run(`CREATE SCHEMA raw; CREATE TABLE raw.games(game_date DATE, v INT);
      INSERT INTO raw.games VALUES ('2024-01-02', 1), ('2024-01-02', 2), ('2024-01-05', 1), ('2023-12-31', 1), ('2024-02-01', 1);
      CREATE SEQUENCE raw.seq; CREATE TABLE raw.cal(d DATE); INSERT INTO raw.cal VALUES ('2024-01-02'), ('2024-01-03'), ('2024-01-05'), ('2025-01-01');`);
    c.closeSync();
    instance.closeSync();
    warehouse = new DuckDbWarehouse({ path: file, searchPath: dir });
  });
  afterEach(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads present dates of many tables in one pass, treating a missing table as empty', async () => {
    const present = await warehouse.presentDates(
      [{ table: 'raw.games', dateColumn: 'game_date' }, { table: 'raw.nope', dateColumn: 'game_date' }],
      window,
    );
    expect(present.get('raw.games')).toEqual({ exists: true, days: [dayOf('2024-01-02'), dayOf('2024-01-05')] });
    expect(present.get('raw.nope')).toEqual({ exists: false, days: [] });
  });

  it('reads the present days of 250 tables of random holes (three batches) as DuckDB lists them one by one', async () => {
    // DATE, TIMESTAMP and text date columns, NULL dates, days outside the window, empty tables
    const wide = { first: dayOf('2023-12-20'), last: dayOf('2024-03-10') };
    const types = ['DATE', 'TIMESTAMP', 'VARCHAR'];
    const rand = random(7);
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    const statements = ['CREATE SCHEMA many'];
    for (let i = 0; i < 250; i++) {
      const type = types[i % 3]!;
      const density = [0, 0.05, 0.5, 0.95, 1][i % 5]!;
      const values: string[] = ['NULL'];
      for (let day = wide.first - 15; day <= wide.last + 15; day++) {
        if (rand() >= density) continue;
        const text = formatDay(day as Day);
        const value = type === 'TIMESTAMP' ? `'${text} 13:45:00'` : `'${text}'`;
        values.push(value, value); // two rows of one day
      }
      statements.push(`CREATE TABLE many.t${i}(d ${type})`, `INSERT INTO many.t${i} VALUES ${values.map((v) => `(${v})`).join(', ')}`);
    }
    await c.run(statements.join(';\n'));
    const probes = Array.from({ length: 250 }, (_, i) => ({ table: `many.t${i}`, dateColumn: 'd' }));
    const expected = new Map<string, Day[]>();
    for (const { table } of probes) {
      const rows = (await c.runAndReadAll(`SELECT DISTINCT CAST(CAST(d AS DATE) - DATE '1970-01-01' AS INTEGER) AS x FROM ${table} WHERE CAST(d AS DATE) BETWEEN $first AND $last ORDER BY x`, { first: dateValue(wide.first), last: dateValue(wide.last) })).getRows();
      expected.set(table, rows.map(([x]) => Number(x) as Day));
    }
    c.closeSync();
    instance.closeSync();
    const present = await warehouse.presentRanges(probes, wide);
    for (const { table } of probes) expect(present.get(table), table).toEqual({ exists: true, ranges: rangesOfDays(expected.get(table)!) });
    expect([...expected.values()].some((days) => days.length === 0)).toBe(true);
  });

  it('answers the three calendar forms within the window', async () => {
    const specs = [
      { kind: 'table', table: 'raw.cal', dateColumn: 'd' },
      { kind: 'sql', sql: "SELECT DATE '2024-01-09' AS x UNION ALL SELECT DATE '2030-01-01'" },
      { kind: 'every-day' },
      { kind: 'table', table: 'raw.missing', dateColumn: 'd' },
    ] as const;
    const expected = await warehouse.expectedDates(specs, window);
    expect(iso(expected.get(calendarKey(specs[0]))!)).toEqual(['2024-01-02', '2024-01-03', '2024-01-05']);
    expect(iso(expected.get(calendarKey(specs[1]))!)).toEqual(['2024-01-09']);
    expect(expected.get(calendarKey(specs[2]))!.length).toBe(31);
    expect(expected.get(calendarKey(specs[3]))).toEqual([]);
  });

  it('runs a multi-statement SQL build in one transaction, with @dates bound', async () => {
    await warehouse.runSql({
      target: 't', table: 'out.t', labels: {},
      sql: `CREATE TABLE IF NOT EXISTS out.t (game_date DATE, n INT);
            DELETE FROM out.t WHERE list_contains(@dates, game_date);
            INSERT INTO out.t SELECT game_date, count(*) FROM raw.games
              WHERE game_date BETWEEN @start_date AND @end_date AND list_contains(@dates, game_date) GROUP BY 1;`,
      start: dayOf('2024-01-01'), end: dayOf('2024-01-31'), dates: [dayOf('2024-01-02'), dayOf('2024-01-05')],
    });
    const present = await warehouse.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
    expect(iso(present.get('out.t')!.days)).toEqual(['2024-01-02', '2024-01-05']);
    await expect(
      warehouse.runSql({
        target: 't', table: 'out.t', labels: {},
        sql: `DELETE FROM out.t; SELECT * FROM no_such_table;`,
        start: window.first, end: window.last, dates: [],
      }),
    ).rejects.toThrow(/no_such_table/);
    const after = await warehouse.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
    expect(after.get('out.t')!.days.length).toBe(2);
  });

  it('evaluates checks as values, errors included', async () => {
    const out = await warehouse.checkValues(
      [{ key: 'a', sql: 'SELECT count(*) FROM raw.games WHERE game_date BETWEEN @start_date AND @end_date' }, { key: 'b', sql: 'SELECT nope' }],
      window,
    );
    expect(out.get('a')).toEqual({ ok: true, value: 3 });
    expect(out.get('b')).toMatchObject({ ok: false });
  });

  it('evaluates many checks in one statement, comments and semicolons included', async () => {
    const before = warehouse.queriesSent;
    const out = await warehouse.checkValues(
      [
        { key: 'a', sql: 'SELECT count(*) FROM raw.games WHERE game_date BETWEEN @start_date AND @end_date; -- in the window' },
        { key: 'b', sql: 'SELECT max(v) FROM raw.games -- the largest' },
        { key: 'c', sql: 'SELECT 0.25;' },
      ],
      window,
    );
    expect(Object.fromEntries(out)).toEqual({ a: { ok: true, value: 3 }, b: { ok: true, value: expect.any(Number) }, c: { ok: true, value: 0.25 } });
    expect(warehouse.queriesSent - before).toBe(1);
  });

  it('falls back to one statement per check when the batch fails: each keeps its own value or error', async () => {
    const out = await warehouse.checkValues(
      [
        { key: 'count', sql: 'SELECT count(*) FROM raw.games' },
        { key: 'two-columns', sql: 'SELECT 7, 8' },
        { key: 'broken', sql: 'SELECT nope' },
      ],
      window,
    );
    expect(out.get('count')).toEqual({ ok: true, value: 5 });
    expect(out.get('two-columns')).toEqual({ ok: true, value: 7 });
    expect(out.get('broken')).toMatchObject({ ok: false, error: expect.stringMatching(/nope/) });
  });

  it('runs checks read-only: a check that would write fails, a runtime error does not spoil the checks after it', async () => {
    const out = await warehouse.checkValues(
      [
        { key: 'runtime-error', sql: "SELECT CAST('x' AS INTEGER)" },
        { key: 'writes', sql: "SELECT count(*) FROM (SELECT nextval('raw.seq'))" },
        { key: 'count', sql: 'SELECT count(*) FROM raw.games' },
      ],
      window,
    );
    expect(out.get('runtime-error')).toMatchObject({ ok: false });
    expect(out.get('writes')).toMatchObject({ ok: false });
    expect(out.get('count')).toEqual({ ok: true, value: 5 });
  });

  it('records and reads writes, and gives the file up to another process on exclusive()', async () => {
    await warehouse.recordWrites([{ target: 'x', days: [dayOf('2024-01-02')], writtenAt: 10.5, fingerprint: 'f', runId: 'r' }]);
    await warehouse.recordWrites([{ target: 'x', days: [dayOf('2024-01-02')], writtenAt: 11, fingerprint: 'g', runId: 'r2' }]);
    expect(await warehouse.readWrites(['x'], window)).toEqual([
      { target: 'x', day: dayOf('2024-01-02'), writtenAt: 11, fingerprint: 'g', runId: 'r2' },
    ]);
    await warehouse.exclusive(async () => {
      const other = await DuckDBInstance.create(file);
      const c = await other.connect();
      await c.run(`INSERT INTO raw.games VALUES ('2024-01-20', 1)`);
      c.closeSync();
      other.closeSync();
    });
    const present = await warehouse.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
    expect(iso(present.get('raw.games')!.days)).toContain('2024-01-20');
  });
});
