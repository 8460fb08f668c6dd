/**
 * BigQuery coverage costs: a status run over a 30-target pipeline in three datasets takes a
 * handful of queries, partition-aligned tables are read from metadata with their
 * last-modified times, the rest by a date-column-only scan; every job is labelled and capped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Day, addDays, dayOf, formatDay } from '../src/intervals/day.js';
import { type BigQueryWarehouse, openBigQuery } from '../src/warehouse/bigquery.js';
import { type TableProbe, WarehouseError } from '../src/warehouse/warehouse.js';
import { FakeBigQuery } from './fake-bigquery/server.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-03-31') };
const DATASETS = ['nba_raw', 'nba_analytics', 'nba_precompute'];

/** 10 tables per dataset: 7 DAY-partitioned on game_date, 3 not; each misses a different stretch. */
function pipeline(): { table: string; partitioned: boolean; days: Day[] }[] {
  return DATASETS.flatMap((dataset, d) =>
    Array.from({ length: 10 }, (_, t) => {
      const holeStart = 5 + d * 10 + t;
      const days = Array.from({ length: 91 }, (_, i) => addDays(window.first, i)).filter((_, i) => i < holeStart || i > holeStart + t);
      return { table: `${dataset}.t${t}`, partitioned: t < 7, days };
    }),
  );
}

describe('BigQuery coverage queries', () => {
  let fake: FakeBigQuery;
  let warehouse: BigQueryWarehouse;
  const tables = pipeline();
  const probes: TableProbe[] = tables.map((t) => ({ table: t.table, dateColumn: 'game_date' }));

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    for (const t of tables) {
      await fake.seed(t.table, {
        columns: { game_date: 'DATE', player: 'STRING', points: 'INT64' },
        // Two rows per date, and one outside the window, as real tables have.
        rows: [...t.days.flatMap((d) => [[formatDay(d), 'a', 1], [formatDay(d), 'b', 2]]), ['2023-12-31', 'a', 1]],
        ...(t.partitioned ? { partitionBy: 'game_date' } : {}),
      });
    }
    warehouse = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
      { runId: 'status-run', retry: { attempts: 2, baseDelayMs: 0 } },
    );
    await warehouse.recordWrites([{ target: 't0', days: [window.first], writtenAt: 1, fingerprint: 'f', runId: 'earlier' }]);
    fake.reset();
  });
  afterEach(async () => {
    await warehouse.close();
    await fake.stop();
  });

  /** What the engine asks for in a `dagrun --status`: calendar, present dates, write records. */
  async function statusRun() {
    const calendar = { kind: 'table', table: 'nba_raw.t0', dateColumn: 'game_date' } as const;
    const expected = await warehouse.expectedDates([calendar], window);
    const present = await warehouse.presentDates(probes, window);
    const writes = await warehouse.readWrites(tables.map((t) => t.table.split('.')[1]!), window);
    return { expected, present, writes };
  }

  it('measures 30 tables in 3 datasets with a handful of queries, and answers correctly', async () => {
    const { present, writes } = await statusRun();
    for (const t of tables) expect(present.get(t.table)?.days, t.table).toEqual(t.days);
    expect(writes).toHaveLength(1);
    // 1 calendar (partition metadata) + 3 datasets' partition metadata + 1 scan + 1 write records.
    expect(fake.count('jobs.query')).toBe(6);
    expect(fake.count('jobs.getQueryResults')).toBe(0);
    // tables.get is free metadata, once per table (the calendar is one of them) and the state table.
    expect(fake.count('tables.get')).toBe(31);

    fake.reset();
    await statusRun();
    expect(fake.count('jobs.query')).toBe(6);
    expect(fake.count('tables.get')).toBe(0);
  });

  it('reads partition-aligned tables from INFORMATION_SCHEMA.PARTITIONS and scans only the date column of the others', async () => {
    await warehouse.presentDates(probes, window);
    const sqls = fake.queries.map((q) => q.sql);
    const metadata = sqls.filter((s) => s.includes('INFORMATION_SCHEMA.PARTITIONS'));
    expect(metadata.map((s) => /`fake-project\.(\w+)\.INFORMATION_SCHEMA/.exec(s)?.[1]).sort()).toEqual([...DATASETS].sort());
    const scans = sqls.filter((s) => s.includes('SELECT DISTINCT'));
    expect(scans).toHaveLength(1);
    expect(scans[0]!.split('UNION ALL')).toHaveLength(9);
    expect(scans[0]).not.toMatch(/\*|player|points/);
    // The fake bills 8 bytes per row per column named: one column of 9 tables.
    const scanRows = tables.filter((t) => !t.partitioned).reduce((n, t) => n + 2 * t.days.length + 1, 0);
    expect(fake.bytesProcessed).toBe(scanRows * 8);
  });

  it('a partition id that is not a day (an hourly one) adds no date and fails nothing', async () => {
    // BigQuery does not promise to filter rows before it computes the select list, so the query
    // parses ids with SAFE.; DuckDB under the fake filters first, so this pins the answer only.
    await fake.duck("INSERT INTO _fake_meta.partitions VALUES ('nba_raw', 't0', '2024010112', 3, 0, 0)");
    const present = await warehouse.presentDates(probes, window);
    for (const t of tables) expect(present.get(t.table)?.days, t.table).toEqual(t.days);
  });

    it('labels and caps every job', async () => {
    await statusRun();
    await warehouse.checkValues([{ key: 't0/rows', sql: 'SELECT COUNT(*) FROM nba_raw.t0' }], window);
    expect(fake.queries.length).toBeGreaterThan(0);
    for (const query of fake.queries) {
      expect(query.labels).toMatchObject({ tool: 'dagrun', run_id: 'status-run' });
      expect(query.maximumBytesBilled).toBe(String(1024 ** 3));
    }
    expect(fake.queries.at(-1)!.labels).toMatchObject({ purpose: 'check', check: 't0_rows' });
  });

  it('reports when each partition was last modified, and notices a rewrite', async () => {
    fake.now = () => 1_000_000;
    await fake.seed('nba_raw.t0', {
      columns: { game_date: 'DATE', points: 'INT64' },
      rows: [['2024-01-02', 1], ['2024-01-03', 1]],
      partitionBy: 'game_date',
    });
    fake.now = () => 2_000_000;
    await warehouse.runSql({
      target: 't0', table: 'nba_raw.t0', labels: {},
      sql: 'DELETE FROM nba_raw.t0 WHERE game_date IN UNNEST(@dates); INSERT INTO nba_raw.t0 SELECT d, 1 FROM UNNEST(@dates) AS d;',
      start: dayOf('2024-01-03'), end: dayOf('2024-01-03'), dates: [dayOf('2024-01-03')],
    });
    // A later run reads it from partition metadata (the run that wrote it scans it: metadata may lag).
    const later = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
      { runId: 'later-run' },
    );
    const present = await later.presentDates([{ table: 'nba_raw.t0', dateColumn: 'game_date' }], window);
    expect([...(present.get('nba_raw.t0')?.modifiedAt ?? [])].map(([d, ms]) => [formatDay(d), ms])).toEqual([
      ['2024-01-02', 1_000_000],
      ['2024-01-03', 2_000_000],
    ]);
  });

  it('scans a table partitioned on another column, and refuses a date column the table lacks', async () => {
    await fake.seed('nba_raw.loads', {
      columns: { loaded_on: 'DATE', game_date: 'DATE' },
      rows: [['2024-02-01', '2024-01-07'], ['2024-02-01', '2024-01-08']],
      partitionBy: 'loaded_on',
    });
    const present = await warehouse.presentDates([{ table: 'nba_raw.loads', dateColumn: 'game_date' }], window);
    expect(present.get('nba_raw.loads')?.days.map(formatDay)).toEqual(['2024-01-07', '2024-01-08']);
    expect(fake.queries.at(-1)!.sql).toContain('SELECT DISTINCT `game_date`');
    const wrong = warehouse.presentDates([{ table: 'nba_raw.loads', dateColumn: 'gamedate' }], window);
    await expect(wrong).rejects.toThrow(WarehouseError);
    await expect(wrong).rejects.toThrow('table nba_raw.loads has no column gamedate');
  });
});
