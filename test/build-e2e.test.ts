/**
 * The built CLI on small DuckDB pipelines in temp folders: a command target (a Node script
 * that opens the warehouse itself) feeding SQL targets. Run `npx tsc -p tsconfig.json` first.
 *
 *   raw (command, maxDays 7) ──▶ mid (SQL) ──lookback 2──▶ top (SQL)        side (SQL, independent)
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig, type CliResult } from './helpers/rig.js';

/** Where the script finds DuckDB: the temp project has no node_modules, so by absolute URL. */
const DUCKDB_URL = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;

/** Writes the dates dagrun hands over into the table named by argv; `half` writes every other one, `fail` exits 3. */
const WRITE_SCRIPT = `
const [table, mode] = process.argv.slice(2);
const dates = process.env.DAGRUN_DATES.split(',');
if (mode === 'fail') {
  console.error('cannot reach the source for ' + process.env.DAGRUN_START);
  process.exit(3);
}
const { DuckDBInstance } = await import(${JSON.stringify(DUCKDB_URL)});
const keep = mode === 'half' ? dates.filter((_, i) => i % 2 === 0) : dates;
const instance = await DuckDBInstance.create(JSON.parse(process.env.DAGRUN_WAREHOUSE).path);
const db = await instance.connect();
await db.run('CREATE SCHEMA IF NOT EXISTS ' + table.split('.')[0]);
await db.run('CREATE TABLE IF NOT EXISTS ' + table + ' (d DATE, v INTEGER)');
await db.run('DELETE FROM ' + table + " WHERE d IN ('" + dates.join("','") + "')");
for (const d of keep) await db.run('INSERT INTO ' + table + " VALUES (DATE '" + d + "', " + Number(d.slice(8)) + ')');
console.log('wrote ' + keep.length + ' of ' + dates.length + ' dates into ' + table);
db.closeSync();
instance.closeSync();
`;

const MID_SQL = `
CREATE TABLE IF NOT EXISTS an.mid (d DATE, total INTEGER);
DELETE FROM an.mid WHERE d IN (SELECT unnest(@dates));
INSERT INTO an.mid SELECT d, sum(v) FROM raw.events WHERE d IN (SELECT unnest(@dates)) GROUP BY d;
`;

const TOP_SQL = `
CREATE TABLE IF NOT EXISTS an.top (d DATE, rolling INTEGER);
DELETE FROM an.top WHERE d IN (SELECT unnest(@dates));
INSERT INTO an.top
SELECT m.d, (SELECT sum(x.total) FROM an.mid x WHERE x.d BETWEEN m.d - 2 AND m.d)
FROM an.mid m WHERE m.d IN (SELECT unnest(@dates));
`;

const SIDE_SQL = `
CREATE TABLE IF NOT EXISTS an.side (d DATE);
DELETE FROM an.side WHERE d IN (SELECT unnest(@dates));
INSERT INTO an.side SELECT unnest(@dates);
`;

/** The pipeline; `rawMode` makes the command misbehave, `midCheck` adds a check to mid. */
function pipeline(options: { rawMode?: 'half' | 'fail'; midCheck?: Record<string, unknown> } = {}): Record<string, string> {
  const rawCommand = ['node', 'scripts/write.mjs', 'raw.events', ...(options.rawMode ? [options.rawMode] : [])];
  return {
    'dag.json5': dagJson({ concurrency: 2, groups: { an: { concurrency: 1 } } }),
    'scripts/write.mjs': WRITE_SCRIPT,
    'targets/raw.json5': JSON.stringify({ table: 'raw.events', group: 'ingest', build: { command: rawCommand, maxDays: 7 } }),
    'targets/an/mid.json5': JSON.stringify({ table: 'an.mid', deps: ['raw'], group: 'an', build: { sql: 'mid.sql' }, checks: options.midCheck ? [options.midCheck] : [] }),
    'targets/an/mid.sql': MID_SQL,
    'targets/an/top.json5': JSON.stringify({ table: 'an.top', deps: [{ target: 'mid', lookback: 2 }], group: 'an', build: { sql: 'top.sql' } }),
    'targets/an/top.sql': TOP_SQL,
    'targets/side.json5': JSON.stringify({ table: 'an.side', build: { sql: 'side.sql' } }),
    'targets/side.sql': SIDE_SQL,
  };
}

const json = (result: CliResult) => JSON.parse(result.stdout) as Record<string, any>;
const all = (result: CliResult) => `${result.stdout}\n${result.stderr}`;

let rig: ProjectRig;
afterEach(() => rig.cleanup());

/** A rig with the pipeline written (and `groups.ingest` declared). */
function project(options: Parameters<typeof pipeline>[0] = {}): ProjectRig {
  rig = new ProjectRig();
  const files = pipeline(options);
  files['dag.json5'] = dagJson({ concurrency: 2, groups: { an: { concurrency: 1 }, ingest: { concurrency: 1 } } });
  return rig.write(files);
}

describe('dagrun build, end to end', () => {
  it('builds from empty, is a no-op the second time, and repairs exactly the dates deleted from a middle table', async () => {
    project();
    const first = await rig.exec([]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Built 4 targets/);
    expect(first.stdout).toMatch(/raw\s+built\s+2\/2\s+10\s+0\.0% → 100\.0%/); // maxDays 7: two ranges
    expect(await rig.query('SELECT count(*)::INTEGER AS n, sum(rolling)::INTEGER AS s FROM an.top')).toEqual([{ n: 10, s: 136 }]);

    const second = await rig.exec([]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Nothing to do: every selected target is fresh.");
    expect(second.stdout).not.toMatch(/▶/);

    await rig.query("DELETE FROM an.mid WHERE d IN (DATE '2024-01-04', DATE '2024-01-05', DATE '2024-01-06')");
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1);
    const mid = json(status).targets.find((t: { name: string }) => t.name === 'mid');
    expect(mid).toMatchObject({ state: 'stale', expected: 10, present: 7, missing: 3, missingRanges: [['2024-01-04', '2024-01-06']] });
    expect(json(status).targets.filter((t: { state: string }) => t.state !== 'fresh').map((t: { name: string }) => t.name)).toEqual(['mid']);

    const plan = await rig.exec(['-n', '--json']);
    expect(plan.code).toBe(0);
    expect(json(plan).steps.map((s: Record<string, unknown>) => [s.target, s.ranges, s.dates, s.after])).toEqual([
      ['mid', [['2024-01-04', '2024-01-06']], 3, []],
      ['top', [['2024-01-04', '2024-01-08']], 5, ['mid']], // lookback 2: the two dates after the hole read it too
    ]);

    const repair = await rig.exec([]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/mid\s+built\s+1\/1\s+3\s+70\.0% → 100\.0%/);
    expect(repair.stdout).not.toMatch(/▶ raw/);
    expect((await rig.exec(['--status'])).code).toBe(0);
    expect(await rig.query('SELECT count(*)::INTEGER AS n, sum(rolling)::INTEGER AS s FROM an.top')).toEqual([{ n: 10, s: 136 }]);
  });

  // The 7-date range writes 4 of its dates and the 3-date one 2 (every other one): 4 of 10 stay missing.
  it('fails a range whose command exits 0 but writes half its dates, naming them, and starts nothing downstream', async () => {
    project({ rawMode: 'half' });
    const result = await rig.exec(['top']);
    expect(result.code).toBe(1);
    expect(all(result)).toContain('exited 0 but 3 of the 7 dates handed over are not in raw.events: 2024-01-02, 2024-01-04, 2024-01-06');
    expect(result.stdout).toMatch(/mid\s+skipped.*upstream raw failed/);
    expect(result.stdout).not.toMatch(/▶ mid/);
    expect(await rig.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'an'")).toEqual([{ n: 0 }]);
  });

  it('fails the gate when a check fails, naming the check', async () => {
    project({ midCheck: { name: 'totals_large', sql: 'SELECT min(total) FROM an.mid', min: 1000 } });
    const result = await rig.exec(['top']);
    expect(result.code).toBe(1);
    expect(all(result)).toMatch(/check totals_large failed: 1 < min 1000/);
    expect(result.stdout).toMatch(/top\s+skipped.*upstream mid failed/);
  });

  it('without -k stops after a failure and shows the command output; with -k builds the independent branch', async () => {
    // -j 1: raw heads the longest chain, so it runs first and fails before side could start.
    project({ rawMode: 'fail' });
    const stop = await rig.exec(['-j', '1']);
    expect(stop.code).toBe(1);
    // The user sees the tail of the failing command, and its whole output stays in the run's folder.
    expect(all(stop)).toContain('cannot reach the source for 2024-01-01');
    const runs = readdirSync(path.join(rig.dir, '.dagrun/runs'));
    expect(runs).toHaveLength(1);
    expect(readdirSync(path.join(rig.dir, '.dagrun/runs', runs[0]!, 'raw')).some((f) => f.endsWith('.log'))).toBe(true);
    expect(stop.stdout).toMatch(/side\s+skipped.*not started: the run stopped after raw failed/);
    expect(existsSync(path.join(rig.dir, '.dagrun/warehouse.duckdb'))).toBe(true);
    expect(await rig.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'side'")).toEqual([{ n: 0 }]);

    const keepGoing = await rig.exec(['-j', '1', '-k']);
    expect(keepGoing.code).toBe(1);
    expect(keepGoing.stdout).toMatch(/side\s+built/);
    expect(keepGoing.stdout).toMatch(/mid\s+skipped.*upstream raw failed/);
    expect(await rig.query('SELECT count(*)::INTEGER AS n FROM an.side')).toEqual([{ n: 10 }]);
  });

  it('prints the plan as JSON per SPEC, and -B plans the whole window of the named target', async () => {
    project();
    const empty = await rig.exec(['--dry-run', '--json']);
    expect(empty.code).toBe(0);
    const plan = json(empty);
    expect(plan.window).toEqual({ start: '2024-01-01', end: '2024-01-10' });
    for (const step of plan.steps) expect(Object.keys(step)).toEqual(expect.arrayContaining(['target', 'group', 'ranges', 'dates', 'reasons', 'after']));
    expect(plan.steps.map((s: Record<string, unknown>) => [s.target, s.group, s.ranges, s.dates, s.after])).toEqual([
      ['raw', 'ingest', [['2024-01-01', '2024-01-07'], ['2024-01-08', '2024-01-10']], 10, []],
      ['side', null, [['2024-01-01', '2024-01-10']], 10, []],
      ['mid', 'an', [['2024-01-01', '2024-01-10']], 10, ['raw']],
      ['top', 'an', [['2024-01-01', '2024-01-10']], 10, ['mid']],
    ].sort((a, b) => plan.steps.findIndex((s: { target: string }) => s.target === a[0]) - plan.steps.findIndex((s: { target: string }) => s.target === b[0])));
    expect(plan.steps.findIndex((s: { target: string }) => s.target === 'raw')).toBeLessThan(plan.steps.findIndex((s: { target: string }) => s.target === 'mid'));
    expect(plan.steps.findIndex((s: { target: string }) => s.target === 'mid')).toBeLessThan(plan.steps.findIndex((s: { target: string }) => s.target === 'top'));
    expect(existsSync(path.join(rig.dir, '.dagrun/runs'))).toBe(false); // a dry run runs nothing

    expect((await rig.exec(['mid'])).code).toBe(0);
    const forced = await rig.exec(['-B', 'mid', '-n', '--json']);
    expect(json(forced).steps.map((s: Record<string, unknown>) => [s.target, s.ranges, s.dates])).toEqual([['mid', [['2024-01-01', '2024-01-10']], 10]]);
    const rebuilt = await rig.exec(['-B', 'mid']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/mid\s+built\s+1\/1\s+10\s+100\.0% → 100\.0%/);
    expect(rebuilt.stdout).not.toMatch(/▶ raw/);
  });

  it('exits 2 on bad usage and bad configuration, with a message and no stack trace', async () => {
    project();
    const unknown = await rig.exec(['mdi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown target "mdi" \(did you mean "mid"\?\)/);
    const badJobs = await rig.exec(['-j', '0']);
    expect(badJobs.code).toBe(2);
    rig.write({ 'targets/bad.json5': JSON.stringify({ table: 'an.bad', deps: ['nope'], build: { sql: 'side.sql' } }) });
    const badConfig = await rig.exec([]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/bad\.json5/);
    for (const r of [unknown, badJobs, badConfig]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
