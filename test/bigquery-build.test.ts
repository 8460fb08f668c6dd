/**
 * BigQuery SQL builds, dry-run estimates, `check --connect`, and the promise that tests
 * (and emulators) get no credentials and send nothing beyond the loopback endpoint.
 */
import dns from 'node:dns';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../src/intervals/day.js';
import { type BigQueryWarehouse, openBigQuery } from '../src/warehouse/bigquery.js';
import type { SqlBuildRequest } from '../src/warehouse/warehouse.js';
import { FakeBigQuery } from './fake-bigquery/server.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };

describe('BigQuery builds and connection checks', () => {
  let fake: FakeBigQuery;
  let warehouse: BigQueryWarehouse;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('raw.games', {
      columns: { game_date: 'DATE', points: 'INT64' },
      rows: [['2024-01-02', 10], ['2024-01-02', 12], ['2024-01-05', 7]],
      partitionBy: 'game_date',
    });
    warehouse = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
      { runId: 'build-run', retry: { attempts: 2, baseDelayMs: 0 } },
    );
    fake.reset();
  });
  afterEach(async () => {
    await warehouse.close();
    await fake.stop();
  });

  const request = (sql: string, dates = [dayOf('2024-01-02'), dayOf('2024-01-05')]): SqlBuildRequest => ({
    target: 'daily_points', table: 'analytics.daily_points', labels: { tool: 'dagrun', target: 'daily_points', run_id: 'build-run' },
    sql, start: dayOf('2024-01-02'), end: dayOf('2024-01-05'), dates,
  });
  const dailyPoints = `CREATE TABLE IF NOT EXISTS analytics.daily_points (game_date DATE, points INT64) PARTITION BY game_date;
DELETE FROM analytics.daily_points WHERE game_date IN UNNEST(@dates);
INSERT INTO analytics.daily_points
  SELECT game_date, SUM(points) FROM raw.games
  WHERE game_date BETWEEN @start_date AND @end_date AND game_date IN UNNEST(@dates) GROUP BY game_date;`;

  it('runs the build as one script: setup first, then the DML in a transaction, with typed DATE parameters', async () => {
    await warehouse.runSql(request(dailyPoints));
    const build = fake.queries.find((q) => q.labels['purpose'] === 'build')!;
    expect(build.sql.split('\n').filter((l) => /^(CREATE|BEGIN|COMMIT|DELETE|INSERT)/.test(l)).map((l) => l.split(' ')[0])).toEqual([
      'CREATE', 'BEGIN', 'DELETE', 'INSERT', 'COMMIT',
    ]);
    expect(build.labels).toEqual({ tool: 'dagrun', target: 'daily_points', run_id: 'build-run', purpose: 'build' });
    const params = Object.fromEntries(build.params.map((p) => [p.name, p]));
    expect(params['start_date']).toEqual({ name: 'start_date', parameterType: { type: 'DATE' }, parameterValue: { value: '2024-01-02' } });
    expect(params['dates']).toEqual({
      name: 'dates',
      parameterType: { type: 'ARRAY', arrayType: { type: 'DATE' } },
      parameterValue: { arrayValues: [{ value: '2024-01-02' }, { value: '2024-01-05' }] },
    });
    const out = await warehouse.checkValues([{ key: 'sum', sql: 'SELECT SUM(points) FROM analytics.daily_points' }], window);
    expect(out.get('sum')).toEqual({ ok: true, value: 29 });
  });

  it('sends an empty @dates as a typed empty array, and only the parameters the SQL uses', async () => {
    await warehouse.runSql(request('CREATE TABLE IF NOT EXISTS analytics.daily_points (game_date DATE); DELETE FROM analytics.daily_points WHERE game_date IN UNNEST(@dates);', []));
    const build = fake.queries.find((q) => q.labels['purpose'] === 'build')!;
    expect(build.params).toEqual([{ name: 'dates', parameterType: { type: 'ARRAY', arrayType: { type: 'DATE' } }, parameterValue: { arrayValues: [] } }]);
  });

  it('creates the target’s dataset once per run, and tolerates one created meanwhile', async () => {
    await warehouse.runSql(request(dailyPoints));
    await warehouse.runSql(request(dailyPoints));
    expect(fake.count('datasets.get')).toBe(1);
    expect(fake.count('datasets.insert')).toBe(1);
    const other = await openBigQuery(
      { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: undefined, apiEndpoint: fake.endpoint },
      { runId: 'other' },
    );
    fake.failNext(1, { status: 404, reason: 'notFound', route: 'datasets.get' }); // it looked missing…
    await other.runSql(request(dailyPoints)); // …but insert says it exists: fine
    expect(fake.count('datasets.insert')).toBe(2);
  });

  it('runs a script with DDL in the middle as written, and a script that manages its own transaction as written', async () => {
    await warehouse.runSql(request('CREATE OR REPLACE TABLE analytics.daily_points AS SELECT game_date, SUM(points) AS points FROM raw.games GROUP BY game_date'));
    expect(fake.queries.at(-1)!.sql).not.toContain('BEGIN TRANSACTION');
    // BigQuery refuses DDL on permanent tables inside a transaction; so does the fake.
    const refused = warehouse.runSql(request('BEGIN TRANSACTION; CREATE TABLE analytics.x (a INT64); COMMIT TRANSACTION;'));
    await expect(refused).rejects.toMatchObject({ transient: false, message: expect.stringContaining('not supported inside a transaction') });
  });

  it('estimates a build by dry runs: no query runs and nothing is billed', async () => {
    // 48 bytes read, but a job is billed at least 10 MiB per table it references.
    const bytes = await warehouse.estimateSqlBytes(request('SELECT game_date, points FROM raw.games WHERE game_date IN UNNEST(@dates)'));
    expect(bytes).toBe(10 * 1024 ** 2);
    expect(fake.count('jobs.insert')).toBe(1);
    expect(fake.count('jobs.query')).toBe(0);
    expect(fake.queries[0]).toMatchObject({ dryRun: true, labels: { purpose: 'build', target: 'daily_points' } });
    expect(fake.bytesBilled).toBe(0);
    await expect(warehouse.estimateSqlBytes(request('SELEC 1'))).rejects.toMatchObject({ transient: false });
  });

  it('estimates a DDL-first script statement by statement, times the ranges; unknown while the script creates what it reads', async () => {
    await expect(warehouse.estimateBuild(request(dailyPoints), 12)).resolves.toEqual({
      kind: 'unknown',
      reason: 'statement 2 reads analytics.daily_points, which the script creates first: its bytes cannot be known before it runs',
    });
    // The whole script's dry run would have said 0 bytes (it stops at the CREATE).
    expect((await fake.engine.execute(dailyPoints.replaceAll('@dates', '[DATE \'2024-01-02\']').replaceAll('@start_date', "DATE '2024-01-02'").replaceAll('@end_date', "DATE '2024-01-05'"), { dryRun: true })).bytesProcessed).toBe(0);
    await fake.duck('CREATE SCHEMA analytics; CREATE TABLE analytics.daily_points (game_date DATE, points BIGINT)');
    // DELETE references 1 table, INSERT 2: at least 3 × 10 MiB per range.
    await expect(warehouse.estimateBuild(request(dailyPoints), 12)).resolves.toEqual({ kind: 'known', bytes: 12 * 3 * 10 * 1024 ** 2 });
    expect(fake.queryJobs).toBe(0);
  });

  it('describes what `check --connect` found: project, datasets, tables, calendars, state', async () => {
    const lines = await warehouse.describeConnection(
      [{ kind: 'table', table: 'raw.games', dateColumn: 'game_date' }, { kind: 'sql', sql: 'SELECT DISTINCT game_date FROM raw.games' }, { kind: 'every-day' }],
      [
        { table: 'raw.games', dateColumn: 'game_date' },
        { table: 'raw.missing', dateColumn: 'game_date' },
        { table: 'raw.games2', dateColumn: 'd' },
        { table: 'analytics.daily_points', dateColumn: 'game_date' },
      ],
    );
    expect(lines).toEqual([
      'project fake-project: reachable, queries run (location US)',
      'dataset fake-project.raw in US: 1 of 3 tables exist, 1 read from partition metadata, 0 by scanning the date column',
      'dataset fake-project.analytics: not found yet (created by the first build)',
      'calendar raw.games.game_date: found, 3 rows',
      'calendar query: valid, would process 24 bytes',
      'calendar every day: needs no query',
      '_dagrun.writes: not found yet (created by the first build)',
    ]);
    fake.failNext(1, { status: 403, reason: 'accessDenied', route: 'jobs.query', message: 'Access Denied: Project fake-project' });
    await expect(warehouse.describeConnection([], [])).rejects.toThrow(
      'cannot run a query in BigQuery project fake-project: Access Denied: Project fake-project (accessDenied)',
    );
  });

  it('creates datasets in warehouse.location, else where the pipeline’s datasets are, else refuses; check --connect flags another location', async () => {
    await fake.engine.serial(() => fake.engine.catalog.setLocation('raw', 'EU'));
    const settings = { type: 'bigquery', project: fake.project, location: undefined, maximumBytesBilled: undefined, apiEndpoint: fake.endpoint } as const;
    const blind = await openBigQuery(settings, { runId: 'blind' });
    await expect(blind.runSql(request(dailyPoints))).rejects.toThrow(
      'cannot create dataset fake-project.analytics: warehouse.location is not set and no dataset of the pipeline exists yet to infer it from; set warehouse.location (e.g. "US", "EU" or "europe-west1")',
    );
    const inferring = await openBigQuery(settings, { runId: 'inferring' });
    await inferring.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
    await inferring.runSql(request(dailyPoints));
    expect(await fake.engine.serial(() => fake.engine.catalog.location('analytics'))).toBe('EU');
    // The configured location wins, and check --connect says when a dataset is elsewhere.
    const lines = await warehouse.describeConnection([], [{ table: 'raw.games', dateColumn: 'game_date' }]);
    expect(lines).toContain(
      'dataset fake-project.raw in EU: 1 of 1 tables exist, 1 read from partition metadata, 0 by scanning the date column; not in warehouse.location US: dagrun\'s queries cannot read it',
    );
  });

  it('sends no credentials and connects to nothing but the loopback endpoint', async () => {
    const seen: string[] = [];
    const connect = net.Socket.prototype.connect;
    const lookup = dns.lookup;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      // Node passes its own calls as one normalised array: [options, callback].
      const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
      const options = first as { host?: string; port?: number; path?: string } | number;
      seen.push(
        typeof options === 'object'
          ? (options.path ?? `${options.host ?? 'localhost'}:${options.port}`)
          : `${String(args[1] ?? 'localhost')}:${options}`,
      );
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof connect;
    (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
      seen.push(`dns ${host}`);
      return (lookup as (...a: unknown[]) => void)(host, ...rest);
    };
    try {
      const fresh = await openBigQuery(
        { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
        { runId: 'net' },
      );
      await fresh.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
      await fresh.runSql(request(dailyPoints));
      await fresh.recordWrites([{ target: 'daily_points', days: [dayOf('2024-01-02')], writtenAt: 1, fingerprint: 'f', runId: 'net' }]);
    } finally {
      net.Socket.prototype.connect = connect;
      (dns as { lookup: unknown }).lookup = lookup;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => !s.startsWith('127.0.0.1:'))).toEqual([]);
    expect(fake.authorizations).toEqual([]);
  });

  it('follows BIGQUERY_EMULATOR_HOST (paths without /bigquery/v2), still without credentials', async () => {
    process.env['BIGQUERY_EMULATOR_HOST'] = fake.endpoint;
    try {
      const viaEnv = await openBigQuery(
        { type: 'bigquery', project: fake.project, location: undefined, maximumBytesBilled: undefined, apiEndpoint: undefined },
        { runId: 'env' },
      );
      const present = await viaEnv.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
      expect(present.get('raw.games')?.days).toHaveLength(2);
      // The emulator variable wins over apiEndpoint in the client: it gets no credentials either.
      const google = await openBigQuery(
        { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: undefined, apiEndpoint: 'https://bigquery.googleapis.com' },
        { runId: 'env2' },
      );
      await google.presentDates([{ table: 'raw.games', dateColumn: 'game_date' }], window);
    } finally {
      delete process.env['BIGQUERY_EMULATOR_HOST'];
    }
    expect(fake.authorizations).toEqual([]);
  });

  it('rejects a maximumBytesBilled that is not a size, naming the setting', async () => {
    await expect(
      openBigQuery({ type: 'bigquery', project: 'p', location: undefined, maximumBytesBilled: 'lots', apiEndpoint: fake.endpoint }, { runId: 'x' }),
    ).rejects.toThrow('warehouse.maximumBytesBilled: "lots" is not a byte size (like "10GB" or "1048576")');
  });
});
