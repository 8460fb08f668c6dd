/** The BigQuery adapter's pure parts: build scripts, labels, byte sizes, error classification, retry timing. */
import { describe, expect, it } from 'vitest';
import { BigQueryError, classifyBigQueryError, withRetry, type RetryEvent } from '../src/warehouse/bigquery-retry.js';
import { composeBuildScript, splitStatements } from '../src/warehouse/bigquery-script.js';
import { jobLabels, parseByteSize } from '../src/warehouse/bigquery-sql.js';
import { isLoopbackEndpoint } from '../src/warehouse/bigquery.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    expect(
      splitStatements(`SELECT ';' AS a; -- a comment; still a comment
      SELECT "x;y" /* ; */, \`d.t;\`;
      BEGIN SELECT 1; SELECT 2; END;
      SELECT CASE WHEN x THEN 1 END FROM t;;  `),
    ).toEqual([
      `SELECT ';' AS a`,
      `-- a comment; still a comment\n      SELECT "x;y" /* ; */, \`d.t;\``,
      'BEGIN SELECT 1; SELECT 2; END',
      'SELECT CASE WHEN x THEN 1 END FROM t',
    ]);
  });

  it('keeps BEGIN TRANSACTION a statement of its own, and ignores @end_date', () => {
    expect(splitStatements('BEGIN TRANSACTION; DELETE FROM t WHERE d <= @end_date; COMMIT TRANSACTION;')).toEqual([
      'BEGIN TRANSACTION',
      'DELETE FROM t WHERE d <= @end_date',
      'COMMIT TRANSACTION',
    ]);
  });
});

describe('composeBuildScript', () => {
  it('wraps DML in a transaction, with idempotent setup and DECLAREs before it', () => {
    const built = composeBuildScript(`DECLARE n INT64 DEFAULT 1;
      CREATE TABLE IF NOT EXISTS a.t (d DATE);
      DELETE FROM a.t WHERE d IN UNNEST(@dates);
      INSERT INTO a.t SELECT d FROM b.s WHERE d IN UNNEST(@dates);`);
    expect(built).toMatchObject({ transactional: true, atomic: true });
    expect(built.script.split('\n').map((l) => l.trim().split(' ')[0])).toEqual([
      'DECLARE', 'CREATE', 'BEGIN', 'DELETE', 'INSERT', 'COMMIT',
    ]);
  });

  it('allows temporary tables inside the transaction', () => {
    const built = composeBuildScript('CREATE TEMP TABLE x AS SELECT 1 AS a; INSERT INTO a.t SELECT a FROM x;');
    expect(built.transactional).toBe(true);
    expect(built.script.startsWith('BEGIN TRANSACTION;')).toBe(true);
  });

  it('runs a script with DDL in the middle as written: BigQuery refuses DDL in a transaction', () => {
    const sql = 'DELETE FROM a.t WHERE TRUE; CREATE OR REPLACE TABLE a.u AS SELECT 1 AS x;';
    expect(composeBuildScript(sql)).toEqual({
      script: 'DELETE FROM a.t WHERE TRUE;\nCREATE OR REPLACE TABLE a.u AS SELECT 1 AS x;',
      transactional: false,
      atomic: false,
      joined: false,
    });
  });

  it('leaves a single DDL statement alone (atomic on its own) and respects the author’s own transactions', () => {
    expect(composeBuildScript('CREATE OR REPLACE TABLE a.u AS SELECT 1 AS x')).toMatchObject({ transactional: false, atomic: true });
    const own = 'BEGIN TRANSACTION; DELETE FROM a.t WHERE TRUE; COMMIT TRANSACTION;';
    expect(composeBuildScript(own)).toEqual({
      script: 'BEGIN TRANSACTION;\nDELETE FROM a.t WHERE TRUE;\nCOMMIT TRANSACTION;',
      transactional: true,
      atomic: true,
      joined: false,
    });
  });
});

describe('labels and sizes', () => {
  it('makes label keys and values valid for BigQuery instead of failing the job', () => {
    expect(jobLabels({ tool: 'dagrun', target: 'Team.Offense Game', run_id: '2024-06-01T10:00:00Z', '9lives': 'x', skip: undefined })).toEqual({
      tool: 'dagrun',
      target: 'team_offense_game',
      run_id: '2024-06-01t10_00_00z',
      lives: 'x',
    });
    expect(jobLabels({ target: 'x'.repeat(80) })['target']).toHaveLength(63);
  });

  it('parses byte sizes in powers of 1024', () => {
    expect(parseByteSize('10GB')).toBe(String(10 * 1024 ** 3));
    expect(parseByteSize('10 MiB')).toBe('10485760');
    expect(parseByteSize('1.5 tb')).toBe(String(1.5 * 1024 ** 4));
    expect(parseByteSize('1048576')).toBe('1048576');
    expect(parseByteSize('ten gigs')).toBeUndefined();
    expect(parseByteSize('0')).toBeUndefined();
  });

  it('recognises loopback endpoints, which get no credentials', () => {
    expect(['http://127.0.0.1:9050', 'http://localhost:1', 'http://[::1]:80', 'http://127.1.2.3'].map(isLoopbackEndpoint)).toEqual([true, true, true, true]);
    expect(['https://bigquery.googleapis.com', 'http://10.0.0.1', 'not a url', undefined].map(isLoopbackEndpoint)).toEqual([false, false, false, false]);
  });
});

describe('classifyBigQueryError', () => {
  const apiError = (code: number, reason: string) => Object.assign(new Error(`boom ${reason}`), { code, errors: [{ reason, message: `msg ${reason}` }] });

  it('decides by reason first: a 403 is a rate limit or a permission problem', () => {
    expect(classifyBigQueryError(apiError(403, 'rateLimitExceeded'))).toEqual({ transient: true, reason: 'rateLimitExceeded', message: 'msg rateLimitExceeded' });
    expect(classifyBigQueryError(apiError(403, 'quotaExceeded')).transient).toBe(false);
    expect(classifyBigQueryError(apiError(403, 'accessDenied')).transient).toBe(false);
    expect(classifyBigQueryError(apiError(500, 'backendError')).transient).toBe(true);
    expect(classifyBigQueryError(apiError(400, 'jobBackendError')).transient).toBe(true);
    expect(classifyBigQueryError(apiError(400, 'invalidQuery')).transient).toBe(false);
    expect(classifyBigQueryError(apiError(404, 'notFound')).transient).toBe(false);
    expect(classifyBigQueryError(apiError(400, 'bytesBilledLimitExceeded')).transient).toBe(false);
  });

  it('reads job-level reasons from status.errorResult, then HTTP status, then network codes', () => {
    const jobError = Object.assign(new Error('x'), { response: { status: { errorResult: { reason: 'jobRateLimitExceeded', message: 'slow down' } } } });
    expect(classifyBigQueryError(jobError)).toEqual({ transient: true, reason: 'jobRateLimitExceeded', message: 'slow down' });
    expect(classifyBigQueryError(Object.assign(new Error('x'), { code: 503 }))).toMatchObject({ transient: true, reason: 'http-503' });
    expect(classifyBigQueryError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({ transient: true, reason: 'ECONNRESET' });
    expect(classifyBigQueryError(new Error('anything else'))).toMatchObject({ transient: false });
    expect(classifyBigQueryError(Object.assign(new Error('Request is missing required authentication credential'), { code: 401 }))).toMatchObject({
      transient: false,
      message: expect.stringContaining('gcloud auth application-default login'),
    });
  });
});

describe('withRetry', () => {
  const transient = () => Object.assign(new Error('x'), { code: 503, errors: [{ reason: 'backendError', message: 'try later' }] });

  it('backs off exponentially with jitter in the upper half, within the cap, and reports each retry', async () => {
    const events: RetryEvent[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw transient();
        return 'done';
      },
      { operation: 'query', target: 'games', policy: { attempts: 5, baseDelayMs: 4, maxDelayMs: 10 }, onRetry: (e) => events.push(e), random: () => 1 },
    );
    expect(result).toBe('done');
    expect(events.map((e) => [e.attempt, e.delayMs, e.reason, e.target])).toEqual([
      [1, 4, 'backendError', 'games'],
      [2, 8, 'backendError', 'games'],
      [3, 10, 'backendError', 'games'],
    ]);
  });

  it('gives up after the bounded attempts with a transient error, and never retries a permanent one', async () => {
    let calls = 0;
    const persistent = withRetry(async () => {
      calls++;
      throw transient();
    }, { operation: 'query', policy: { attempts: 3, baseDelayMs: 0 }, onRetry: undefined });
    await expect(persistent).rejects.toMatchObject({ transient: true, reason: 'backendError', message: 'try later (backendError; gave up after 3 attempts)' });
    expect(calls).toBe(3);
    calls = 0;
    const permanent = withRetry(async () => {
      calls++;
      throw Object.assign(new Error('x'), { code: 400, errors: [{ reason: 'invalidQuery', message: 'Syntax error at [1:1]' }] });
    }, { operation: 'query', policy: { attempts: 3, baseDelayMs: 0 }, onRetry: undefined });
    await expect(permanent).rejects.toBeInstanceOf(BigQueryError);
    await expect(permanent).rejects.toMatchObject({ transient: false, message: 'Syntax error at [1:1] (invalidQuery)' });
    expect(calls).toBe(1);
  });
});

describe('parameters in BigQuery text', () => {
  it('finds @names outside backslash-escaped and triple-quoted strings and # comments', async () => {
    const { rewriteNamedParameters } = await import('../src/warehouse/sql-text.js');
    const sql = "SELECT 'it\\'s @not' AS a, '''x @no ' y''' AS b # @comment\nFROM t WHERE d IN UNNEST(@dates) -- @neither\n AND s = \"a\\\"@nope\" AND e = @end_date";
    expect([...rewriteNamedParameters(sql, '@', 'bigquery').names]).toEqual(['dates', 'end_date']);
    // DuckDB's dialect is unchanged: doubled quotes, no # comments.
    expect([...rewriteNamedParameters("SELECT 'it''s @no' , @yes", '$').names]).toEqual(['yes']);
  });
});
