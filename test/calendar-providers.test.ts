/**
 * Calendars that read targets' tables, through the built CLI on DuckDB: a SQL calendar that
 * names a target's table waits for that target (built first in the same run), and a target
 * whose calendar is its own table is refused by `check`, since it would never be built.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

describe('calendars that read targets', () => {
  let rig: ProjectRig;
  beforeEach(() => (rig = new ProjectRig()));
  afterEach(() => rig.cleanup());

  it('a SQL calendar reading a target table is measured after that target, in one run from empty', async () => {
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
      // games: every other day, built by a SQL target with the every-day calendar
      'targets/games.json5': JSON.stringify({ table: 'raw.games', build: { sql: 'games.sql' }, threshold: 0.4 }),
      'targets/games.sql': "CREATE TABLE IF NOT EXISTS raw.games (d DATE);\nINSERT INTO raw.games SELECT d FROM (SELECT unnest(@dates) AS d) WHERE day(d) % 2 = 1;\n",
      // stats: expected on game days only, read from the games table
      'targets/stats.json5': JSON.stringify({ table: 'an.stats', deps: ['games'], calendar: { sql: 'SELECT DISTINCT d FROM raw.games' }, build: { sql: 'stats.sql' } }),
      'targets/stats.sql': 'CREATE TABLE IF NOT EXISTS an.stats (d DATE);\nINSERT INTO an.stats SELECT unnest(@dates);\n',
    });
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1);
    const stats = (JSON.parse(status.stdout) as { targets: { name: string; reasons: string[] }[] }).targets.find((t) => t.name === 'stats')!;
    expect(stats.reasons[0]).toBe('calendar table raw.games not built yet (target games builds it)');
    const build = await rig.exec(['stats']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(await rig.query('SELECT CAST(d AS VARCHAR) AS d FROM an.stats ORDER BY d')).toEqual([{ d: '2024-01-01' }, { d: '2024-01-03' }, { d: '2024-01-05' }]);
    expect((await rig.exec(['--status'])).code).toBe(0);
  });

  it('refuses a built target whose calendar is its own table', async () => {
    rig.write({
      'dag.json5': dagJson({ calendar: { table: 'raw.schedule', dateColumn: 'd' } }),
      'targets/schedule.json5': JSON.stringify({ table: 'raw.schedule', build: { command: ['true'], opensWarehouse: false } }),
    });
    const result = await rig.exec(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'targets/schedule.json5 › calendar: the expected dates of schedule come from its own table raw.schedule, so before its first build it expects none and is never built',
    );
  });
});
