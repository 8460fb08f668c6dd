/**
 * Input that cannot make sense is refused at load, located and worded whole: SQL that breaks
 * the range's transaction or writes where it should read, numbers past their bounds, paths
 * outside the project, names the warehouse cannot hold, and escaped braces in commands.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../core/errors.js';
import { formatDiagnostic } from './diagnostics.js';
import { validateConfig } from './load.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const DAG = {
  warehouse: { type: 'duckdb' },
  window: { start: '2024-01-01', end: '2024-01-10' },
  calendar: { every: 'day' },
  defaults: { dateColumn: 'd' },
  targets: ['targets/**/*.json5'],
};
const BIGQUERY = { ...DAG, warehouse: { type: 'bigquery', project: 'p' } };

const target = (table: string, extra: Record<string, unknown> = {}) => ({ table, build: { command: ['true'] }, ...extra });
const sqlTarget = (table: string, extra: Record<string, unknown> = {}) => ({ table, build: { sql: 'x.sql' }, ...extra });

/** Writes a pipeline; `links` are symbolic links (name → where they point). Returns errors and warnings as printed. */
function load(files: Record<string, unknown>, links: Record<string, string> = {}): { errors: string[]; warnings: string[]; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-input-'));
  folders.push(dir);
  for (const [name, content] of Object.entries({ 'dag.json5': DAG, ...files })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  for (const [name, to] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(to, path.join(dir, name));
  }
  const warnings: Diagnostic[] = [];
  const result = validateConfig(path.join(dir, 'dag.json5'), { cwd: dir, onWarning: (w) => warnings.push(w) });
  return { errors: result.ok ? [] : result.error.map(formatDiagnostic), warnings: warnings.map(formatDiagnostic), dir };
}
const errorsOf = (files: Record<string, unknown>, links?: Record<string, string>) => load(files, links).errors;

describe('a build .sql keeps to the one transaction of its range', () => {
  it('refuses each statement that begins, ends or abandons a transaction, with its line', () => {
    const sql = ['BEGIN;', 'DELETE FROM s.x WHERE d BETWEEN @start_date AND @end_date;', 'INSERT INTO s.x SELECT 1;', 'COMMIT;', 'start transaction; rollback;', 'ABORT; END TRANSACTION;'].join('\n');
    const why = 'controls the transaction, but dagrun runs each range in one transaction of its own (so that nothing half-done counts as done): remove it';
    expect(errorsOf({ 'targets/x.json5': sqlTarget('s.x'), 'targets/x.sql': sql })).toEqual([
      `targets/x.json5 › build.sql: x.sql line 1: BEGIN ${why}`,
      `targets/x.json5 › build.sql: x.sql line 4: COMMIT ${why}`,
      `targets/x.json5 › build.sql: x.sql line 5: START TRANSACTION ${why}`,
      `targets/x.json5 › build.sql: x.sql line 5: ROLLBACK ${why}`,
      `targets/x.json5 › build.sql: x.sql line 6: ABORT ${why}`,
      `targets/x.json5 › build.sql: x.sql line 6: END TRANSACTION ${why}`,
    ]);
  });

  it('is not fooled by the words in strings, names or comments', () => {
    const sql = [
      "-- COMMIT at the end; BEGIN",
      "/* ROLLBACK; */ INSERT INTO s.x SELECT 'COMMIT;' AS \"commit\", $$ROLLBACK;$$ AS r, 'it''s; COMMIT' AS q;",
      "UPDATE s.x SET note = 'BEGIN' WHERE d = @start_date",
    ].join('\n');
    expect(errorsOf({ 'targets/x.json5': sqlTarget('s.x'), 'targets/x.sql': sql })).toEqual([]);
  });

  it('on BigQuery, allows BEGIN … END blocks and reads backslash escapes and # comments', () => {
    const sql = ["BEGIN", "  SELECT 'it\\'s; COMMIT'; # COMMIT", "  INSERT INTO s.x SELECT 1;", "EXCEPTION WHEN ERROR THEN", "  SELECT 1;", "END;", "BEGIN TRANSACTION;", "COMMIT TRANSACTION;"].join('\n');
    expect(errorsOf({ 'dag.json5': BIGQUERY, 'targets/x.json5': sqlTarget('s.x'), 'targets/x.sql': sql })).toEqual([
      'targets/x.json5 › build.sql: x.sql line 7: BEGIN TRANSACTION controls the transaction, but dagrun runs each range in one transaction of its own (so that nothing half-done counts as done): remove it',
      'targets/x.json5 › build.sql: x.sql line 8: COMMIT TRANSACTION controls the transaction, but dagrun runs each range in one transaction of its own (so that nothing half-done counts as done): remove it',
    ]);
  });
});

describe('checks and calendars only read', () => {
  const checkMessage = (i: number, keyword: string) =>
    `targets/x.json5 › checks[${i}].sql: runs ${keyword}, but a check is a query (SELECT, WITH … SELECT, FROM, VALUES or TABLE) returning one number, and never changes the warehouse`;

  it.each([
    ['UPDATE s.x SET v = 1', 'UPDATE'],
    ['insert into s.x values (1)', 'INSERT'],
    ['DELETE FROM s.x', 'DELETE'],
    ['CREATE TABLE s.y AS SELECT 1', 'CREATE'],
    ['DROP TABLE s.x', 'DROP'],
    ["COPY s.x TO '/tmp/x.csv'", 'COPY'],
    ["ATTACH '/tmp/other.db'", 'ATTACH'],
    ['PRAGMA enable_profiling', 'PRAGMA'],
    ["SET memory_limit = '1GB'", 'SET'],
    ['CALL dbgen(sf = 1)', 'CALL'],
    ['SELECT 1; DROP TABLE s.x', 'DROP'],
    ['WITH doomed AS (SELECT 1) DELETE FROM s.x', 'WITH … DELETE'],
    ['WITH a (n) AS (SELECT 1), b AS MATERIALIZED (SELECT 2) UPDATE s.x SET v = 1', 'WITH … UPDATE'],
  ])('refuses %j', (sql, keyword) => {
    expect(errorsOf({ 'targets/x.json5': target('s.x', { checks: [{ name: 'c', sql, min: 0 }] }) })).toEqual([checkMessage(0, keyword)]);
  });

  it.each([
    ['SELECT count(*) FROM s.x'],
    ['  -- a comment first\nselect 1;'],
    ['WITH RECURSIVE a (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 3), b AS (SELECT 2) SELECT max(n) FROM a'],
    ['WITH a AS (SELECT 1 AS v) (SELECT v FROM a)'],
    ['FROM s.x SELECT count(*)'],
    ['VALUES (1)'],
    ['TABLE s.x'],
    ['(SELECT 1) UNION ALL (SELECT 2)'],
    ["SELECT 'DELETE FROM s.x' AS text, 1 AS \"update\""],
  ])('accepts %j', (sql) => {
    expect(errorsOf({ 'targets/x.json5': target('s.x', { checks: [{ name: 'c', sql, min: 0 }] }) })).toEqual([]);
  });

  it("refuses a calendar query that writes, in dag.json5 and in a target's own calendar", () => {
    expect(
      errorsOf({
        'dag.json5': { ...DAG, calendar: { sql: 'CREATE TABLE s.cal AS SELECT 1' } },
        'targets/x.json5': target('s.x', { calendar: { sql: 'DELETE FROM s.games' } }),
        'targets/y.json5': target('s.y'),
      }),
    ).toEqual([
      'dag.json5 › calendar.sql: runs CREATE, but a calendar is a query (SELECT, WITH … SELECT, FROM, VALUES or TABLE) returning one DATE column, and never changes the warehouse',
      'targets/x.json5 › calendar.sql: runs DELETE, but a calendar is a query (SELECT, WITH … SELECT, FROM, VALUES or TABLE) returning one DATE column, and never changes the warehouse',
    ]);
  });
});

describe('parallel commands that open DuckDB themselves', () => {
  const warning =
    'targets/x.json5 › build.parallel: runs one at a time on DuckDB: the command opens the warehouse file itself (build.opensWarehouse, the default without build.output) and only one process can hold it; use build.output to hand rows over and run in parallel';

  it('are a warning, not an error', () => {
    expect(load({ 'targets/x.json5': { table: 's.x', build: { command: ['run'], parallel: 4 } } })).toMatchObject({ errors: [], warnings: [warning] });
    expect(load({ 'targets/x.json5': { table: 's.x', build: { command: ['run'], parallel: 4, opensWarehouse: true } } }).warnings).toEqual([warning]);
  });

  it.each([
    ['opensWarehouse: false', DAG, { command: ['run'], parallel: 4, opensWarehouse: false }],
    ['build.output', DAG, { command: ['run', '{output}'], parallel: 4, output: 'csv' }],
    ['parallel: 1', DAG, { command: ['run'], parallel: 1 }],
    ['BigQuery', BIGQUERY, { command: ['run'], parallel: 4 }],
  ])('say nothing with %s', (_, dag, build) => {
    expect(load({ 'dag.json5': dag, 'targets/x.json5': { table: 's.x', build } })).toMatchObject({ errors: [], warnings: [] });
  });
});

describe('numbers within bounds', () => {
  it('refuses a lookback past 3660 days, and numbers that are not numbers', () => {
    expect(
      errorsOf({
        'targets/a.json5': target('s.a'),
        'targets/x.json5': target('s.x', { deps: [{ target: 'a', lookback: 1e9 }] }),
        'targets/y.json5': `{ table: 's.y', threshold: NaN, deps: [{ target: 'a', lookback: Infinity }], build: { command: ['true'] } }`,
      }),
    ).toEqual([
      'targets/x.json5 › deps[0].lookback: must be between 0 and 3660, got 1000000000',
      'targets/y.json5 › threshold: expected a number, got NaN (not a number)',
      'targets/y.json5 › deps[0].lookback: expected a whole number, got Infinity',
    ]);
    expect(errorsOf({ 'targets/a.json5': target('s.a'), 'targets/x.json5': target('s.x', { deps: [{ target: 'a', lookback: 3660 }] }) })).toEqual([]);
  });

  it('refuses more than 100 retries (delays double: the last would come years later)', () => {
    expect(errorsOf({ 'dag.json5': { ...DAG, defaults: { dateColumn: 'd', retries: 1e9 } }, 'targets/x.json5': { table: 's.x', build: { command: ['true'], retries: 101 } } })).toEqual([
      'dag.json5 › defaults.retries: must be between 0 and 100, got 1000000000',
      'targets/x.json5 › build.retries: must be between 0 and 100, got 101',
    ]);
  });

  it('refuses timeouts and retry delays of zero or past what a timer can hold (24.8 days)', () => {
    const tooLong = (text: string) => `"${text}" is longer than the longest timer dagrun can set (about 24.8 days): use at most "24d"`;
    expect(
      errorsOf({
        'dag.json5': { ...DAG, defaults: { dateColumn: 'd', timeout: '25d' } },
        'targets/x.json5': { table: 's.x', build: { command: ['true'], timeout: '30d', retryBackoff: '600h' } },
        'targets/y.json5': { table: 's.y', build: { command: ['true'], timeout: '0s' } },
        'targets/z.json5': { table: 's.z', build: { command: ['true'], timeout: '24d' } },
      }),
    ).toEqual([
      `dag.json5 › defaults.timeout: ${tooLong('25d')}`,
      `targets/x.json5 › build.timeout: ${tooLong('30d')}`,
      `targets/x.json5 › build.retryBackoff: ${tooLong('600h')}`,
      'targets/y.json5 › build.timeout: "0s" is not a duration longer than zero (use e.g. "90s", "15m", "2h")',
    ]);
  });

  it('refuses years outside 1000..9999 for what they are, and windows longer than 10,000 days', () => {
    expect(errorsOf({ 'dag.json5': { ...DAG, window: { start: '0050-01-01', end: '0099-02-30' } }, 'targets/x.json5': target('s.x') })).toEqual([
      'dag.json5 › window.start: "0050-01-01" is in the year 50: dagrun plans years 1000..9999',
      'dag.json5 › window.end: "0099-02-30" is in the year 99: dagrun plans years 1000..9999',
    ]);
    expect(errorsOf({ 'dag.json5': { ...DAG, window: { start: '0999-12-31', end: 'today' } }, 'targets/x.json5': target('s.x') })).toEqual([
      'dag.json5 › window.start: "0999-12-31" is in the year 999: dagrun plans years 1000..9999',
    ]);
    expect(errorsOf({ 'dag.json5': { ...DAG, window: { start: '1925-01-01', end: '2024-12-31' } }, 'targets/x.json5': target('s.x') })).toEqual([
      'dag.json5 › window: 1925-01-01 .. 2024-12-31 is 36,525 days: a window can cover at most 10,000 days (about 27 years)',
    ]);
    expect(errorsOf({ 'dag.json5': { ...DAG, window: { start: '1000-01-01', end: '1027-05-18' } }, 'targets/x.json5': target('s.x') })).toEqual([]);
  });
});

describe('paths and names', () => {
  it('refuses a .sql outside the project without reading it, also through a link', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'dagrun-outside-'));
    folders.push(outside);
    writeFileSync(path.join(outside, 'secret.sql'), 'root:x:0:0');
    const { errors, dir } = load(
      { 'targets/x.json5': { table: 's.x', build: { sql: '../../etc/passwd' } }, 'targets/y.json5': { table: 's.y', build: { sql: 'y.sql' } } },
      { 'targets/y.sql': path.join(outside, 'secret.sql') },
    );
    expect(errors).toEqual([
      'targets/x.json5 › build.sql: "../../etc/passwd" is outside the project folder: a .sql file must be inside the folder that holds the pipeline file (the path is relative to the target file)',
      `targets/y.json5 › build.sql: "y.sql" is a link to ${path.join(outside, 'secret.sql')}, outside the project folder: a .sql file must be inside the folder that holds the pipeline file (the path is relative to the target file)`,
    ]);
    expect(errors.join('\n')).not.toContain('root:');
    expect(dir).not.toBe(outside);
  });

  it('refuses an empty date column wherever one is written', () => {
    expect(
      errorsOf({
        'dag.json5': { ...DAG, defaults: { dateColumn: '' }, calendar: { table: 's.games', dateColumn: '' } },
        'targets/x.json5': target('s.x', { dateColumn: '' }),
      }),
    ).toEqual([
      'dag.json5 › calendar.dateColumn: must not be empty',
      'dag.json5 › defaults.dateColumn: must not be empty',
      'targets/x.json5 › dateColumn: must not be empty',
    ]);
  });

  it('refuses project.dataset.table on DuckDB, naming the key', () => {
    expect(
      errorsOf({
        'dag.json5': { ...DAG, calendar: { table: 'p.raw.schedule', dateColumn: 'd' } },
        'targets/x.json5': target('my-project.s.x', { calendar: { table: 'p.raw.games' } }),
      }),
    ).toEqual([
      `dag.json5 › calendar.table: "p.raw.schedule" has three parts, but DuckDB tables are schema.table (project.dataset.table is BigQuery's form)`,
      `targets/x.json5 › table: "my-project.s.x" has three parts, but DuckDB tables are schema.table (project.dataset.table is BigQuery's form)`,
      `targets/x.json5 › calendar.table: "p.raw.games" has three parts, but DuckDB tables are schema.table (project.dataset.table is BigQuery's form)`,
    ]);
  });

  it("refuses tables in dagrun's own schema or dataset", () => {
    expect(errorsOf({ 'targets/x.json5': target('_DAGRUN.writes') })).toEqual([
      `targets/x.json5 › table: "_DAGRUN.writes" is in the _DAGRUN schema, which is reserved for dagrun's own records: put the table in another schema`,
    ]);
    expect(errorsOf({ 'dag.json5': BIGQUERY, 'targets/x.json5': target('p._dagrun.x') })).toEqual([
      `targets/x.json5 › table: "p._dagrun.x" is in the _dagrun dataset, which is reserved for dagrun's own records: put the table in another dataset`,
    ]);
    // On BigQuery the records' dataset may be named, and may live in another project.
    const named = { ...BIGQUERY, warehouse: { type: 'bigquery', project: 'p', stateDataset: 'ops', stateProject: 'admin' } };
    expect(errorsOf({ 'dag.json5': named, 'targets/x.json5': target('admin.ops.x'), 'targets/y.json5': target('ops.y'), 'targets/z.json5': target('_dagrun.z') })).toEqual([
      `targets/x.json5 › table: "admin.ops.x" is in the ops dataset, which is reserved for dagrun's own records: put the table in another dataset`,
    ]);
  });

  it('reports a target file that is a broken link instead of skipping it', () => {
    expect(errorsOf({ 'targets/a.json5': target('s.a') }, { 'targets/b.json5': 'gone.json5', 'targets/deep/c.json5': '../../nowhere/c.json5', 'targets/notes.txt': 'gone.txt' })).toEqual([
      'targets/b.json5: the file is a symbolic link to "gone.json5", which does not exist (fix the link or remove it)',
      'targets/deep/c.json5: the file is a symbolic link to "../../nowhere/c.json5", which does not exist (fix the link or remove it)',
    ]);
  });
});

describe('placeholders', () => {
  it('accept {{ and }} as literal braces, and still check what is inside single braces', () => {
    expect(errorsOf({ 'targets/x.json5': { table: 's.x', build: { command: ['awk', '{{print $1}}', '{{start}}', '{{{start}}}'] } } })).toEqual([]);
    expect(errorsOf({ 'targets/x.json5': { table: 's.x', build: { command: ['awk', '{print $1}', '{{{strat}}}'] } } })).toEqual([
      'targets/x.json5 › build.command[1]: unknown placeholder {print $1} (known: {start} {end} {dates} {target} {table} {run_id} {output}; write {{ and }} for literal braces)',
      'targets/x.json5 › build.command[2]: unknown placeholder {strat} (did you mean {start}?)',
    ]);
  });
});
