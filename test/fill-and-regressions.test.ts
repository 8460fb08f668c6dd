/**
 * Small holes and lost dates through the built CLI: `--fill` builds the missing dates of a
 * target that is fresh by its threshold, and a build that loses dates it found fails its
 * target, naming them, even when what is left is above the threshold.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

describe('--fill and coverage that goes down', () => {
  let rig: ProjectRig;
  beforeEach(() => {
    rig = new ProjectRig();
    rig.write({
      'dag.json5': dagJson({ defaults: { dateColumn: 'd', threshold: 0.8 } }),
      'targets/t.json5': JSON.stringify({ table: 's.t', build: { sql: 't.sql' } }),
      // builds the dates handed over; also deletes whatever dates s.ctl names (a misbehaving build)
      'targets/t.sql':
        'CREATE TABLE IF NOT EXISTS s.t (d DATE);\nCREATE TABLE IF NOT EXISTS s.ctl (d DATE);\n' +
        'DELETE FROM s.t WHERE d IN (SELECT unnest(@dates)) OR d IN (SELECT d FROM s.ctl);\n' +
        'INSERT INTO s.t SELECT unnest(@dates);\n',
    });
  });
  afterEach(() => rig.cleanup());

  it('--fill builds the holes of a target that is fresh at its threshold; without it they stay', async () => {
    expect((await rig.exec([])).code).toBe(0);
    await rig.query("DELETE FROM s.t WHERE d IN ('2024-01-03', '2024-01-04')");
    const plain = JSON.parse((await rig.exec(['-n', '--json'])).stdout) as { steps: unknown[] };
    expect(plain.steps).toEqual([]);
    const fill = JSON.parse((await rig.exec(['-n', '--json', '--fill'])).stdout) as { steps: { target: string; ranges: string[][]; reasons: string[] }[] };
    expect(fill.steps).toMatchObject([{ target: 't', ranges: [['2024-01-03', '2024-01-04']] }]);
    expect(fill.steps[0]!.reasons[0]).toBe('--fill: 2 dates missing (fresh at 80.0%): 2024-01-03..2024-01-04');
    expect((await rig.exec(['--fill'])).code).toBe(0);
    expect(await rig.query('SELECT count(*)::INTEGER AS n FROM s.t')).toEqual([{ n: 10 }]);
  });

  it('a build that loses a date it found fails its target, naming the date, though coverage stays above the threshold', async () => {
    expect((await rig.exec([])).code).toBe(0);
    await rig.query("INSERT INTO s.ctl VALUES ('2024-01-10'); DELETE FROM s.t WHERE d = '2024-01-03'");
    const result = await rig.exec(['--fill']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('coverage went down: 1 date present before the build is gone (2024-01-10)');
  });
});
