/**
 * Incremental precision end to end, through the built CLI on small DuckDB pipelines:
 * upstream rewrites hand over exactly the dates that read them (same-date and lookback),
 * edited .sql files make their target and its downstream rebuild with the reason, and a
 * second CI runner in another folder computes the same plan from the warehouse alone.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProjectRig, dagJson } from './helpers/rig.js';

/** A SQL build that (re)writes the given dates of `table`, from `source` when given. */
function sqlBuild(table: string, source?: string, lookback = 0): string {
  const value = source ? `(SELECT coalesce(sum(v), 0) FROM ${source} u WHERE u.d BETWEEN x.d - ${lookback} AND x.d)` : '1';
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (d DATE, v BIGINT);`,
    `DELETE FROM ${table} WHERE list_contains(@dates, d);`,
    `INSERT INTO ${table} SELECT x.d, ${value} FROM (SELECT unnest(@dates) AS d) x;`,
    '',
  ].join('\n');
}

//   up ──▶ same ──▶ tail        up ──(lookback 2)──▶ roll        lone (onChange: warn)
const PIPELINE = {
  'dag.json5': dagJson(),
  'targets/up.json5': `{ table: 's.up', build: { sql: 'up.sql' } }`,
  'targets/up.sql': sqlBuild('s.up'),
  'targets/same.json5': `{ table: 's.same', deps: ['up'], build: { sql: 'same.sql' } }`,
  'targets/same.sql': sqlBuild('s.same', 's.up'),
  'targets/roll.json5': `{ table: 's.roll', deps: [{ target: 'up', lookback: 2 }], build: { sql: 'roll.sql' } }`,
  'targets/roll.sql': sqlBuild('s.roll', 's.up', 2),
  'targets/tail.json5': `{ table: 's.tail', deps: ['same'], build: { sql: 'tail.sql' } }`,
  'targets/tail.sql': sqlBuild('s.tail', 's.same'),
  'targets/lone.json5': `{ table: 's.lone', onChange: 'warn', build: { sql: 'lone.sql' } }`,
  'targets/lone.sql': sqlBuild('s.lone'),
};

interface PlanJson {
  steps: { target: string; ranges: [string, string][]; dates: number; reasons: string[]; after: string[] }[];
  fresh: { target: string; why: string }[];
}

const stepsOf = (plan: PlanJson) => Object.fromEntries(plan.steps.map((s) => [s.target, s.ranges]));

describe('incremental builds', () => {
  let template: ProjectRig;
  let rig: ProjectRig;
  const others: string[] = [];
  // build once; every test starts from a copy of the fully built project
  beforeAll(async () => {
    template = new ProjectRig().write(PIPELINE);
    const built = await template.exec(['-j', '1']);
    expect(built.code, built.stdout + built.stderr).toBe(0);
  });
  afterAll(() => template.cleanup());
  beforeEach(() => {
    rig = new ProjectRig();
    cpSync(template.dir, rig.dir, { recursive: true });
  });
  afterEach(() => {
    rig.cleanup();
    for (const dir of others.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilding one upstream date outdates exactly the dates that read it, and a second runner plans the same', async () => {
    const rebuilt = await rig.exec(['up', '--only', '-B', '--start', '2024-01-05', '--end', '2024-01-05']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);

    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1);
    const rows = JSON.parse(status.stdout).targets as { name: string; outdated: number; state: string; reasons: string[] }[];
    const row = (name: string) => rows.find((r) => r.name === name)!;
    expect(rows.map((r) => [r.name, r.state, r.outdated])).toEqual([
      ['lone', 'fresh', 0], ['up', 'fresh', 0], ['roll', 'stale', 3], ['same', 'stale', 1], ['tail', 'fresh', 0],
    ]);
    expect(row('same').reasons).toEqual(['1 date outdated (2024-01-05): up rewrote 2024-01-05 after they were built']);
    expect(row('roll').reasons).toEqual(['3 dates outdated (2024-01-05..2024-01-07): up rewrote 2024-01-05 after they were built (lookback 2 days)']);

    const dry = await rig.exec(['-n', '--json']);
    const plan = JSON.parse(dry.stdout) as PlanJson;
    expect(stepsOf(plan)).toEqual({
      roll: [['2024-01-05', '2024-01-07']],
      same: [['2024-01-05', '2024-01-05']],
      tail: [['2024-01-05', '2024-01-05']],
    });
    expect(plan.steps.find((s) => s.target === 'tail')!.reasons).toEqual(['same rewrites 2024-01-05 in this run: 1 date read them (2024-01-05)']);

    // the lookback reaches before the window: roll's 6th and 7th read up's rewritten 5th
    const later = JSON.parse((await rig.exec(['-n', '--json', '--start', '2024-01-06'])).stdout) as PlanJson;
    expect(stepsOf(later)).toEqual({ roll: [['2024-01-06', '2024-01-07']] });

    // a second CI runner: another folder, nothing under .dagrun/ but the warehouse file
    const runner = mkdtempSync(path.join(tmpdir(), 'dagrun-runner2-'));
    others.push(runner);
    cpSync(rig.dir, runner, { recursive: true, filter: (src) => !src.startsWith(path.join(rig.dir, '.dagrun')) });
    mkdirSync(path.join(runner, '.dagrun'));
    cpSync(path.join(rig.dir, '.dagrun', 'warehouse.duckdb'), path.join(runner, '.dagrun', 'warehouse.duckdb'));
    const second = await rig.exec(['-n', '--json'], { cwd: runner });
    expect(second.stdout).toBe(dry.stdout);

    const build = await rig.exec(['-j', '1']);
    expect(build.code, build.stdout).toBe(0);
    const after = await rig.exec(['--status']);
    expect(after.code, after.stdout).toBe(0);
  });

  it('an edited .sql file rebuilds its target and downstream with the reason; onChange warn only warns', async () => {
    rig.write({ 'targets/same.sql': `-- use the new formula\n${sqlBuild('s.same', 's.up')}`, 'targets/lone.sql': `-- cosmetic\n${sqlBuild('s.lone')}` });
    const plan = JSON.parse((await rig.exec(['-n', '--json'])).stdout) as PlanJson;
    expect(stepsOf(plan)).toEqual({ same: [['2024-01-01', '2024-01-10']], tail: [['2024-01-01', '2024-01-10']] });
    expect(plan.steps[0]!.reasons[0]).toMatch(/^definition changed since last build \(fingerprint [0-9a-f]{16} → [0-9a-f]{16}; 10 dates built under the old definition\)$/);
    expect(plan.fresh.find((f) => f.target === 'lone')!.why).toMatch(/definition changed since last build .*onChange: warn, so not rebuilt$/);

    const status = JSON.parse((await rig.exec(['--status', '--json', 'lone'])).stdout);
    expect(status.targets[0]).toMatchObject({ name: 'lone', state: 'fresh', warnings: [expect.stringMatching(/^definition changed since last build/)] });

    const explained = await rig.exec(['-n', '--explain', 'tail']);
    expect(explained.stdout).toContain('why: same rewrites 2024-01-01..2024-01-10 in this run: 10 dates read them (2024-01-01..2024-01-10)');
    expect(explained.stdout).toMatch(/Not in the plan:\n\s+up: fresh: 10\/10 dates/);

    expect((await rig.exec(['same+', '--only'])).code).toBe(0);
    expect(JSON.parse((await rig.exec(['-n', '--json'])).stdout).steps).toEqual([]);
  });
});
