/**
 * One contract for every warehouse engine (wireit's cache-common pattern): the same cases,
 * the same answers, run against DuckDB and the fake BigQuery by
 * warehouse-contract.test.ts. Only what the engines spell differently comes from the
 * harness (`dialect`), and `modifiedAt`, which only BigQuery knows, is left out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarSpec } from '../src/config/types.js';
import { type Day, dayOf, formatDay } from '../src/intervals/day.js';
import { type Warehouse, WarehouseError, calendarKey } from '../src/warehouse/warehouse.js';

/** Column types a harness can seed, in BigQuery spelling. */
export type ColumnType = 'DATE' | 'INT64' | 'FLOAT64' | 'STRING' | 'TIMESTAMP';

/** A table to create with rows; `partitionBy` is honoured where the engine has partitions. */
export interface SeedTable {
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly rows: readonly (readonly (string | number | null)[])[];
  readonly partitionBy?: string;
}

/** A warehouse under test with a way to seed it. */
export interface ContractHarness {
  readonly warehouse: Warehouse;
  /** Creates `dataset.table` with rows, replacing it. */
  seed(table: string, spec: SeedTable): Promise<void>;
  /** SQL the engines spell differently. */
  readonly dialect: {
    /** A condition true when `column` is one of `@dates`. */
    readonly inDates: (column: string) => string;
  };
  dispose(): Promise<void>;
}

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
const iso = (days: readonly Day[] | undefined) => (days ?? []).map(formatDay);
const days = (...dates: string[]) => dates.map(dayOf);

/** Registers the contract cases for one engine. */
export function registerWarehouseContractTests(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`warehouse contract: ${name}`, () => {
    let h: ContractHarness;
    let w: Warehouse;

    beforeEach(async () => {
      h = await makeHarness();
      w = h.warehouse;
      await seedFixtures(h);
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('reads the present dates of many tables in one call; missing tables and datasets have none', async () => {
      const present = await w.presentDates(
        [
          { table: 'raw.games', dateColumn: 'game_date' },
          { table: 'raw.plays', dateColumn: 'game_date' },
          { table: 'raw.events', dateColumn: 'ts' },
          { table: 'raw.empty', dateColumn: 'game_date' },
          { table: 'raw.nope', dateColumn: 'game_date' },
          { table: 'no_dataset.t', dateColumn: 'game_date' },
        ],
        window,
      );
      const summary = Object.fromEntries([...present].map(([t, p]) => [t, { exists: p.exists, days: iso(p.days) }]));
      expect(summary).toEqual({
        'raw.games': { exists: true, days: ['2024-01-02', '2024-01-05'] },
        'raw.plays': { exists: true, days: ['2024-01-02', '2024-01-03', '2024-01-10'] },
        'raw.events': { exists: true, days: ['2024-01-04', '2024-01-06'] },
        'raw.empty': { exists: true, days: [] },
        'raw.nope': { exists: false, days: [] },
        'no_dataset.t': { exists: false, days: [] },
      });
    });

    it('answers table, SQL and every-day calendars within the window, one per target calendar', async () => {
      const specs: CalendarSpec[] = [
        { kind: 'table', table: 'raw.cal', dateColumn: 'd' },
        { kind: 'table', table: 'raw.games', dateColumn: 'game_date' },
        { kind: 'sql', sql: "SELECT DATE '2024-01-09' AS x UNION ALL SELECT DATE '2030-01-01'" },
        { kind: 'sql', sql: "SELECT game_date FROM raw.plays WHERE game_date <> DATE '2024-01-03'" },
        { kind: 'every-day' },
        { kind: 'table', table: 'raw.missing', dateColumn: 'd' },
      ];
      const expected = await w.expectedDates(specs, window);
      expect(specs.map((s) => iso(expected.get(calendarKey(s))))).toEqual([
        ['2024-01-02', '2024-01-03', '2024-01-05'],
        ['2024-01-02', '2024-01-05'],
        ['2024-01-09'],
        ['2024-01-02', '2024-01-10'],
        iso(Array.from({ length: 31 }, (_, i) => (window.first + i) as Day)),
        [],
      ]);
    });

    it('runs a SQL build with @start_date, @end_date and @dates, creating the dataset, and sees the table at once', async () => {
      const before = await w.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
      expect(before.get('out.t')).toEqual({ exists: false, days: [] });
      await w.runSql(build(h, 'out.t', days('2024-01-05')));
      const once = await w.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
      expect(iso(once.get('out.t')?.days)).toEqual(['2024-01-05']);
      // A second range fills another hole; rebuilding a date replaces it, never duplicates it.
      await w.runSql(build(h, 'out.t', days('2024-01-02', '2024-01-05')));
      const twice = await w.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
      expect(iso(twice.get('out.t')?.days)).toEqual(['2024-01-02', '2024-01-05']);
      const rows = await w.checkValues([{ key: 'rows', sql: 'SELECT SUM(n) FROM out.t' }], window);
      expect(rows.get('rows')).toEqual({ ok: true, value: 3 });
    });

    it('leaves the table as it was when a SQL build fails half-way', async () => {
      await w.runSql(build(h, 'out.t', days('2024-01-02', '2024-01-05')));
      const failing = w.runSql({
        target: 't', table: 'out.t', labels: {},
        sql: 'DELETE FROM out.t WHERE TRUE;\nSELECT * FROM raw.no_such_table;',
        start: window.first, end: window.last, dates: [],
      });
      await expect(failing).rejects.toThrow(/no_such_table/);
      await expect(failing).rejects.toBeInstanceOf(WarehouseError);
      const after = await w.presentDates([{ table: 'out.t', dateColumn: 'game_date' }], window);
      expect(iso(after.get('out.t')?.days)).toEqual(['2024-01-02', '2024-01-05']);
    });

    it('evaluates checks as values: numbers, NULL and failing queries', async () => {
      const out = await w.checkValues(
        [
          { key: 't/count', sql: 'SELECT COUNT(*) FROM raw.games WHERE game_date BETWEEN @start_date AND @end_date' },
          { key: 't/ratio', sql: 'SELECT 0.5' },
          { key: 't/empty', sql: "SELECT SUM(v) FROM raw.games WHERE game_date > DATE '2030-01-01'" },
          { key: 't/broken', sql: 'SELECT nope' },
          { key: 't/missing', sql: 'SELECT COUNT(*) FROM raw.no_such_table' },
        ],
        window,
      );
      expect(out.get('t/count')).toEqual({ ok: true, value: 3 });
      expect(out.get('t/ratio')).toEqual({ ok: true, value: 0.5 });
      expect(out.get('t/empty')).toEqual({ ok: true, value: null });
      expect(out.get('t/broken')).toMatchObject({ ok: false });
      expect(out.get('t/missing')).toMatchObject({ ok: false, error: expect.stringMatching(/no_such_table/) });
    });

    it('evaluates per-date checks as (date, value) rows, and refuses rows of another shape', async () => {
      const out = await w.checkValues(
        [
          { key: 't/per-day', sql: 'SELECT game_date, SUM(v) FROM raw.games WHERE game_date BETWEEN @start_date AND @end_date GROUP BY game_date', perDate: true },
          { key: 't/scalar', sql: 'SELECT 0.5' },
          { key: 't/not-dates', sql: 'SELECT 1', perDate: true },
        ],
        window,
      );
      const perDay = out.get('t/per-day') as unknown as { ok: true; perDay: { days: number[]; values: (number | null)[] } };
      expect(perDay.ok).toBe(true);
      expect(iso(perDay.perDay.days as never)).toEqual(['2024-01-02', '2024-01-05']);
      expect(perDay.perDay.values.every((v) => typeof v === 'number')).toBe(true);
      expect(out.get('t/scalar')).toEqual({ ok: true, value: 0.5 });
      expect(out.get('t/not-dates')).toMatchObject({ ok: false, error: 'a perDate check must return rows of (date, value)' });
    });

    it('records writes and reads back the latest per (target, day) within the window', async () => {
      expect(await w.readWrites(['x'], window)).toEqual([]);
      await w.recordWrites([{ target: 'x', days: days('2024-01-02', '2024-01-03'), writtenAt: 10.5, fingerprint: 'f', runId: 'r1' }]);
      await w.recordWrites([
        { target: 'x', days: days('2024-01-02'), writtenAt: 11, fingerprint: 'g', runId: 'r2' },
        { target: 'y', days: days('2024-01-02', '2023-12-01'), writtenAt: 12, fingerprint: 'h', runId: 'r2' },
      ]);
      const sorted = (records: Awaited<ReturnType<Warehouse['readWrites']>>) =>
        [...records].sort((a, b) => a.target.localeCompare(b.target) || a.day - b.day);
      expect(sorted(await w.readWrites(['x'], window))).toEqual([
        { target: 'x', day: dayOf('2024-01-02'), writtenAt: 11, fingerprint: 'g', runId: 'r2' },
        { target: 'x', day: dayOf('2024-01-03'), writtenAt: 10.5, fingerprint: 'f', runId: 'r1' },
      ]);
      expect(sorted(await w.readWrites(['x', 'y'], window)).map((r) => `${r.target}@${formatDay(r.day)}`)).toEqual([
        'x@2024-01-02', 'x@2024-01-03', 'y@2024-01-02',
      ]);
      expect(await w.readWrites([], window)).toEqual([]);
    });

    it('runs the work handed to exclusive() and returns its result', async () => {
      expect(await w.exclusive(async () => 42)).toBe(42);
      const present = await w.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
      expect(present.get('raw.games')?.exists).toBe(true);
    });
  });
}

/** A build of `table` from raw.games for the given dates, in the engine's dialect. */
function build(h: ContractHarness, table: string, dates: Day[]) {
  return {
    target: 't', table, labels: { tool: 'dagrun', target: 't' },
    sql: `CREATE TABLE IF NOT EXISTS ${table} (game_date DATE, n INT64);
DELETE FROM ${table} WHERE ${h.dialect.inDates('game_date')};
INSERT INTO ${table} (game_date, n)
  SELECT game_date, COUNT(*) FROM raw.games
  WHERE game_date BETWEEN @start_date AND @end_date AND ${h.dialect.inDates('game_date')}
  GROUP BY game_date;`,
    start: window.first, end: window.last, dates,
  };
}

/** The tables every case starts from: holes, duplicates, dates outside the window, NULLs. */
async function seedFixtures(h: ContractHarness): Promise<void> {
  await h.seed('raw.games', {
    columns: { game_date: 'DATE', v: 'INT64' },
    rows: [['2024-01-02', 1], ['2024-01-02', 2], ['2024-01-05', 1], ['2023-12-31', 1], ['2024-02-01', 1], [null, 1]],
    partitionBy: 'game_date',
  });
  await h.seed('raw.plays', {
    columns: { game_date: 'DATE', n: 'INT64' },
    rows: [['2024-01-02', 1], ['2024-01-03', 1], ['2024-01-10', 1]],
  });
  await h.seed('raw.events', {
    columns: { ts: 'TIMESTAMP', x: 'INT64' },
    rows: [['2024-01-04 23:30:00', 1], ['2024-01-06 00:15:00', 2]],
  });
  await h.seed('raw.empty', { columns: { game_date: 'DATE' }, rows: [], partitionBy: 'game_date' });
  await h.seed('raw.cal', {
    columns: { d: 'DATE' },
    rows: [['2024-01-02'], ['2024-01-03'], ['2024-01-05'], ['2025-01-01']],
  });
}
