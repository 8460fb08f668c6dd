/**
 * Checks per date (`perDate: true`: the query returns a date and a value per row), through the
 * built CLI on DuckDB: only the failing dates are stale, named in `--status`, rebuilt, and handed
 * down; a build that leaves a date failing fails its gate, naming the date.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

describe('per-date checks', () => {
  let rig: ProjectRig;
  beforeEach(() => {
    rig = new ProjectRig();
    rig.write({
      'dag.json5': dagJson(),
      'targets/t.json5': JSON.stringify({
        table: 's.t',
        build: { sql: 't.sql' },
        checks: [{ name: 'v_ok', sql: 'SELECT d, v FROM s.t WHERE d BETWEEN @start_date AND @end_date', perDate: true, min: 1 }],
      }),
      // v is 1, except on the dates s.bad names (a build that gets those dates wrong)
      'targets/t.sql':
        'CREATE TABLE IF NOT EXISTS s.t (d DATE, v DOUBLE);\nCREATE TABLE IF NOT EXISTS s.bad (d DATE);\n' +
        'DELETE FROM s.t WHERE d IN (SELECT unnest(@dates));\n' +
        'INSERT INTO s.t SELECT x.d, CASE WHEN x.d IN (SELECT d FROM s.bad) THEN 0 ELSE 1 END FROM (SELECT unnest(@dates) AS d) x;\n',
      'targets/u.json5': JSON.stringify({ table: 's.u', deps: ['t'], build: { sql: 'u.sql' } }),
      'targets/u.sql':
        'CREATE TABLE IF NOT EXISTS s.u (d DATE, v DOUBLE);\nDELETE FROM s.u WHERE d IN (SELECT unnest(@dates));\n' +
        'INSERT INTO s.u SELECT d, v FROM s.t WHERE d IN (SELECT unnest(@dates));\n',
    });
  });
  afterEach(() => rig.cleanup());

  it('names the failing dates, rebuilds only those and hands only those downstream', async () => {
    expect((await rig.exec([])).code).toBe(0);
    await rig.query("UPDATE s.t SET v = 0.5 WHERE d IN ('2024-01-03', '2024-01-04')");
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1);
    const t = (JSON.parse(status.stdout) as { targets: { name: string; reasons: string[]; outdated: number; checks: unknown[] }[] }).targets.find((x) => x.name === 't')!;
    expect(t.reasons).toContain('check v_ok failed on 2 dates of 10 (2024-01-03..2024-01-04): worst 0.5, min 1');
    expect(t.outdated).toBe(2);
    expect(t.checks).toEqual([{ name: 'v_ok', value: 0.5, passed: false, min: 1, datesJudged: 10, failingRanges: [['2024-01-03', '2024-01-04']] }]);
    const plan = JSON.parse((await rig.exec(['-n', '--json'])).stdout) as { steps: { target: string; ranges: string[][] }[] };
    expect(plan.steps.map((s) => [s.target, s.ranges])).toEqual([
      ['t', [['2024-01-03', '2024-01-04']]],
      ['u', [['2024-01-03', '2024-01-04']]],
    ]);
    expect((await rig.exec([])).code).toBe(0);
    expect(await rig.query('SELECT min(v) AS v FROM s.u')).toEqual([{ v: 1 }]);
    expect((await rig.exec(['--status'])).code).toBe(0);
  });

  it('fails the gate of a build that leaves a date failing, naming it, and starts nothing downstream', async () => {
    await rig.exec(['--status']);
    rig.write({ 'targets/t.sql': rig.read('targets/t.sql').replace('CREATE TABLE IF NOT EXISTS s.bad (d DATE);', "CREATE TABLE IF NOT EXISTS s.bad AS SELECT DATE '2024-01-05' AS d;") });
    const result = await rig.exec([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('check v_ok failed on 1 date of 10 (2024-01-05): worst 0, min 1');
    expect(result.stdout).toMatch(/u\s+skipped.*upstream t failed/);
  });
});
