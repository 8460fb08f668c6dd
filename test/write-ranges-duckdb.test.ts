/**
 * Write records stored as ranges in a real DuckDB file: recording over earlier records cuts
 * them exactly (checked against a per-date model on random histories), a target built in one
 * go is one row, and a warehouse written before ranges (the per-date table `_dagrun.writes`)
 * gives the same verdicts read as it is, after its first write turns it into ranges, and
 * through the CLI's `--status --json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf, type Day } from '../src/intervals/day.js';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import type { WriteBatch, WriteRecord } from '../src/warehouse/warehouse.js';
import { random } from './helpers/random.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

const START = dayOf('2024-01-01');
const window = { first: START, last: (START + 59) as Day };

/** The layout of `_dagrun.writes` before ranges, as an older dagrun created it. */
const LEGACY_TABLE = `CREATE TABLE _dagrun.writes (
  target VARCHAR NOT NULL, day DATE NOT NULL, written_at DOUBLE NOT NULL,
  fingerprint VARCHAR NOT NULL, run_id VARCHAR NOT NULL, PRIMARY KEY (target, day))`;

async function sql(file: string, text: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(text)).getRowsJS() as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const byDay = (records: readonly WriteRecord[]) => [...records].sort((a, b) => a.target.localeCompare(b.target) || a.day - b.day);

describe('write records as ranges in a DuckDB file', () => {
  let dir: string;
  let file: string;
  let warehouse: DuckDbWarehouse;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-ranges-'));
    file = path.join(dir, 'w.duckdb');
    warehouse = new DuckDbWarehouse({ path: file, searchPath: dir });
  });
  afterEach(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a target built in one go as one row, and a rewrite in the middle as three', async () => {
    const days = Array.from({ length: 60 }, (_, i) => (START + i) as Day);
    await warehouse.recordWrites([{ target: 't', days, writtenAt: 10, fingerprint: 'f', runId: 'r1' }]);
    await warehouse.close();
    expect(await sql(file, 'SELECT count(*)::INTEGER FROM _dagrun.write_ranges')).toEqual([[1]]);
    await warehouse.recordWrites([{ target: 't', days: days.slice(20, 25), writtenAt: 20, fingerprint: 'g', runId: 'r2' }]);
    expect(await warehouse.readWriteRanges(['t'], window)).toEqual([
      { target: 't', first: START, last: START + 19, writtenAt: 10, fingerprint: 'f', runId: 'r1' },
      { target: 't', first: START + 20, last: START + 24, writtenAt: 20, fingerprint: 'g', runId: 'r2' },
      { target: 't', first: START + 25, last: START + 59, writtenAt: 10, fingerprint: 'f', runId: 'r1' },
    ]);
    // clipped to the window asked for
    expect(await warehouse.readWriteRanges(['t'], { first: (START + 22) as Day, last: (START + 30) as Day })).toEqual([
      { target: 't', first: START + 22, last: START + 24, writtenAt: 20, fingerprint: 'g', runId: 'r2' },
      { target: 't', first: START + 25, last: START + 30, writtenAt: 10, fingerprint: 'f', runId: 'r1' },
    ]);
  });

  it('writes parallel ranges of one target without a conflict, and the next process folds the rows they hide', async () => {
    const days = Array.from({ length: 60 }, (_, i) => (START + i) as Day);
    await warehouse.recordWrites([{ target: 't', days, writtenAt: 10, fingerprint: 'f', runId: 'r1' }]);
    await warehouse.close();
    await sql(file, 'CREATE SCHEMA s; CREATE TABLE s.t (d DATE)');
    const build = (from: number) => warehouse.runSql({
      target: 't', table: 's.t', labels: {}, sql: 'INSERT INTO s.t SELECT unnest(@dates)',
      start: days[from]!, end: days[from + 9]!, dates: days.slice(from, from + 10),
      record: { target: 't', days: days.slice(from, from + 10), fingerprint: 'g', runId: `r${from}` },
    });
    await build(0); // opens the file and prepares the records table: not counted
    const sequential = warehouse.queriesSent;
    await build(10);
    const perBuild = warehouse.queriesSent - sequential;
    const before = warehouse.queriesSent;
    // every one of them overlaps the row of the first write: rewriting that row in place would conflict, and retry
    await Promise.all([20, 30, 40].map(build));
    expect(warehouse.queriesSent - before).toBe(3 * perBuild);
    const ranges = await warehouse.readWriteRanges(['t'], window);
    expect(ranges.map((r) => [r.first - START, r.last - START, r.fingerprint, r.runId])).toEqual([
      [0, 9, 'g', 'r0'], [10, 19, 'g', 'r10'], [20, 29, 'g', 'r20'], [30, 39, 'g', 'r30'], [40, 49, 'g', 'r40'], [50, 59, 'f', 'r1'],
    ]);
    await warehouse.close();
    expect(await sql(file, 'SELECT count(*)::INTEGER FROM _dagrun.write_ranges')).toEqual([[6]]);
    expect(await sql(file, "SELECT count(*)::INTEGER FROM _dagrun.writes WHERE target = 't'")).toEqual([[60]]);
    const next = new DuckDbWarehouse({ path: file, searchPath: dir });
    await next.recordWrites([{ target: 'u', days: [START], writtenAt: 1, fingerprint: 'f', runId: 'r9' }]);
    expect(await next.readWriteRanges(['t'], window)).toEqual(ranges);
    await next.close();
    expect(await sql(file, "SELECT count(*)::INTEGER FROM _dagrun.write_ranges WHERE target = 't'")).toEqual([[6]]);
    await next.recordWrites([{ target: 't', days: days.slice(55), writtenAt: 20, fingerprint: 'g', runId: 'r55' }]);
    await next.close();
    const third = new DuckDbWarehouse({ path: file, searchPath: dir });
    await third.recordWrites([{ target: 'u', days: [START], writtenAt: 2, fingerprint: 'f', runId: 'r10' }]);
    await third.close();
    // [50, 59] of r1 is cut to [50, 54] by r55's [55, 59]: the fold leaves the visible rows only
    // (it runs before the process's first write: u's second row stays until the next)
    expect(await sql(file, "SELECT count(*)::INTEGER FROM _dagrun.write_ranges WHERE target = 't'")).toEqual([[7]]);
    expect(await sql(file, "SELECT count(*)::INTEGER FROM _dagrun.write_ranges WHERE target = 'u'")).toEqual([[2]]);
  });

  it('keeps the latest record of every day, as per-date rows would, over random histories', async () => {
    const rand = random(19);
    const model = new Map<string, { fingerprint: string; runId: string; writtenAt?: number }>();
    for (let round = 0; round < 12; round++) {
      const batches: WriteBatch[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, b) => {
        const from = Math.floor(rand() * 55);
        const days = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) => (START + from + i) as Day).filter(() => rand() < 0.8);
        const given = rand() < 0.5 ? { writtenAt: 1000 + round * 10 + b } : {};
        return { target: rand() < 0.5 ? 'a' : 'b', days, fingerprint: rand() < 0.2 ? '' : `f${Math.floor(rand() * 2)}`, runId: `r${round}.${b}`, ...given };
      });
      await warehouse.recordWrites(batches);
      for (const batch of batches) for (const day of batch.days) model.set(`${batch.target} ${day}`, { fingerprint: batch.fingerprint, runId: batch.runId, ...(batch.writtenAt !== undefined && { writtenAt: batch.writtenAt }) });
    }
    const records = byDay(await warehouse.readWrites(['a', 'b'], window));
    expect(records.map((r) => `${r.target} ${r.day}`)).toEqual([...model.keys()].sort((x, y) => x.split(' ')[0]!.localeCompare(y.split(' ')[0]!) || Number(x.split(' ')[1]) - Number(y.split(' ')[1])));
    for (const r of records) expect({ fingerprint: r.fingerprint, runId: r.runId, ...(model.get(`${r.target} ${r.day}`)!.writtenAt !== undefined && { writtenAt: r.writtenAt }) }).toEqual(model.get(`${r.target} ${r.day}`));
    // the ranges are the same records, disjoint and in day order per target
    const ranges = await warehouse.readWriteRanges(['a', 'b'], window);
    const expanded = ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => ({ target: r.target, day: (r.first + i) as Day, writtenAt: r.writtenAt, fingerprint: r.fingerprint, runId: r.runId })));
    expect(expanded).toEqual(records);
  });

  it('folds at each process\'s first write without changing a record, touching only the rows later ones hide', async () => {
    // 30 processes, each writing a few random ranges of two targets: before each first write the
    // fold runs; after it every record is the model's, the rows are disjoint, and a row nothing
    // hid is still the row it was (its seq unchanged)
    const rand = random(23);
    const model = new Map<string, string>();
    const rowsOf = async () => (await sql(file, 'SELECT target, first_day::VARCHAR, last_day::VARCHAR, run_id, seq::INTEGER FROM _dagrun.write_ranges ORDER BY seq')) as [string, string, string, string, number][];
    for (let round = 0; round < 30; round++) {
      await warehouse.close();
      const before = await rowsOf().catch(() => []);
      const process = new DuckDbWarehouse({ path: file, searchPath: dir });
      const batches: WriteBatch[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, b) => {
        const from = Math.floor(rand() * 55);
        const days = Array.from({ length: 1 + Math.floor(rand() * (rand() < 0.3 ? 40 : 4)) }, (_, i) => (START + from + i) as Day).filter((d) => d <= window.last);
        return { target: rand() < 0.5 ? 'a' : 'b', days, fingerprint: 'f', runId: `r${round}.${b}`, writtenAt: 1000 + round * 10 + b };
      });
      await process.recordWrites(batches);
      await process.close();
      for (const batch of batches) for (const day of batch.days) model.set(`${batch.target} ${day}`, batch.runId);
      const after = await rowsOf();
      // the rows of earlier processes are disjoint per target (this process's own may overlap them)
      const earlier = after.filter(([, , , run]) => !run.startsWith(`r${round}.`));
      for (const target of ['a', 'b']) {
        const spans = earlier.filter(([t]) => t === target).map(([, first, last]) => [dayOf(first), dayOf(last)] as const).sort((x, y) => x[0] - y[0]);
        spans.forEach((span, i) => i > 0 && expect(span[0], `round ${round}: rows of ${target} overlap`).toBeGreaterThan(spans[i - 1]![1]));
      }
      // a row of before that is still there whole kept its seq: the fold did not rewrite it
      const kept = new Map(before.map(([t, first, last, run, seq]) => [`${t} ${first} ${last} ${run}`, seq]));
      const rewritten = earlier.filter(([t, first, last, run, seq]) => kept.has(`${t} ${first} ${last} ${run}`) && kept.get(`${t} ${first} ${last} ${run}`) !== seq);
      expect(rewritten, `round ${round}`).toEqual([]);
    }
    const next = new DuckDbWarehouse({ path: file, searchPath: dir });
    const records = byDay(await next.readWrites(['a', 'b'], window));
    await next.close();
    expect(new Map(records.map((r) => [`${r.target} ${r.day}`, r.runId]))).toEqual(model);
    expect(records).toHaveLength(model.size);
  });

  it('reads a file written before ranges as it is, and turns it into ranges at its first write, records unchanged', async () => {
    await sql(file, `CREATE SCHEMA _dagrun; ${LEGACY_TABLE};
      INSERT INTO _dagrun.writes SELECT 'a', DATE '2024-01-01' + CAST(i AS INTEGER), 5.5, 'f', 'r1' FROM range(0, 10) t(i);
      INSERT OR REPLACE INTO _dagrun.writes VALUES ('a', DATE '2024-01-04', 7.25, '', 'r2'), ('a', DATE '2024-01-20', 5.5, 'f', 'r1'), ('b', DATE '2024-01-02', 3, 'g', 'r0')`);
    const before = { ranges: await warehouse.readWriteRanges(['a', 'b'], window), records: byDay(await warehouse.readWrites(['a', 'b'], window)) };
    expect(before.ranges).toEqual([
      { target: 'a', first: dayOf('2024-01-01'), last: dayOf('2024-01-03'), writtenAt: 5.5, fingerprint: 'f', runId: 'r1' },
      { target: 'a', first: dayOf('2024-01-04'), last: dayOf('2024-01-04'), writtenAt: 7.25, fingerprint: '', runId: 'r2' },
      { target: 'a', first: dayOf('2024-01-05'), last: dayOf('2024-01-10'), writtenAt: 5.5, fingerprint: 'f', runId: 'r1' },
      { target: 'a', first: dayOf('2024-01-20'), last: dayOf('2024-01-20'), writtenAt: 5.5, fingerprint: 'f', runId: 'r1' },
      { target: 'b', first: dayOf('2024-01-02'), last: dayOf('2024-01-02'), writtenAt: 3, fingerprint: 'g', runId: 'r0' },
    ]);
    expect(before.records).toHaveLength(12);
    await warehouse.recordWrites([{ target: 'c', days: [dayOf('2024-01-01')], writtenAt: 9, fingerprint: 'h', runId: 'r3' }]);
    expect(await warehouse.readWriteRanges(['a', 'b'], window)).toEqual(before.ranges);
    expect(byDay(await warehouse.readWrites(['a', 'b'], window))).toEqual(before.records);
    await warehouse.close();
    // the per-date table is gone, its name a view of the ranges: queries written against it still work
    expect(await sql(file, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '_dagrun' ORDER BY 1")).toEqual([
      ['write_ranges', 'BASE TABLE'],
      ['writes', 'VIEW'],
    ]);
    expect(await sql(file, "SELECT count(*)::INTEGER, count(DISTINCT day)::INTEGER FROM _dagrun.writes WHERE target = 'a'")).toEqual([[11, 11]]);
    expect(await sql(file, 'SELECT count(*)::INTEGER FROM _dagrun.write_ranges')).toEqual([[6]]);
  });
});

describe('a pipeline whose warehouse was written before ranges', () => {
  let rig: ProjectRig;
  beforeEach(() => {
    rig = new ProjectRig();
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-20' }, defaults: { dateColumn: 'd', threshold: 0.5 } }),
      'targets/raw.json5': JSON.stringify({ table: 's.raw', build: { sql: 'raw.sql', maxDays: 7 } }),
      'targets/raw.sql': 'CREATE TABLE IF NOT EXISTS s.raw (d DATE);\nDELETE FROM s.raw WHERE d IN (SELECT unnest(@dates));\nINSERT INTO s.raw SELECT unnest(@dates);\n',
      'targets/mid.json5': JSON.stringify({ table: 's.mid', deps: [{ target: 'raw', lookback: 2 }], build: { sql: 'mid.sql' } }),
      'targets/mid.sql': 'CREATE TABLE IF NOT EXISTS s.mid (d DATE);\nDELETE FROM s.mid WHERE d IN (SELECT unnest(@dates));\nINSERT INTO s.mid SELECT unnest(@dates);\n',
      'targets/top.json5': JSON.stringify({ table: 's.top', deps: ['mid'], build: { sql: 'top.sql', ranges: 'per-date' } }),
      'targets/top.sql': 'CREATE TABLE IF NOT EXISTS s.top (d DATE);\nDELETE FROM s.top WHERE d IN (SELECT unnest(@dates));\nINSERT INTO s.top SELECT unnest(@dates);\n',
    });
  });
  afterEach(() => rig.cleanup());

  const status = async () => {
    const result = await rig.exec(['--status', '--json']);
    return { code: result.code, json: JSON.parse(result.stdout) as unknown };
  };

  it('gives the same --status before and after its first write turns the records into ranges, and builds on', async () => {
    expect((await rig.exec(['top'])).code).toBe(0);
    // Make the file what an older dagrun would have left after the same builds and a few
    // events since: per-date records, a rewrite of raw after mid, a changed definition of
    // some dates of top, an unfinished mark on mid, and a hole in top.
    await rig.query(`CREATE TABLE _dagrun.per_date AS SELECT * FROM _dagrun.writes;
      DROP VIEW _dagrun.writes; DROP TABLE _dagrun.write_ranges; ${LEGACY_TABLE};
      INSERT INTO _dagrun.writes SELECT * FROM _dagrun.per_date; DROP TABLE _dagrun.per_date;
      UPDATE _dagrun.writes SET written_at = written_at + 1e9 WHERE target = 'raw' AND day = DATE '2024-01-09';
      UPDATE _dagrun.writes SET fingerprint = 'old-fingerprint' WHERE target = 'top' AND day BETWEEN DATE '2024-01-14' AND DATE '2024-01-15';
      UPDATE _dagrun.writes SET fingerprint = '', run_id = 'crashed-run', written_at = written_at + 2e9 WHERE target = 'mid' AND day = DATE '2024-01-03';
      DELETE FROM s.top WHERE d = DATE '2024-01-18';`);
    const legacy = await status();
    expect(legacy.code).toBe(1);
    const targets = (legacy.json as { targets: { name: string; state: string; missing: number; outdated: number; reasons: string[] }[] }).targets;
    expect(targets.map((t) => [t.name, t.state, t.missing, t.outdated])).toEqual([
      ['raw', 'fresh', 0, 0],
      ['mid', 'stale', 0, 4],
      // two dates of the old definition, and 01-03, which mid's unfinished mark outdates
      ['top', 'stale', 1, 3],
    ]);
    expect(targets[1]!.reasons.join('\n')).toMatch(/3 dates outdated \(2024-01-09\.\.2024-01-11\): raw rewrote 2024-01-09[^\n]*\n.*crashed-run/s);
    expect(targets[2]!.reasons.join('\n')).toContain('definition changed since last build (fingerprint old-fingerprint');
    // `--status` only reads: the file keeps its per-date table
    expect(await rig.query("SELECT table_type FROM information_schema.tables WHERE table_schema = '_dagrun' AND table_name = 'writes'")).toEqual([{ table_type: 'BASE TABLE' }]);

    // a write through the adapter (of a target of another pipeline) turns the records into ranges
    const warehouse = new DuckDbWarehouse({ path: path.join(rig.dir, '.dagrun/warehouse.duckdb'), searchPath: rig.dir });
    await warehouse.recordWrites([{ target: 'elsewhere', days: [dayOf('2024-01-01')], writtenAt: 1, fingerprint: 'x', runId: 'x' }]);
    await warehouse.close();
    expect(await rig.query("SELECT table_type FROM information_schema.tables WHERE table_schema = '_dagrun' AND table_name = 'writes'")).toEqual([{ table_type: 'VIEW' }]);
    expect(await status()).toEqual(legacy);

    // and the next build repairs exactly what was stale
    expect((await rig.exec(['top'])).code).toBe(0);
    expect((await status()).code).toBe(0);
  });
});
