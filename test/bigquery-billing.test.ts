/**
 * Bytes billed per range on BigQuery: the built CLI against the loopback fake, which bills
 * as BigQuery does (at least 10 MiB per table each statement reads; a SCRIPT job reports the
 * sum of its statements in statistics.query.totalBytesBilled, which only jobs.get tells).
 * The run record keeps them per range, per target and in all; report.md and the `--json`
 * range-finished events show them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

const SCHEDULE = ['2024-01-01', '2024-01-02', '2024-01-04'];
const MIB = 1024 ** 2;

/** The rows a command hands over for the dates it is given (DAGRUN_DATES), as NDJSON. */
const WRITE_ROWS = "const fs = require('node:fs'); fs.writeFileSync(process.env.DAGRUN_OUTPUT, process.env.DAGRUN_DATES.split(',').map((d) => JSON.stringify({{ game_date: d, n: 1 }})).join('\\n') + '\\n');";

function pipeline(endpoint: string, project: string): Record<string, string> {
  return {
    'dag.json5': JSON.stringify({
      warehouse: { type: 'bigquery', project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: endpoint },
      window: { start: '2024-01-01', end: '2024-01-04' },
      calendar: { table: 'raw.schedule', dateColumn: 'game_date' },
      defaults: { dateColumn: 'game_date', threshold: 1 },
      concurrency: 2,
      targets: ['targets/**/*.json5'],
    }),
    'targets/games.json5': "{ table: 'raw.games', source: true }",
    'targets/team_points.json5': "{ table: 'analytics.team_points', deps: ['games'], build: { sql: 'team_points.sql', ranges: 'per-date' } }",
    'targets/team_points.sql': `CREATE TABLE IF NOT EXISTS analytics.team_points (game_date DATE, team STRING, points INT64) PARTITION BY game_date;
DELETE FROM analytics.team_points WHERE game_date IN UNNEST(@dates);
INSERT INTO analytics.team_points
SELECT game_date, team, SUM(points) FROM raw.games WHERE game_date IN UNNEST(@dates) GROUP BY game_date, team;
`,
    'targets/loaded.json5': JSON.stringify({
      table: 'analytics.loaded', build: { command: ['node', '-e', WRITE_ROWS], output: 'ndjson', ranges: 'contiguous' },
    }),
  };
}

interface Range { range: string; dates: number; durationMs: number; bytesBilled?: number }
interface Outcome { target: string; ranges?: Range[]; bytesBilled?: number }

describe('bytes billed per range on BigQuery (loopback fake)', () => {
  let fake: FakeBigQuery;
  let rig: ProjectRig;
  const env = { DAGRUN_BIGQUERY_RETRY_ATTEMPTS: '3', DAGRUN_BIGQUERY_RETRY_BASE_MS: '1', METADATA_SERVER_DETECTION: 'none' };

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('raw.schedule', { columns: { game_date: 'DATE' }, rows: SCHEDULE.map((d) => [d]) });
    await fake.seed('raw.games', {
      columns: { game_date: 'DATE', team: 'STRING', points: 'INT64' },
      rows: SCHEDULE.flatMap((d, i) => [[d, 'BOS', 100 + i], [d, 'LAL', 90 + i]]),
      partitionBy: 'game_date',
    });
    rig = new ProjectRig().write(pipeline(fake.endpoint, fake.project));
    fake.reset();
  });
  afterEach(async () => {
    rig.cleanup();
    await fake.stop();
  });
  afterEach(() => {
    expect(fake.authorizations).toEqual([]);
  });

  /** What the fake billed for each build job of `target`, as jobs.get reports it. */
  const billedJobs = (target: string): number[] =>
    [...fake.jobs.values()]
      .filter((job) => ((job.configuration as { labels?: Record<string, string> }).labels ?? (job.configuration as { query?: { labels?: Record<string, string> } }).query?.labels ?? {})['target'] === target)
      .map((job) => job.executed?.bytesBilled)
      .filter((bytes): bytes is number => bytes !== undefined);

  it('records what each range billed in run.json, report.md and the --json events', async () => {
    const build = await rig.exec(['--json'], { env });
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);

    const runs = path.join(rig.dir, '.dagrun/runs');
    const [id] = readdirSync(runs);
    const record = JSON.parse(readFileSync(path.join(runs, id!, 'run.json'), 'utf8')) as { bytesBilled?: number; outcomes: Outcome[] };
    const team = record.outcomes.find((o) => o.target === 'team_points')!;
    const loaded = record.outcomes.find((o) => o.target === 'loaded')!;

    // One script per date: DELETE reads team_points (10 MiB), INSERT reads team_points and
    // raw.games (2 × 10 MiB), the write records' INSERT reads _dagrun.writes (10 MiB); the
    // CREATE TABLE IF NOT EXISTS reads nothing. A SCRIPT job bills the sum of its statements.
    expect(team.ranges!.map((r) => [r.range, r.bytesBilled])).toEqual(SCHEDULE.map((d) => [d, 40 * MIB]));
    expect(team.ranges!.every((r) => typeof r.durationMs === 'number')).toBe(true);
    expect(team.bytesBilled).toBe(120 * MIB);
    // As the fake billed them, job by job.
    expect(billedJobs('team_points').sort()).toEqual([40 * MIB, 40 * MIB, 40 * MIB]);

    // A load range: what its replacing job billed (the load job itself is free).
    expect(loaded.ranges).toHaveLength(1);
    expect(loaded.ranges![0]!.bytesBilled).toBeGreaterThanOrEqual(10 * MIB);
    expect(loaded.bytesBilled).toBe(loaded.ranges![0]!.bytesBilled);
    expect(record.bytesBilled).toBe(120 * MIB + loaded.bytesBilled!);

    const report = readFileSync(path.join(runs, id!, 'report.md'), 'utf8');
    expect(report).toContain(`- **Bytes billed:** ${((120 * MIB + loaded.bytesBilled!) / MIB).toFixed(1)} MiB (${record.bytesBilled} bytes)`);
    expect(report).toContain('- `team_points`: 3 ranges, bytes billed: 120.0 MiB');
    expect(report).toMatch(/ {2}- 2024-01-01 \(1 date\) ok in [^,\n]+, 40\.0 MiB billed\n/);

    const finished = build.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e['type'] === 'range-finished');
    expect(finished.filter((e) => e['target'] === 'team_points').map((e) => e['bytesBilled'])).toEqual([40 * MIB, 40 * MIB, 40 * MIB]);
    expect(finished.find((e) => e['target'] === 'loaded')!['bytesBilled']).toBe(loaded.bytesBilled);
  });
});
