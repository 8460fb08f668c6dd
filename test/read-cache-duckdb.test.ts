/**
 * Kept reads of a DuckDB warehouse (run/read-cache.ts): which reads DuckDB's parser finds
 * answered by the file alone, what the file's signature notices, and, through the built CLI,
 * that a second `--status` answers without opening the file while nothing changed, and reads
 * it again as soon as anything did (a table changed from outside, a file behind a view).
 */
import { copyFileSync, existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { keptReadsForBuild, withCachedReads } from '../src/run/read-cache.js';
import { openWarehouse } from '../src/warehouse/open.js';
import { readConsistently } from '../src/warehouse/read-cache.js';
import { openSession } from '../src/run/session.js';
import { fixedReads } from '../src/warehouse/duckdb-fixed-reads.js';
import { fileSignature, settled, SETTLE_MS } from '../src/warehouse/file-signature.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

let rig: ProjectRig | undefined;
let folder: string | undefined;
afterEach(() => {
  rig?.cleanup();
  rig = undefined;
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('fixedReads', () => {
  it('finds base tables of the file and named local files fixed, and views, globs, URLs, the clock, chance, settings and macros not', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA s; CREATE TABLE s.t (d DATE, n INTEGER); CREATE TABLE main_t (d DATE);
      CREATE VIEW s.v AS SELECT * FROM s.t; CREATE MACRO plus_one(x) AS x + 1;
      CREATE TABLE s.generated (d DATE, seen DATE GENERATED ALWAYS AS (CAST(current_localtimestamp() AS DATE)) VIRTUAL);`);
    const here = path.resolve('/pipeline');
    const both = (file: string) => ({ files: [...new Set([path.resolve(process.cwd(), file), path.join(here, file)])] });
    const queries: Record<string, unknown> = {
      'SELECT count(*) FROM s.t WHERE d BETWEEN @start_date AND @end_date': { files: [] },
      'SELECT d, sum(n) FROM s.t GROUP BY d': { files: [] },
      'WITH w AS (SELECT * FROM s.t) SELECT count(*) FROM w': { files: [] },
      'SELECT count(*) FROM main_t JOIN s.t USING (d)': { files: [] },
      'SELECT row_number() OVER (ORDER BY d) FROM s.t LIMIT 1': { files: [] },
      'SELECT coalesce(count(n) / nullif(count(*), 0), 0) FROM s.t': { files: [] },
      "SELECT DISTINCT d FROM read_csv('data/cal.csv', header = true, columns = {'d': 'DATE'})": both('data/cal.csv'),
      "SELECT count(*) FROM 'rows.parquet'": both('rows.parquet'),
      "SELECT count(*) FROM read_parquet(['/abs/a.parquet', '/abs/b.parquet'])": { files: ['/abs/a.parquet', '/abs/b.parquet'] },
      "SELECT count(*) FROM read_csv('data/*.csv')": false,
      "SELECT count(*) FROM read_csv('https://example.com/x.csv')": false,
      "SELECT count(*) FROM read_csv(getvariable('file'))": false,
      'SELECT count(*) FROM s.v': false,
      'SELECT count(*) FROM s.t WHERE d = current_date': false,
      'SELECT count(*) FROM s.t WHERE d = today()': false,
      "SELECT count(*) FROM s.t WHERE d > ago(INTERVAL '1 day')": false,
      "SELECT count(*) FROM s.t WHERE age(d) < INTERVAL '3 days'": false,
      'SELECT second(current_localtimestamp()) % 2': false,
      'SELECT count(*) FROM s.t USING SAMPLE 50 PERCENT (bernoulli)': false,
      'SELECT count(*) FROM s.t TABLESAMPLE 50%': false,
      'SELECT count(*) FROM s.generated': false,
      // a CTE's name that could name a file elsewhere in the query is taken as the file: watched
      'SELECT (WITH "extra.csv" AS (SELECT 1) SELECT count(*) FROM "extra.csv") + (SELECT count(*) FROM "extra.csv")': both('extra.csv'),
      // nor one that could name a system view elsewhere
      "SELECT (SELECT count(*) FROM (WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings)), (SELECT setting FROM pg_settings WHERE name = 'threads')": false,
      'SELECT random()': false,
      "SELECT current_setting('TimeZone')": false,
      "SELECT getenv('HOME')": false,
      'SELECT plus_one(1)': false,
      'SELECT count(*) FROM duckdb_tables()': false,
      'SELECT count(*) FROM missing_table': false,
      'SELECT 1; SELECT 2': false,
      'not sql at all': false,
    };
    const found = await fixedReads(connection, ['s.t', 's.V', 's.missing', 's.generated'], Object.keys(queries), here);
    expect([...found.tables].sort()).toEqual(['s.missing', 's.t']);
    expect(Object.fromEntries(Object.keys(queries).map((q, i) => [q, found.queries[i]]))).toEqual(queries);
    connection.closeSync();
    instance.closeSync();
  });
});

describe('fileSignature', () => {
  it('changes with a commit, and with an older copy put back over the file (its ctime)', async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'dagrun-signature-'));
    const file = path.join(folder, 'w.duckdb');
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run('CREATE TABLE t (d DATE)');
    connection.closeSync();
    instance.closeSync();
    copyFileSync(file, `${file}.copy`);
    const before = fileSignature(file)!;

    const again = await DuckDBInstance.create(file);
    const writer = await again.connect();
    await writer.run("INSERT INTO t VALUES ('2024-01-01')");
    const withLog = fileSignature(file)!;
    writer.closeSync();
    again.closeSync();
    const after = fileSignature(file)!;
    expect(withLog.key).not.toBe(before.key);
    expect(after.key).not.toBe(before.key);

    // `cp -p` of the old contents: same size, same mtime, a new ctime
    const { atime, mtime } = statSync(file);
    copyFileSync(`${file}.copy`, file);
    utimesSync(file, atime, mtime);
    expect(fileSignature(file)!.key).not.toBe(after.key);
    expect(fileSignature(path.join(folder, 'none.duckdb'))).toBeUndefined();
  });

  it('is settled only once its newest change is older than any file-system tick', () => {
    expect(settled({ key: 'k', newestChangeMs: 10_000, takenAtMs: 10_000 + SETTLE_MS - 1 })).toBe(false);
    expect(settled({ key: 'k', newestChangeMs: 10_000, takenAtMs: 10_000 + SETTLE_MS + 1 })).toBe(true);
  });
});

/** Holds the project's DuckDB file open for writing in another process until the returned function is called. */
async function holdWarehouse(file: string): Promise<() => Promise<void>> {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(file)});
    await instance.connect();
    process.stdout.write('held\\n');
    process.stdin.on('data', () => process.exit(0));`;
  const child = execa('node', ['--input-type=module', '-e', script], { cwd: path.resolve(import.meta.dirname, '..'), stdin: 'pipe', reject: false });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => (String(chunk).includes('held') ? resolve() : undefined));
    void child.then((r) => reject(new Error(`the holder ended: ${r.stderr}`)));
  });
  return async () => {
    child.stdin!.write('x');
    await child;
  };
}

describe('--status through kept reads', () => {
  const statusJson = async (env: Record<string, string> = {}) => {
    const result = await rig!.exec(['--status', '--json'], { env });
    return { code: result.code, stderr: result.stderr, targets: result.code <= 1 ? (JSON.parse(result.stdout) as { targets: { name: string; present: number; state: string }[] }).targets : [] };
  };

  it('answers a second time without opening the file, then reads it again once anything changed', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson(),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true }),
      'targets/b.json5': JSON.stringify({ table: 's.b', source: true, checks: [{ name: 'rows', sql: 'SELECT count(*) FROM s.b', min: 1 }] }),
      'targets/c.json5': JSON.stringify({ table: 's.c', source: true }),
      'c.csv': 'd\n2024-01-01\n',
      '.dagrun/.keep': '',
    });
    await rig.query(`CREATE SCHEMA s;
      CREATE TABLE s.a AS SELECT CAST(range AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-11', INTERVAL 1 DAY);
      CREATE TABLE s.b AS SELECT * FROM s.a;
      CREATE VIEW s.c AS SELECT * FROM read_csv('${path.join(rig.dir, 'c.csv').replaceAll("'", "''")}');`);
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    // a signature taken right after a write is not trusted (`settled`): let the file age first
    await delay(SETTLE_MS + 200);

    const cold = await statusJson();
    expect(cold.code).toBe(1); // c: 1 of 10 dates
    expect(cold.targets.map((t) => [t.name, t.present])).toEqual([['a', 10], ['b', 10], ['c', 1]]);

    // while another process holds the file, only kept reads can answer: a and b (c is a view over a file, asked each time)
    let release = await holdWarehouse(file);
    try {
      const held = await statusJson();
      expect(held.code).toBe(2);
      expect(held.stderr).toMatch(/warehouse/);
    } finally {
      await release();
    }
    rmSync(path.join(rig.dir, 'targets/c.json5'));
    release = await holdWarehouse(file);
    try {
      const held = await statusJson();
      expect(held.code).toBe(0);
      expect(held.targets.map((t) => [t.name, t.present, t.state])).toEqual([['a', 10, 'fresh'], ['b', 10, 'fresh']]);
      // turned off, the status must open the file, which is held
      expect((await statusJson({ DAGRUN_READ_CACHE: 'off' })).code).toBe(2);
    } finally {
      await release();
    }

    // a change from outside dagrun: the next status sees it
    await rig.query("DELETE FROM s.b WHERE d >= DATE '2024-01-06'");
    const changed = await statusJson();
    expect(changed.code).toBe(1);
    expect(changed.targets.map((t) => [t.name, t.present])).toEqual([['a', 10], ['b', 5]]);
  });
});

describe('withCachedReads', () => {
  it('runs the reads again on the file alone when it changed after kept answers were served', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson(),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true }),
      'targets/b.json5': JSON.stringify({ table: 's.b', source: true }),
      '.dagrun/.keep': '',
    });
    await rig.query(`CREATE SCHEMA s; CREATE TABLE s.a AS SELECT DATE '2024-01-01' AS d; CREATE TABLE s.b AS SELECT * FROM s.a;`);
    await delay(SETTLE_MS + 200);
    const session = openSession({ config: path.join(rig.dir, 'dag.json5'), targets: [] });
    const a = [{ table: 's.a', dateColumn: 'd' }];
    const b = [{ table: 's.b', dateColumn: 'd' }];
    // the first run keeps a's dates
    await withCachedReads(session, (warehouse) => warehouse.presentRanges(a, session.window));
    let runs = 0;
    const answers = await withCachedReads(session, (warehouse) =>
      readConsistently(warehouse, async () => {
        runs++;
        const first = await warehouse.presentRanges(a, session.window);
        // another process writes between the kept answer and the opening of the file
        if (runs === 1) await rig!.query("INSERT INTO s.a VALUES (DATE '2024-01-02')");
        await warehouse.presentRanges(b, session.window);
        return first.get('s.a')!.ranges;
      }),
    );
    expect(runs).toBe(2);
    expect(answers).toEqual([{ first: 19723, last: 19724 }]);
  });
});

describe('--status through kept reads, with a calendar read from a CSV file (as the demo)', () => {
  it('keeps the calendar with the file\'s stamp, and reads it again once the file changed', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ calendar: { sql: "SELECT d FROM read_csv('data/cal.csv', header = true, columns = {'d': 'DATE'})" } }),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true }),
      'data/cal.csv': 'd\n2024-01-01\n2024-01-02\n2024-01-03\n',
      '.dagrun/.keep': '',
    });
    await rig.query("CREATE SCHEMA s; CREATE TABLE s.a AS SELECT CAST(range AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-04', INTERVAL 1 DAY);");
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    await delay(SETTLE_MS + 200);
    const status = async () => {
      const result = await rig!.exec(['--status', '--json']);
      return { code: result.code, present: result.code <= 1 ? (JSON.parse(result.stdout) as { targets: { expected: number; present: number }[] }).targets[0] : undefined };
    };
    expect(await status()).toEqual({ code: 0, present: expect.objectContaining({ expected: 3, present: 3 }) });

    let release = await holdWarehouse(file);
    try {
      expect(await status()).toEqual({ code: 0, present: expect.objectContaining({ expected: 3, present: 3 }) });
      // a fourth date expected: the calendar must be read again, from the file that is held
      writeFileSync(path.join(rig.dir, 'data/cal.csv'), 'd\n2024-01-01\n2024-01-02\n2024-01-03\n2024-01-04\n');
      expect((await status()).code).toBe(2);
    } finally {
      await release();
    }
    expect(await status()).toEqual({ code: 1, present: expect.objectContaining({ expected: 4, present: 3 }) });
  });
});

describe('a build planned from kept reads', () => {
  const project = () =>
    new ProjectRig().write({
      'dag.json5': dagJson(),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true }),
      'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { sql: 'b.sql' } }),
      'targets/b.sql': 'DELETE FROM s.b WHERE d BETWEEN @start_date AND @end_date; INSERT INTO s.b SELECT d FROM s.a WHERE d BETWEEN @start_date AND @end_date;',
      '.dagrun/.keep': '',
    });

  it('with nothing to do never opens the file; with work it builds from the file as it is', async () => {
    rig = project();
    await rig.query("CREATE SCHEMA s; CREATE TABLE s.a AS SELECT CAST(range AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-11', INTERVAL 1 DAY); CREATE TABLE s.b (d DATE);");
    const first = await rig.exec([]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    await delay(SETTLE_MS + 200);
    expect((await rig.exec(['--status'])).code).toBe(0); // keeps what the file answers
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    const release = await holdWarehouse(file);
    try {
      const noop = await rig.exec([]);
      expect(noop.code).toBe(0);
      expect(noop.stdout).toMatch(/Nothing to do/);
      expect((await rig.exec([], { env: { DAGRUN_READ_CACHE: 'off' } })).code).toBe(2);
    } finally {
      await release();
    }
    // dates of b lost from outside dagrun: the next build sees it and rebuilds them
    await rig.query("DELETE FROM s.b WHERE d >= DATE '2024-01-08'");
    const rebuilt = await rig.exec([]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).not.toMatch(/Nothing to do/);
    expect(await rig.query('SELECT count(*)::INTEGER AS n FROM s.b')).toEqual([{ n: 10 }]);
  });

  it('plans again from the file when it changed after the kept reads were served', async () => {
    rig = project();
    await rig.query("CREATE SCHEMA s; CREATE TABLE s.a AS SELECT CAST(range AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-11', INTERVAL 1 DAY); CREATE TABLE s.b (d DATE);");
    await delay(SETTLE_MS + 200);
    const session = openSession({ config: path.join(rig.dir, 'dag.json5'), targets: [] });
    // kept by this process (the CLI's bundle keeps its reads for its own build): b is empty
    await withCachedReads(session, (reads) => Promise.all([reads.presentRanges([{ table: 's.b', dateColumn: 'd' }], session.window), reads.readWriteRanges(['b'], session.window)]));
    const warehouse = await openWarehouse(session.config, { runId: session.runId, lazy: true });
    try {
      const kept = keptReadsForBuild(session, warehouse)!;
      await kept.reads.presentRanges([{ table: 's.b', dateColumn: 'd' }], session.window);
      expect((await kept.reads.readWriteRanges(['b'], session.window))).toEqual([]);
      // b is built from outside between the kept reads and the build's hold on the file
      await rig.query("INSERT INTO s.b SELECT d FROM s.a");
      expect(await kept.confirm()).toBe(false);
    } finally {
      await warehouse.close();
    }
  });
});

describe('kept reads that read local files, from another working directory', () => {
  it('asks again: DuckDB looks for a relative path in the working directory first', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson(),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true, checks: [{ name: 'enough', sql: "SELECT count(*) FROM read_csv('data/x.csv')", min: 3 }] }),
      'data/x.csv': 'n\n1\n',
      'sub/data/x.csv': 'n\n1\n2\n3\n4\n5\n',
      '.dagrun/.keep': '',
    });
    await rig.query("CREATE SCHEMA s; CREATE TABLE s.a AS SELECT CAST(range AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-11', INTERVAL 1 DAY);");
    await delay(SETTLE_MS + 200);
    expect((await rig.exec(['--status'], { cwd: path.join(rig.dir, 'sub') })).code).toBe(0); // 5 rows, kept
    const fromRoot = await rig.exec(['--status']);
    expect(fromRoot.stdout).toMatch(/check enough failed: 1 < min 3/);
    expect(fromRoot.code).toBe(1);
  });
});

describe('kept reads after a build killed mid-write', () => {
  it('kill -9 while a self-writing command is between its halves: statuses read from the file, then kept, both say the date did not finish', async () => {
    const halfWriter = path.resolve(import.meta.dirname, 'helpers/processors/half-writer.mjs');
    const faults = () => path.join(rig!.dir, 'faults');
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-04' } }),
      'targets/d.json5': JSON.stringify({ table: 's.d', build: { command: ['node', halfWriter], opensWarehouse: true, ranges: 'per-date', env: { ROWS: '4', HOLD_MS: '1500', FAULT_DIR: 'faults', VERSION: '1' } } }),
      'faults/.keep': '',
    });
    const build = rig.spawn(['d']);
    for (const end = Date.now() + 60_000; !existsSync(path.join(faults(), '2024-01-02.half')); await delay(10)) {
      if (Date.now() > end || build.exitCode !== null) throw new Error('the build never reached its second date');
    }
    build.kill('SIGKILL');
    expect((await build).signal).toBe('SIGKILL');
    await delay(SETTLE_MS + 200);

    const unfinished = /2024-01-02.*did not finish, so they may hold old or partial rows/;
    // (it clears the dead run's lock, and ends the command it left running)
    const fromFile = await rig.exec(['--status', '--json']);
    expect(fromFile.stderr).toMatch(/cleared a stale lock/);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toMatch(unfinished);
    // the killed run's command may have written on for a moment: once the file has settled, a status keeps its reads
    await delay(SETTLE_MS + 200);
    expect((await rig.exec(['--status', '--json'])).stdout).toBe(fromFile.stdout);
    // the file held by another process: only kept reads can answer, and they say the same
    const release = await holdWarehouse(path.join(rig.dir, '.dagrun/warehouse.duckdb'));
    try {
      const kept = await rig.exec(['--status', '--json']);
      expect(kept.stderr).toBe('');
      expect(kept.code).toBe(1);
      expect(kept.stdout).toBe(fromFile.stdout);
    } finally {
      await release();
    }
  });
});
