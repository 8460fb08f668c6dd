/** The fake itself: its SQL translation, its BigQuery rules, and running it as a separate process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './server.js';
import { splitScript, translateStatement } from './translate.js';

describe('translation to DuckDB', () => {
  let fake: FakeBigQuery | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  it('maps backticked names, parameters, UNNEST, types, printf-style FORMAT and BigQuery strings', () => {
    const t = translateStatement(
      "SELECT `d` FROM `my-proj.raw.games` AS g JOIN raw.other o ON TRUE WHERE d IN UNNEST(@dates) AND s = \"it's\" # note",
    );
    expect(t.duck.trim()).toBe(
      `SELECT "d" FROM "raw"."games" AS g JOIN "raw"."other" o ON TRUE WHERE d IN (SELECT unnest($dates)) AND s = 'it''s'`,
    );
    expect([...t.tables].sort()).toEqual(['raw.games', 'raw.other']);
    expect(translateStatement('SELECT x FROM UNNEST(@days) AS x').duck).toBe('SELECT x FROM unnest($days) AS _unnest_x(x)');
    expect(translateStatement('CREATE TABLE a.b (x FLOAT64, y NUMERIC, z BYTES)').duck).toBe('CREATE TABLE "a"."b" (x DOUBLE, y DECIMAL(38, 9), z BLOB)');
    expect(translateStatement("SELECT FORMAT('%.17g', x), UNIX_DATE(d), FORMAT_DATE('%F', d) FROM a.t").duck).toBe(
      `SELECT printf('%.17g', x), UNIX_DATE(d), FORMAT_DATE('%F', d) FROM "a"."t"`,
    );
  });

  it('strips PARTITION BY, CLUSTER BY and OPTIONS from CREATE TABLE, keeping the partition column', () => {
    const t = translateStatement(
      "CREATE TABLE IF NOT EXISTS `p.a.b` (game_date DATE, n INT64) PARTITION BY game_date CLUSTER BY n OPTIONS (description = 'x')",
    );
    expect(t.duck.replace(/\s+/g, ' ').trim()).toBe('CREATE TABLE IF NOT EXISTS "a"."b" (game_date DATE, n INT64)');
    expect(t).toMatchObject({ kind: 'ddl', partitionBy: 'game_date', writes: 'a.b' });
    const ctas = translateStatement('CREATE OR REPLACE TABLE a.b PARTITION BY DATE(ts) AS SELECT * FROM a.c');
    expect(ctas.duck.replace(/\s+/g, ' ')).toBe('CREATE OR REPLACE TABLE "a"."b" AS SELECT * FROM "a"."c"');
    expect(ctas.partitionBy).toBe('ts');
    expect(translateStatement('SELECT ROW_NUMBER() OVER (PARTITION BY a) FROM t').partitionBy).toBeUndefined();
  });

  it('rewrites DATE_SUB/DATE_ADD/DATE_DIFF, GREATEST/LEAST, ARRAY<T> and * EXCEPT with BigQuery semantics', async () => {
    const t = translateStatement(
      'SELECT DATE_DIFF(a, DATE_SUB(MIN(d) OVER (PARTITION BY s), INTERVAL 14 DAY), DAY), GREATEST(x, y), z.* EXCEPT (k) FROM a.t z',
    );
    expect(t.duck.replace(/\s+/g, ' ').trim()).toBe(
      `SELECT datediff('day', CAST((CAST((MIN(d) OVER (PARTITION BY s)) - INTERVAL 14 DAY AS DATE)) AS DATE), CAST((a) AS DATE)), ` +
        `(CASE WHEN (x) IS NULL OR (y) IS NULL THEN NULL ELSE greatest(x, y) END), z.* EXCLUDE (k) FROM "a"."t" z`,
    );
    expect(translateStatement('CREATE TABLE a.b (v ARRAY<FLOAT64>)').duck).toBe('CREATE TABLE "a"."b" (v DOUBLE[])');
    expect(() => translateStatement('SELECT DATE_DIFF(a, b, WEEK) FROM a.t')).toThrow(/WEEK/);
    // DuckDB spellings BigQuery rejects are syntax errors here too.
    expect(() => translateStatement('SELECT x::INT64 FROM a.t')).toThrow(/Syntax error/);
    expect(() => translateStatement('SELECT avg(x) FILTER (WHERE y > 1) FROM a.t')).toThrow(/Syntax error/);
    expect(() => translateStatement('SELECT * EXCLUDE (k) FROM a.t')).toThrow(/Syntax error/);
    expect(translateStatement("SELECT 'a::b', x AS filter FROM a.t").duck).toContain("'a::b'");
    expect(() => translateStatement('SELECT DATE_SUB(a, 3) FROM a.t')).toThrow(/INTERVAL/);
    fake = await FakeBigQuery.start();
    const rows = await fake.engine.execute(
      "SELECT DATE_ADD(DATE '2021-12-31', INTERVAL 2 DAY) AS a, DATE_DIFF(DATE '2022-01-02', DATE '2021-12-25', DAY) AS b, " +
        'GREATEST(1, NULL) AS c, LEAST(2, 3) AS e, (SELECT COUNTIF(x > 1) FROM (SELECT CAST(NULL AS INT64) AS x)) AS f',
    );
    expect(rows.result?.rows[0]?.f.map((c) => c.v)).toEqual(['2022-01-02', '8', null, '2', '0']);
  });

  it('refuses arrays with a NULL element, in a result and in written rows, as BigQuery does', async () => {
    fake = await FakeBigQuery.start();
    await expect(fake.engine.execute('SELECT [1.0, NULL] AS v')).rejects.toMatchObject({
      reason: 'invalidQuery', message: 'Array cannot have a null element; error in writing field v',
    });
    await fake.duck('CREATE SCHEMA a');
    await fake.engine.execute('CREATE TABLE a.t (v ARRAY<FLOAT64>)');
    await expect(fake.engine.execute("BEGIN TRANSACTION; INSERT INTO a.t SELECT [1.0, CAST('NaN' AS FLOAT64)]; INSERT INTO a.t SELECT [2.0, NULL]; COMMIT TRANSACTION;")).rejects.toMatchObject({
      message: 'Array cannot have a null element; error in writing field v',
    });
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['0']]);
    await fake.engine.execute("INSERT INTO a.t SELECT [1.0, CAST('NaN' AS FLOAT64)]");
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['1']]);
  });

  it('splits scripts outside strings and comments, and reads INFORMATION_SCHEMA.PARTITIONS from the catalog', () => {
    expect(splitScript("SELECT ';'; -- ; \nSELECT 2;\n")).toEqual(["SELECT ';'", ' -- ; \nSELECT 2']);
    const t = translateStatement('SELECT partition_id FROM `p.raw.INFORMATION_SCHEMA.PARTITIONS`');
    expect(t.partitionsOf).toEqual(new Set(['raw']));
    expect(t.duck).toContain("FROM (SELECT * FROM _fake_meta.all_partitions WHERE lower(table_schema) = 'raw')");
  });
});

describe('BigQuery rules in the fake', () => {
  let fake: FakeBigQuery | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it('rolls back a transaction the script leaves open, and one that fails', async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('a.t', { columns: { n: 'INT64' }, rows: [[1], [2]] });
    await fake.engine.execute('BEGIN TRANSACTION; DELETE FROM a.t WHERE TRUE;');
    await expect(fake.engine.execute('BEGIN TRANSACTION; DELETE FROM a.t WHERE TRUE; SELECT 1/0 FROM a.nope; COMMIT TRANSACTION;')).rejects.toMatchObject({
      status: 404,
      reason: 'notFound',
    });
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['2']]);
    await fake.engine.execute('BEGIN TRANSACTION; DELETE FROM a.t WHERE n = 1; COMMIT TRANSACTION;');
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['1']]);
  });

  it('lists unpartitioned tables with a NULL partition, as BigQuery does', async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('a.p', { columns: { d: 'DATE' }, rows: [['2024-01-01'], [null]], partitionBy: 'd' });
    await fake.seed('a.u', { columns: { d: 'DATE' }, rows: [['2024-01-01']] });
    const { result } = await fake.engine.execute('SELECT table_name, partition_id, total_rows FROM `x.a.INFORMATION_SCHEMA.PARTITIONS` ORDER BY 1, 2');
    expect(result?.rows.map((r) => r.f.map((c) => c.v))).toEqual([
      ['p', '20240101', '1'],
      ['p', '__NULL__', '1'],
      ['u', null, null],
    ]);
    await expect(fake.engine.execute('SELECT * FROM `x.nope.INFORMATION_SCHEMA.PARTITIONS`')).rejects.toMatchObject({ reason: 'notFound' });
  });

  it('lists columns in INFORMATION_SCHEMA.COLUMNS with BigQuery type names and the partitioning column', async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('a.p', { columns: { d: 'DATE', n: 'INT64', x: 'FLOAT64' }, rows: [['2024-01-01', 1, 0.5]], partitionBy: 'd' });
    await fake.seed('a.u', { columns: { at: 'TIMESTAMP', ok: 'BOOL', s: 'STRING' }, rows: [] });
    const { result } = await fake.engine.execute(
      "SELECT table_name, column_name, data_type, is_partitioning_column FROM `x.a.INFORMATION_SCHEMA.COLUMNS` WHERE is_system_defined = 'NO' ORDER BY table_name, ordinal_position",
    );
    expect(result?.rows.map((r) => r.f.map((c) => c.v))).toEqual([
      ['p', 'd', 'DATE', 'YES'],
      ['p', 'n', 'INT64', 'NO'],
      ['p', 'x', 'FLOAT64', 'NO'],
      ['u', 'at', 'TIMESTAMP', 'NO'],
      ['u', 'ok', 'BOOL', 'NO'],
      ['u', 's', 'STRING', 'NO'],
    ]);
    await expect(fake.engine.execute('SELECT * FROM `x.nope.INFORMATION_SCHEMA.COLUMNS`')).rejects.toMatchObject({ status: 404, reason: 'notFound' });
    await expect(fake.engine.execute('SELECT * FROM `x.a.INFORMATION_SCHEMA.TABLES`')).rejects.toMatchObject({ reason: 'invalidQuery' });
  });
});

describe('BigQuery strictness in the fake', () => {
  let fake: FakeBigQuery;
  afterEach(async () => {
    await fake.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${fake.endpoint}/bigquery/v2/projects/${fake.project}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  /** Polls a job until it ends: its last getQueryResults answer. */
  const finish = async (jobId: string) => {
    for (;;) {
      const answer = await call('GET', `/queries/${jobId}`);
      if (answer.status !== 200 || answer.body['jobComplete'] !== false) return answer;
    }
  };
  const insert = (jobId: string, query: string) => call('POST', '/jobs', { jobReference: { jobId }, configuration: { query: { query } } });
  const seedT = async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('a.t', { columns: { d: 'DATE', n: 'INT64' }, rows: [['2024-01-01', 1], ['2024-01-02', 2]], partitionBy: 'd' });
  };

  it('dry-runs a script only up to its first DDL statement: ~0 bytes, nothing after it validated', async () => {
    await seedT();
    const ddlFirst = await fake.engine.execute(
      'CREATE TABLE IF NOT EXISTS a.x (d DATE); DELETE FROM a.x WHERE TRUE; INSERT INTO a.x SELECT d FROM a.t; SELECT * FROM a.nope;',
      { dryRun: true },
    );
    expect(ddlFirst).toMatchObject({ bytesProcessed: 0, statementType: 'SCRIPT' });
    // Without DDL the statements are validated and estimated; one reading a missing table fails.
    const dml = await fake.engine.execute('DELETE FROM a.t WHERE d = DATE \'2024-01-01\'; INSERT INTO a.t SELECT d, n FROM a.t;', { dryRun: true });
    expect(dml.bytesProcessed).toBeGreaterThan(0);
    await expect(fake.engine.execute('DELETE FROM a.t WHERE TRUE; INSERT INTO a.t SELECT * FROM a.nope;', { dryRun: true })).rejects.toMatchObject({ reason: 'notFound' });
  });

  it('aborts the later of two overlapping transactions on one table; appends never conflict', async () => {
    await seedT();
    const txn = (n: number) => `BEGIN TRANSACTION; DELETE FROM a.t WHERE n = ${n}; INSERT INTO a.t VALUES (DATE '2024-01-0${n}', ${n * 10}); COMMIT TRANSACTION;`;
    fake.slowNext(2, 1);
    expect((await insert('first', txn(1))).body['status']).toEqual({ state: 'RUNNING' });
    expect((await insert('second', txn(2))).body['status']).toEqual({ state: 'RUNNING' });
    expect((await call('GET', '/queries/second')).body['jobComplete']).toBe(false);
    expect((await call('GET', '/queries/second')).status).toBe(200); // commits first
    const later = await finish('first');
    expect(later).toMatchObject({ status: 400, body: { error: { errors: [{ reason: 'invalidQuery' }] } } });
    expect(later.body['error'].message).toBe('Transaction is aborted due to concurrent update against table fake-project.a.t.');
    expect((await call('GET', '/jobs/first')).body['status']).toMatchObject({ state: 'DONE', errorResult: { reason: 'invalidQuery' } });
    expect(await fake.duck('SELECT n FROM a.t ORDER BY n')).toEqual([['1'], ['20']]);
    // Statements of a script outside a transaction fail the same way; appends do not.
    fake.slowNext(3, 1);
    await insert('script', 'DELETE FROM a.t WHERE n = 1; SELECT 1;');
    await insert('lone', 'DELETE FROM a.t WHERE n = 20');
    await insert('append', 'INSERT INTO a.t VALUES (DATE \'2024-01-05\', 5); SELECT 1;');
    expect((await finish('lone')).status).toBe(200);
    expect((await finish('script')).body['error']?.message).toBe('Could not serialize access to table fake-project:a.t due to concurrent update');
    expect((await finish('append')).status).toBe(200);
  });

  it('loses an answer after doing the work; a job id inserted again is a 409; cancel stops a running job', async () => {
    await seedT();
    fake.loseNext(1, { route: 'jobs.insert' });
    expect((await insert('once', 'INSERT INTO a.t VALUES (DATE \'2024-01-03\', 3)')).status).toBe(503);
    expect((await call('GET', '/jobs/once')).body['status']).toEqual({ state: 'DONE' });
    const again = await insert('once', 'INSERT INTO a.t VALUES (DATE \'2024-01-03\', 3)');
    expect(again).toMatchObject({ status: 409, body: { error: { errors: [{ reason: 'duplicate' }] } } });
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['3']]);
    fake.failNext(1, { status: 503, reason: 'backendError', route: 'jobs.getQueryResults' });
    expect((await call('GET', '/queries/once')).status).toBe(503);
    expect((await call('GET', '/queries/once')).status).toBe(200);

    fake.slowNext(1, 5);
    await insert('slow', 'DELETE FROM a.t WHERE TRUE');
    const cancelled = await call('POST', '/jobs/slow/cancel');
    expect(cancelled.body['job'].status).toMatchObject({ state: 'DONE', errorResult: { reason: 'stopped' } });
    expect((await call('GET', '/queries/slow')).status).toBe(400);
    expect(await fake.duck('SELECT count(*) FROM a.t')).toEqual([['3']]);
    expect((await insert('bad id!', 'SELECT 1')).status).toBe(400);
  });
});

describe('the fake as a separate process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
  });

  it('prints its endpoint, answers the REST API, and takes controls over HTTP', async () => {
    const main = fileURLToPath(new URL('./main.mjs', import.meta.url));
    child = spawn(process.execPath, [main, '--project', 'e2e-project'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).once('line', resolve);
      child!.once('exit', (code) => reject(new Error(`fake exited with ${code}`)));
    });
    const { endpoint, project } = JSON.parse(line) as { endpoint: string; project: string };
    expect(project).toBe('e2e-project');
    const post = async (path: string, body: unknown) =>
      (await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json();
    await post('/_fake/seed', { table: 'raw.games', spec: { columns: { game_date: 'DATE' }, rows: [['2024-01-02']], partitionBy: 'game_date' } });
    const answer = (await post('/projects/e2e-project/queries', { query: 'SELECT COUNT(*) AS n FROM `e2e-project.raw.games`' })) as { rows: { f: { v: string }[] }[] };
    expect(answer.rows[0]!.f[0]!.v).toBe('1');
    await post('/_fake/fail', { times: 1, status: 503, reason: 'backendError' });
    const failed = await fetch(`${endpoint}/bigquery/v2/projects/e2e-project/datasets/raw`);
    expect(failed.status).toBe(503);
    const stats = (await (await fetch(`${endpoint}/_fake/stats`)).json()) as { calls: Record<string, number> };
    expect(stats.calls).toEqual({ 'jobs.query': 1, 'datasets.get': 1 });
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
