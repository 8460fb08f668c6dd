/**
 * Transient and permanent BigQuery failures against the fake: retried with backoff and
 * reported, or failed at once with BigQuery's message; slow jobs polled to completion.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../src/intervals/day.js';
import { type BigQueryWarehouse, type RetryEvent, openBigQuery } from '../src/warehouse/bigquery.js';
import { WarehouseError } from '../src/warehouse/warehouse.js';
import { FakeBigQuery } from './fake-bigquery/server.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
const games = [{ table: 'raw.games', dateColumn: 'game_date' }];

describe('BigQuery failures', () => {
  let fake: FakeBigQuery;
  let warehouse: BigQueryWarehouse;
  let retries: RetryEvent[];

  async function open(maximumBytesBilled = '1GB'): Promise<BigQueryWarehouse> {
    return openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled, apiEndpoint: fake.endpoint },
      { runId: 'faults', retry: { attempts: 4, baseDelayMs: 0 }, onRetry: (event) => retries.push(event) },
    );
  }

  beforeEach(async () => {
    retries = [];
    fake = await FakeBigQuery.start();
    await fake.seed('raw.games', { columns: { game_date: 'DATE' }, rows: [['2024-01-02'], ['2024-01-05']], partitionBy: 'game_date' });
    warehouse = await open();
    fake.reset();
  });
  afterEach(async () => {
    await warehouse.close();
    await fake.stop();
  });

  const build = (sql: string) => ({ target: 'out', table: 'out.t', labels: {}, sql, start: window.first, end: window.last, dates: [] });

  it('retries a 503, succeeds, and reports the retry', async () => {
    fake.failNext(1, { status: 503, reason: 'backendError', route: 'jobs.query' });
    const present = await warehouse.presentDates(games, window);
    expect(present.get('raw.games')?.days).toEqual([dayOf('2024-01-02'), dayOf('2024-01-05')]);
    expect(fake.count('jobs.query')).toBe(2);
    expect(retries).toEqual([
      expect.objectContaining({ operation: 'query', attempt: 1, attempts: 4, reason: 'backendError', message: 'fake backendError' }),
    ]);
  });

  it('retries metadata calls and rate limits too: a 500 on tables.get, a 403 rateLimitExceeded on a query', async () => {
    fake.failNext(1, { status: 500, reason: 'internalError', route: 'tables.get' });
    fake.failNext(1, { status: 403, reason: 'rateLimitExceeded', route: 'jobs.query' });
    await warehouse.presentDates(games, window);
    expect(retries.map((r) => [r.operation, r.reason])).toEqual([
      ['tables.get', 'internalError'],
      ['query', 'rateLimitExceeded'],
    ]);
  });

  it('gives up on a persistent 500 after the bounded attempts, with a transient error', async () => {
    fake.failNext(99, { status: 500, reason: 'backendError', route: 'jobs.insert', message: 'The service is unavailable' });
    const failing = warehouse.runSql(build('CREATE TABLE IF NOT EXISTS out.t (d DATE)'));
    await expect(failing).rejects.toBeInstanceOf(WarehouseError);
    await expect(failing).rejects.toMatchObject({
      transient: true,
      message: 'The service is unavailable (backendError; gave up after 4 attempts)',
    });
    // Each unanswered insert is looked up (404: it was never created) before the next one.
    expect(fake.count('jobs.insert')).toBe(4);
    expect(fake.count('jobs.get')).toBe(4);
    expect(retries.map((r) => [r.operation, r.attempt, r.target])).toEqual([['jobs.insert', 1, 'out'], ['jobs.insert', 2, 'out'], ['jobs.insert', 3, 'out']]);
  });

  it('fails at once, with BigQuery’s message, on permanent errors', async () => {
    const syntax = warehouse.runSql(build('SELEC 1'));
    await expect(syntax).rejects.toMatchObject({ transient: false, message: expect.stringMatching(/syntax error.*\(invalidQuery\)$/) });
    fake.failNext(1, { status: 403, reason: 'accessDenied', message: 'Access Denied: Project fake-project: User does not have bigquery.jobs.create permission' });
    await expect(warehouse.presentDates(games, window)).rejects.toMatchObject({
      transient: false,
      message: expect.stringContaining('Access Denied: Project fake-project'),
    });
    fake.failNext(1, { status: 403, reason: 'quotaExceeded', route: 'jobs.query' });
    await expect(warehouse.presentDates(games, window)).rejects.toMatchObject({ transient: false });
    const missing = warehouse.runSql(build('CREATE TABLE IF NOT EXISTS out.t (d DATE); INSERT INTO out.t SELECT * FROM raw.no_such_table;'));
    await expect(missing).rejects.toMatchObject({ transient: false, message: expect.stringMatching(/no_such_table.*\(notFound\)/) });
    expect(retries).toEqual([]);
  });

  it('re-submits a query whose job failed inside BigQuery with a retryable job-level reason', async () => {
    fake.failNextJob(1, 'jobBackendError');
    await warehouse.runSql(build('CREATE TABLE IF NOT EXISTS out.t (d DATE); INSERT INTO out.t VALUES (DATE \'2024-01-03\');'));
    expect(retries.map((r) => r.reason)).toEqual(['jobBackendError']);
    const present = await warehouse.presentDates([{ table: 'out.t', dateColumn: 'd' }], window);
    expect(present.get('out.t')?.days).toEqual([dayOf('2024-01-03')]);
  });

  it('retries a quotaExceeded that clears within minutes, not a daily one', async () => {
    fake.failNext(1, { status: 403, reason: 'quotaExceeded', route: 'jobs.query', message: 'Quota exceeded: Your table exceeded quota for table update operations' });
    await warehouse.presentDates(games, window);
    expect(retries.map((r) => r.reason)).toEqual(['quotaExceeded']);
    fake.failNext(1, { status: 403, reason: 'quotaExceeded', route: 'jobs.query', message: 'Quota exceeded: Your project exceeded quota for free query bytes scanned' });
    await expect(warehouse.presentDates(games, window)).rejects.toMatchObject({ transient: false });
  });

  it('falls back to scanning the date column when INFORMATION_SCHEMA.PARTITIONS is denied', async () => {
    fake.failNext(1, { status: 403, reason: 'accessDenied', route: 'jobs.query', message: 'Access Denied: Table fake-project:raw.INFORMATION_SCHEMA.PARTITIONS' });
    const present = await warehouse.presentDates(games, window);
    expect(present.get('raw.games')?.days).toEqual([dayOf('2024-01-02'), dayOf('2024-01-05')]);
    // The refused metadata query, then one scan (the fake refuses before it logs a query).
    expect(fake.count('jobs.query')).toBe(2);
    expect(fake.queries.map((q) => /INFORMATION_SCHEMA/.test(q.sql))).toEqual([false]);
  });

  it('polls a slow query until it completes', async () => {
    fake.slowNext(1, 3);
    const present = await warehouse.presentDates(games, window);
    expect(present.get('raw.games')?.days).toHaveLength(2);
    expect(fake.count('jobs.getQueryResults')).toBe(4);
    expect(retries).toEqual([]);
  });

  it('refuses a query that would bill more than maximumBytesBilled, without retrying; a cap below 10 MB is refused at open', async () => {
    // The fake bills as BigQuery does: at least 10 MiB for a query that reads a table.
    await expect(fake.engine.execute('SELECT game_date FROM raw.games', { maximumBytesBilled: 1024 ** 2 })).rejects.toMatchObject({
      reason: 'bytesBilledLimitExceeded',
      message: 'Query exceeded limit for bytes billed: 1048576. 10485760 or higher required.',
    });
    fake.failNext(1, { status: 400, reason: 'bytesBilledLimitExceeded', route: 'jobs.query', message: 'Query exceeded limit for bytes billed: 10485760. 20971520 or higher required.' });
    await expect(warehouse.presentDates(games, window)).rejects.toMatchObject({
      transient: false,
      message: 'Query exceeded limit for bytes billed: 10485760. 20971520 or higher required. (bytesBilledLimitExceeded)',
    });
    expect(fake.count('jobs.query')).toBe(1);
    await expect(open('1MB')).rejects.toThrow(
      'warehouse.maximumBytesBilled: "1MB" is below the 10 MB that BigQuery bills at least for any query that reads a table: every such query would be refused (use at least "10MB")',
    );
  });

  it('turns a failing check into an outcome, after its retries', async () => {
    fake.failNext(99, { status: 503, reason: 'backendError', route: 'jobs.query' });
    const outcomes = await warehouse.checkValues([{ key: 'games/rows', sql: 'SELECT COUNT(*) FROM raw.games' }], window);
    expect(outcomes.get('games/rows')).toEqual({ ok: false, error: 'fake backendError (backendError; gave up after 4 attempts)' });
  });

  it('treats an unreachable endpoint as transient and gives up after the bounded attempts', async () => {
    const endpoint = fake.endpoint;
    await fake.stop();
    const gone = await openBigQuery(
      { type: 'bigquery', project: 'p', location: undefined, maximumBytesBilled: undefined, apiEndpoint: endpoint },
      { runId: 'gone', retry: { attempts: 2, baseDelayMs: 0 }, onRetry: (event) => retries.push(event) },
    );
    await expect(gone.presentDates(games, window)).rejects.toMatchObject({ transient: true, message: expect.stringMatching(/ECONNREFUSED/) });
    expect(retries.map((r) => r.reason)).toEqual(['ECONNREFUSED']);
    fake = await FakeBigQuery.start();
  });
});
