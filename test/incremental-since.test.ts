/** `--since` on a real pipeline: a window inside a season break has nothing to do; the pipeline's time zone decides "today". */
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectRig, dagJson } from './helpers/rig.js';

const UP_SQL = [
  'CREATE TABLE IF NOT EXISTS s.up (d DATE, v BIGINT);',
  'DELETE FROM s.up WHERE list_contains(@dates, d);',
  'INSERT INTO s.up SELECT x.d, 1 FROM (SELECT unnest(@dates) AS d) x;',
  '',
].join('\n');

interface PlanJson {
  steps: { target: string; ranges: [string, string][] }[];
}

describe('--since across a season break', () => {
  let rig: ProjectRig;
  afterEach(() => rig.cleanup());

  it('has nothing to do in the break (coverage 1) and builds the recent game dates once the season resumes', async () => {
    // games on Jan 1-5 and Jan 20-25; the break is Jan 6-19
    const calendar = { sql: "SELECT CAST(d AS DATE) AS d FROM range(DATE '2024-01-01', DATE '2024-01-26', INTERVAL 1 DAY) t(d) WHERE d < DATE '2024-01-06' OR d >= DATE '2024-01-20'" };
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: 'today', timeZone: 'America/New_York' }, calendar }),
      'targets/up.json5': `{ table: 's.up', build: { sql: 'up.sql' } }`,
      'targets/up.sql': UP_SQL,
    });
    const inBreak = await rig.exec(['--status', '--json', '--since', '3d', '--now', '2024-01-12T12:00:00Z']);
    expect(inBreak.code).toBe(0);
    expect(JSON.parse(inBreak.stdout)).toMatchObject({ window: { start: '2024-01-10', end: '2024-01-12' }, targets: [{ expected: 0, coverage: 1, state: 'fresh' }] });
    expect((await rig.exec(['-n', '--since', '3d', '--now', '2024-01-12T12:00:00Z'])).stdout).toContain('Nothing to do');

    // 03:00 UTC on the 22nd is still the 21st in New York: the window is Jan 19-21
    const resumed = JSON.parse((await rig.exec(['-n', '--json', '--since', '3d', '--now', '2024-01-22T03:00:00Z'])).stdout) as PlanJson;
    expect(resumed.steps.map((s) => [s.target, s.ranges])).toEqual([['up', [['2024-01-20', '2024-01-21']]]]);
    // --start/--end still win over --since
    const explicit = JSON.parse((await rig.exec(['-n', '--json', '--since', '3d', '--start', '2024-01-01', '--end', '2024-01-02', '--now', '2024-01-22T03:00:00Z'])).stdout);
    expect(explicit.window).toEqual({ start: '2024-01-01', end: '2024-01-02' });
  });
});
