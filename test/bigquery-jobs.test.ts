/**
 * One job per range against the strict fake: a lost answer or a failed poll is recovered by
 * asking about the same job, a 409 means "poll it", a new job starts only when the job
 * itself failed for a reason worth another try (backend errors, concurrent updates of one
 * table), and jobs still running when dagrun stops are cancelled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf, formatDay } from '../src/intervals/day.js';
import { type BigQueryWarehouse, type RetryEvent, openBigQuery } from '../src/warehouse/bigquery.js';
import { buildJobId } from '../src/warehouse/bigquery-jobs.js';
import type { SqlBuildRequest } from '../src/warehouse/warehouse.js';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { writeGroupsOf } from './helpers/write-groups.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const BUILD = { purpose: 'build' };
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'];
const SQL = `CREATE TABLE IF NOT EXISTS out.daily (game_date DATE, points INT64) PARTITION BY game_date;
DELETE FROM out.daily WHERE game_date IN UNNEST(@dates);
INSERT INTO out.daily SELECT game_date, SUM(points) FROM raw.games WHERE game_date IN UNNEST(@dates) GROUP BY game_date;`;

describe('one BigQuery job per range', () => {
  let fake: FakeBigQuery;
  let warehouse: BigQueryWarehouse;
  let retries: RetryEvent[];

  beforeEach(async () => {
    retries = [];
    fake = await FakeBigQuery.start();
    await fake.seed('raw.games', {
      columns: { game_date: 'DATE', points: 'INT64' },
      rows: DAYS.flatMap((d, i) => [[d, 10 + i], [d, 1]]),
      partitionBy: 'game_date',
    });
    warehouse = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
      { runId: 'run-1', retry: { attempts: 4, baseDelayMs: 1 }, onRetry: (event) => retries.push(event) },
    );
    fake.reset();
  });
  afterEach(async () => {
    await warehouse.close();
    await fake.stop();
  });

  const range = (days: readonly string[], sql = SQL): SqlBuildRequest => ({
    target: 'daily', table: 'out.daily', sql, labels: { tool: 'dagrun', target: 'daily', run_id: 'run-1' },
    start: dayOf(days[0]!), end: dayOf(days.at(-1)!), dates: days.map(dayOf),
    record: { target: 'daily', days: days.map(dayOf), fingerprint: 'fp', runId: 'run-1' },
  });
  const builds = () => fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build');
  const rows = async () => (await fake.duck('SELECT game_date::VARCHAR, points FROM out.daily ORDER BY 1')).map((r) => r.join(' '));

  it('names each job after the run, target, range and attempt, valid for BigQuery', () => {
    const id = buildJobId('2024-06-01T10:00:00.000Z-ab', range(DAYS), 2);
    expect(id).toMatch(/^dagrun_2024-06-01T10_00_00_000Z-ab_daily_20240101_20240104_[0-9a-f]{12}_a2$/);
    expect(buildJobId('r', { ...range(DAYS), target: 'x'.repeat(2000) }, 1)).toHaveLength(1024);
    expect(buildJobId('r', range(DAYS), 1)).not.toBe(buildJobId('r', range(DAYS.slice(1)), 1));
  });

  it('a lost answer to the insert: the job is looked up, not run again; the dates are there once', async () => {
    fake.loseNext(1, { route: 'jobs.insert' });
    await warehouse.runSql(range(DAYS));
    fake.loseNext(1, { route: 'jobs.insert', as: 'drop' });
    await warehouse.runSql(range(DAYS.slice(0, 2)));
    expect(builds().map((q) => q.jobId)).toEqual([buildJobId('run-1', range(DAYS), 1), buildJobId('run-1', range(DAYS.slice(0, 2)), 1)]);
    expect(builds().every((q) => q.route === 'jobs.insert')).toBe(true);
    expect(await rows()).toEqual(['2024-01-01 11', '2024-01-02 12', '2024-01-03 13', '2024-01-04 14']);
    // The records came with the data, in the same transaction, stamped by the server's clock.
    expect(builds()[0]!.sql).toMatch(/INSERT INTO `fake-project\._dagrun\.writes`[^]*COMMIT TRANSACTION;$/);
    const written = await warehouse.readWrites(['daily'], { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') });
    expect(written.map((w) => [formatDay(w.day), w.fingerprint, w.runId]).sort()).toEqual(DAYS.map((d) => [d, 'fp', 'run-1']));
    expect(Math.abs(written[0]!.writtenAt - Date.now())).toBeLessThan(60_000);
  });

  it('a 503 while polling: the same job is polled again', async () => {
    fake.slowNext(1, 2, BUILD);
    fake.failNext(2, { status: 503, reason: 'backendError', route: 'jobs.getQueryResults' });
    await warehouse.runSql(range(DAYS));
    expect(builds()).toHaveLength(1);
    expect(retries.map((r) => r.operation)).toEqual(['jobs.getQueryResults', 'jobs.getQueryResults']);
    expect(await rows()).toHaveLength(4);
  });

  it('a range run again after its polls gave up awaits the same job (409), instead of starting a second one', async () => {
    fake.slowNext(1, 2, BUILD);
    fake.failNext(4, { status: 503, reason: 'backendError', route: 'jobs.getQueryResults' });
    await expect(warehouse.runSql(range(DAYS))).rejects.toMatchObject({ transient: true });
    await warehouse.runSql(range(DAYS)); // a build retry
    expect(builds().map((q) => q.jobId)).toEqual([buildJobId('run-1', range(DAYS), 1), buildJobId('run-1', range(DAYS), 1)]);
    expect(await rows()).toHaveLength(4);
    expect(await fake.duck("SELECT count(*) FROM _dagrun.writes WHERE fingerprint = 'fp'")).toEqual([['4']]);
  });

  it('a 409 on insert means the job exists: it is polled, not run again', async () => {
    fake.loseNext(1, { route: 'jobs.insert' });
    fake.failNext(1, { status: 404, reason: 'notFound', route: 'jobs.get' }); // the lookup is fooled once
    await warehouse.runSql(range(DAYS));
    expect(builds()).toHaveLength(2); // the second insert was refused (409)
    expect(new Set(builds().map((q) => q.jobId)).size).toBe(1);
    expect(await rows()).toHaveLength(4);
    expect(await fake.duck('SELECT count(*) FROM _dagrun.writes')).toEqual([['4']]);
  });

  it('a job that failed inside BigQuery is replaced by the next attempt’s job; a range run again takes new ids', async () => {
    fake.failNextJob(1, 'jobBackendError', BUILD);
    await warehouse.runSql(range(DAYS));
    const ids = builds().map((q) => q.jobId);
    expect(ids).toEqual([buildJobId('run-1', range(DAYS), 1), buildJobId('run-1', range(DAYS), 2)]);
    await warehouse.runSql(range(DAYS));
    expect(builds().at(-1)!.jobId).toBe(buildJobId('run-1', range(DAYS), 3));
    // A permanent failure is not retried.
    await expect(warehouse.runSql(range(DAYS, 'SELEC 1'))).rejects.toMatchObject({ transient: false });
  });

  it('parallel ranges of one table: concurrent-update aborts are retried until every date is there once', async () => {
    // Each job runs only after a poll, so the four overlap and all but the first committer abort.
    fake.slowNext(4, 1, BUILD);
    await Promise.all(DAYS.map((d) => warehouse.runSql(range([d]))));
    expect(retries.filter((r) => r.reason === 'concurrentUpdate').length).toBeGreaterThan(0);
    expect(await rows()).toEqual(['2024-01-01 11', '2024-01-02 12', '2024-01-03 13', '2024-01-04 14']);
    expect(await fake.duck('SELECT count(*), count(DISTINCT day) FROM _dagrun.writes')).toEqual([['4', '4']]);
  });

  it('a single statement runs bare (BigQuery queues it), with the days marked unfinished until recorded', async () => {
    await fake.duck('CREATE SCHEMA out; CREATE TABLE out.daily (game_date DATE, points BIGINT)');
    await warehouse.runSql(range(DAYS, 'INSERT INTO out.daily SELECT game_date, SUM(points) FROM raw.games WHERE game_date IN UNNEST(@dates) GROUP BY game_date'));
    expect(builds()[0]!.sql).not.toContain('BEGIN');
    expect(await fake.duck("SELECT fingerprint, count(*) FROM _dagrun.writes GROUP BY 1 ORDER BY 1")).toEqual([['', '4'], ['fp', '4']]);
    const groups = writeGroupsOf(await warehouse.readWriteRanges(['daily'], { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') }));
    expect(groups.map((g) => [g.fingerprint, g.days.length, g.unfinishedRun])).toEqual([['fp', 4, undefined]]);
  });

  it('measures a table it just wrote by scanning, not from partition metadata that may lag the write', async () => {
    const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
    await warehouse.runSql(range(DAYS));
    fake.reset();
    const present = await warehouse.presentDates([{ table: 'out.daily', dateColumn: 'game_date' }, { table: 'raw.games', dateColumn: 'game_date' }], window);
    expect(present.get('out.daily')?.days).toHaveLength(4);
    expect(present.get('raw.games')?.days).toHaveLength(4);
    const sql = fake.queries.map((q) => q.sql).join('\n');
    expect(sql).toMatch(/FROM `fake-project\.out\.daily` WHERE/);
    expect(sql).not.toMatch(/FROM `fake-project\.raw\.games` WHERE/); // raw is still read from metadata
  });

  it('sends build.timeout as the job’s jobTimeoutMs when the request carries it', async () => {
    await warehouse.runSql({ ...range(DAYS), timeoutMs: 7_200_000 } as SqlBuildRequest);
    expect(builds()[0]!.jobTimeoutMs).toBe('7200000');
  });

  it('close() cancels a job still running: it commits nothing', async () => {
    fake.slowNext(1, 1000, BUILD);
    const running = warehouse.runSql(range(DAYS));
    while (fake.count('jobs.getQueryResults') < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await warehouse.close();
    await expect(running).rejects.toMatchObject({ transient: false, message: expect.stringContaining('cancelled') });
    expect(fake.count('jobs.cancel')).toBe(1);
    // Not even the script's CREATE ran; no record says the dates were written.
    expect(await fake.duck("SELECT count(*) FROM information_schema.tables WHERE table_name = 'daily'")).toEqual([['0']]);
    expect(await fake.duck('SELECT count(*) FROM _dagrun.writes')).toEqual([['0']]);
  });
});
