/**
 * Rows handed over by commands (`build.output`) on BigQuery, through the real client's load
 * jobs (a multipart upload) against the fake: a staging table, checked dates, then the
 * range's dates replaced and its records appended in one transaction; a bad file changes
 * nothing; a lost answer to the upload does not load twice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../src/intervals/day.js';
import { type BigQueryWarehouse, openBigQuery } from '../src/warehouse/bigquery.js';
import type { LoadRequest } from '../src/warehouse/warehouse.js';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { writeGroupsOf } from './helpers/write-groups.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const days = (...isos: string[]) => isos.map(dayOf);

describe('BigQueryWarehouse.loadRows', () => {
  let dir: string;
  let fake: FakeBigQuery;
  let warehouse: BigQueryWarehouse;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-bq-load-'));
    fake = await FakeBigQuery.start();
    warehouse = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint, stateDataset: undefined, stateProject: undefined, pipeline: undefined },
      { runId: 'load-run', retry: { attempts: 3, baseDelayMs: 1 } },
    );
  });
  afterEach(async () => {
    await warehouse.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A load request for `dates` of table s.t from `file` (written with `content`). */
  function request(name: string, content: string, dates: string[], extra: Partial<LoadRequest> = {}): LoadRequest {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    const ds = days(...dates);
    return {
      target: 't', table: 's.t', dateColumn: 'd', file, format: (extra.format ?? path.extname(name).slice(1)) as LoadRequest['format'],
      start: ds[0]!, end: ds[ds.length - 1]!, dates: ds, allowEmptyDates: false, labels: { tool: 'dagrun', target: 't', run_id: 'load-run' },
      record: { target: 't', days: ds, fingerprint: 'f1', runId: 'r1' }, ...extra,
    };
  }
  const rows = async (sql = 'SELECT CAST(d AS VARCHAR), id, v FROM s.t ORDER BY d, id') => fake.duck(sql);
  const recorded = async () => fake.duck("SELECT fingerprint, string_agg(CAST(day AS VARCHAR), ',' ORDER BY day) FROM _dagrun.writes GROUP BY 1 ORDER BY 1");
  const leftovers = async () => fake.duck("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '_dagrun_load_%'");

  it('creates the table from a CSV (partitioned by its date), then replaces exactly the dates handed over, with their records', async () => {
    const first = request('a.csv', 'd,id,v\n2024-01-01,7,1\n2024-01-02,8,1\n2024-01-03,9,1\n', ['2024-01-01', '2024-01-02', '2024-01-03']);
    // with what the replacing script billed (its statements' sum, as jobs.get reports it)
    expect(await warehouse.loadRows(first)).toEqual({ rows: 3, bytesBilled: 50 * 1024 ** 2 });
    const second = request('b.csv', 'd,id,v\n2024-01-02,10,2\n2024-01-02,11,2\n', ['2024-01-02'], {
      record: { target: 't', days: days('2024-01-02'), fingerprint: 'f2', runId: 'r2' },
    });
    expect(await warehouse.loadRows(second)).toEqual({ rows: 2, bytesBilled: expect.any(Number) });
    expect(await rows()).toEqual([
      ['2024-01-01', '7', '1'], ['2024-01-02', '10', '2'], ['2024-01-02', '11', '2'], ['2024-01-03', '9', '1'],
    ]);
    // Both ranges' records, each with its rows; the later one wins for 2024-01-02.
    const groups = writeGroupsOf(await warehouse.readWriteRanges(['t'], { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') }));
    expect(groups.map((g) => [g.fingerprint, g.days.length]).sort()).toEqual([['f1', 2], ['f2', 1]]);
    const later = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
      { runId: 'later-run' },
    );
    const meta = await later.presentDates([{ table: 's.t', dateColumn: 'd' }], { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') });
    expect(meta.get('s.t')?.modifiedAt?.size).toBe(3); // a later run reads partition metadata: partitioned by d
    // Each load went through a multipart upload; the staging tables are gone.
    expect(fake.count('jobs.upload')).toBe(2);
    expect(await leftovers()).toEqual([]);
  });

  it('loads NDJSON and Parquet', async () => {
    await warehouse.loadRows(request('a.ndjson', '{"d":"2024-01-05","id":22,"v":1.5}\n', ['2024-01-05']));
    const parquet = path.join(dir, 'p.parquet');
    await fake.duck(`COPY (SELECT DATE '2024-01-06' AS d, 23 AS id, 2.5 AS v) TO '${parquet}' (FORMAT parquet)`);
    await warehouse.loadRows({ ...request('unused.parquet', '', ['2024-01-06']), file: parquet });
    expect(await rows()).toEqual([['2024-01-05', '22', 1.5], ['2024-01-06', '23', 2.5]]);
  });

  it('refuses rows dated outside the range and dates without rows, naming them, and changes nothing', async () => {
    await warehouse.loadRows(request('a.csv', 'd,id,v\n2024-01-01,1,1\n', ['2024-01-01']));
    const outside = request('b.csv', 'd,id,v\n2024-01-01,2,2\n2024-01-09,3,2\n2024-01-10,4,2\n', ['2024-01-01']);
    await expect(warehouse.loadRows(outside)).rejects.toThrow('CSV output of t: rows dated outside the dates handed over: 2024-01-09..2024-01-10');
    const some = request('c.csv', 'd,id,v\n2024-01-01,5,1\n', ['2024-01-01', '2024-01-02', '2024-01-03']);
    await expect(warehouse.loadRows(some)).rejects.toMatchObject({
      transient: false,
      message: 'CSV output of t: no rows for 2024-01-02..2024-01-03 (set build.allowEmptyDates if a date may have none)',
    });
    expect(await rows()).toEqual([['2024-01-01', '1', '1']]);
    expect(await recorded()).toEqual([['f1', '2024-01-01']]);
    expect(await leftovers()).toEqual([]);
    await expect(warehouse.loadRows({ ...some, allowEmptyDates: true })).resolves.toEqual({ rows: 1, bytesBilled: expect.any(Number) });
  });

  it('names a missing file and a missing date column', async () => {
    const missing = { ...request('x.csv', '', ['2024-01-01']), file: path.join(dir, 'never-written.csv') };
    await expect(warehouse.loadRows(missing)).rejects.toThrow(/the command exited 0 but wrote no file at .*never-written\.csv/);
    await expect(warehouse.loadRows(request('a.csv', 'day,v\n2024-01-01,1\n', ['2024-01-01']))).rejects.toThrow(
      'CSV output of t: the rows have no date column "d" (columns: day, v)',
    );
  });

  it('a lost answer to the upload: the load job is looked up, not uploaded again', async () => {
    fake.loseNext(1, { route: 'jobs.upload' });
    expect(await warehouse.loadRows(request('a.csv', 'd,id,v\n2024-01-01,1,1\n2024-01-02,2,1\n', ['2024-01-01', '2024-01-02']))).toEqual({ rows: 2, bytesBilled: expect.any(Number) });
    expect(fake.count('jobs.upload')).toBe(1);
    expect(await rows()).toEqual([['2024-01-01', '1', '1'], ['2024-01-02', '2', '1']]);
  });
});
