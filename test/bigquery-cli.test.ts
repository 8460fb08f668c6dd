/**
 * The whole CLI on BigQuery: the built `bin/dagrun.js` as a child process against the
 * loopback fake (in this worker, on 127.0.0.1), with no credentials and no outside traffic.
 * Status, plans with byte estimates and the `--max-bytes` budget, builds, transient and
 * persistent failures of a build's job, and `check --connect`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeError } from './fake-bigquery/engine.js';
import { FakeBigQuery, type LoggedQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEDULE = ['2024-01-01', '2024-01-02', '2024-01-04', '2024-01-05'];

/** A source, a SQL target on it, and a downstream SQL target: BigQuery spelling throughout. */
function pipeline(endpoint: string, project: string): Record<string, string> {
  return {
    'dag.json5': JSON.stringify({
      warehouse: { type: 'bigquery', project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: endpoint },
      window: { start: '2024-01-01', end: '2024-01-05' },
      calendar: { table: 'raw.schedule', dateColumn: 'game_date' },
      defaults: { dateColumn: 'game_date', threshold: 1 },
      concurrency: 2,
      groups: { analytics: { concurrency: 2 } },
      targets: ['targets/**/*.json5'],
    }),
    'targets/games.json5': "{ table: 'raw.games', source: true }",
    'targets/team_points.json5': "{ table: 'analytics.team_points', deps: ['games'], group: 'analytics', build: { sql: 'team_points.sql', ranges: 'single' } }",
    'targets/team_points.sql': `CREATE TABLE IF NOT EXISTS analytics.team_points (game_date DATE, team STRING, points INT64) PARTITION BY game_date;
DELETE FROM analytics.team_points WHERE game_date IN UNNEST(@dates);
INSERT INTO analytics.team_points
SELECT game_date, team, SUM(points) FROM raw.games WHERE game_date IN UNNEST(@dates) GROUP BY game_date, team;
`,
    // One statement, so a dry run binds it: it cannot be estimated before team_points exists.
    'targets/daily_totals.json5': "{ table: 'analytics.daily_totals', deps: ['team_points'], group: 'analytics', build: { sql: 'daily_totals.sql' } }",
    'targets/daily_totals.sql': `CREATE OR REPLACE TABLE analytics.daily_totals PARTITION BY game_date AS
SELECT game_date, SUM(points) AS points FROM analytics.team_points GROUP BY game_date
`,
  };
}

/** Makes the fake fail the build job of `target` (`times` times) with `status`/`reason`, as BigQuery would. */
function failBuildsOf(fake: FakeBigQuery, target: string, times: number, status: number, reason: string): void {
  const log = fake.logQuery.bind(fake);
  let left = times;
  fake.logQuery = (query: LoggedQuery) => {
    log(query);
    if (!query.dryRun && query.labels['purpose'] === 'build' && query.labels['target'] === target && left-- > 0) {
      throw new FakeError(status, reason, `fake ${reason} for the test`);
    }
  };
}

describe('dagrun CLI on BigQuery (loopback fake)', () => {
  let fake: FakeBigQuery;
  let rig: ProjectRig;
  const env = { DAGRUN_BIGQUERY_RETRY_ATTEMPTS: '3', DAGRUN_BIGQUERY_RETRY_BASE_MS: '1' };
  const dagrun = (...args: string[]) => rig.exec(args, { env });

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('raw.schedule', { columns: { game_date: 'DATE' }, rows: SCHEDULE.map((d) => [d]) });
    await fake.seed('raw.games', {
      columns: { game_date: 'DATE', team: 'STRING', points: 'INT64' },
      rows: SCHEDULE.flatMap((d, i) => [[d, 'BOS', 100 + i], [d, 'LAL', 90 + i], [d, 'LAL', 5]]),
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
    // A loopback endpoint gets no credentials: nothing was ever sent with an Authorization header.
    expect(fake.authorizations).toEqual([]);
  });

  const buildQueries = (target: string) => fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build' && q.labels['target'] === target);
  const tableExists = async (table: string) => {
    const [dataset, name] = table.split('.');
    const rows = await fake.duck(`SELECT count(*) FROM information_schema.tables WHERE table_schema = '${dataset}' AND table_name = '${name}'`);
    return Number(rows[0]![0]) > 0;
  };

  it('--status --json measures the pipeline with a few queries, as many for 3 targets as for 13', async () => {
    const status = await dagrun('--status', '--json');
    expect(status.stderr).toBe('');
    expect(status.code).toBe(1);
    const stale = (name: string, table: string) => ({
      name, table, group: 'analytics', source: false, state: 'stale', expected: 4, present: 0, missing: 4, outdated: 0, coverage: 0, threshold: 1,
      missingRanges: [['2024-01-01', '2024-01-05']], reasons: [`table ${table} does not exist yet (0 of 4 expected dates)`], checks: [],
    });
    expect(JSON.parse(status.stdout)).toEqual({
      window: { start: '2024-01-01', end: '2024-01-05' },
      targets: [
        {
          name: 'games', table: 'raw.games', group: null, source: true, state: 'fresh', expected: 4, present: 4, missing: 0, outdated: 0,
          coverage: 1, threshold: 1, missingRanges: [], reasons: [], checks: [],
        },
        stale('team_points', 'analytics.team_points'),
        stale('daily_totals', 'analytics.daily_totals'),
      ],
    });
    // The calendar, and one INFORMATION_SCHEMA.PARTITIONS query for the raw dataset (analytics has none yet).
    expect(fake.queryJobs).toBe(2);
    expect(fake.queries.every((q) => q.labels['tool'] === 'dagrun' && q.maximumBytesBilled === String(1024 ** 3))).toBe(true);
    const small = fake.queryJobs;

    // Ten more targets in the same datasets cost metadata lookups (free), not queries.
    fake.reset();
    for (let i = 1; i <= 10; i++) {
      rig.write({ [`targets/extra_${i}.json5`]: `{ table: 'analytics.extra_${i}', deps: ['games'], build: { sql: 'team_points.sql' } }`, [`targets/extra_${i}.sql`]: 'SELECT 1' });
    }
    const wider = await dagrun('--status', '--json');
    expect(JSON.parse(wider.stdout).targets).toHaveLength(13);
    expect(fake.queryJobs).toBe(small);
  });

  /** analytics.team_points as its first build would create it, empty: later statements can then be dry-run. */
  const createTeamPoints = () => fake.duck('CREATE SCHEMA analytics; CREATE TABLE analytics.team_points (game_date DATE, team VARCHAR, points BIGINT)');
  const CREATES_FIRST = 'statement 2 reads analytics.team_points, which the script creates first: its bytes cannot be known before it runs';
  const NO_DATASET = 'Not found: Dataset fake-project:analytics was not found in location US (notFound)';

  it('-n estimates each SQL step statement by statement; a statement reading what its script creates is "unknown", with why', async () => {
    const plan = await dagrun('-n');
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    // A dry run of the whole DDL-first script would say ~0 B: it is not trusted.
    expect(plan.stdout).toContain('1. team_points [analytics]  4 dates in 1 range bytes unknown');
    expect(plan.stdout).toContain(`   bytes: unknown (${CREATES_FIRST})`);
    expect(plan.stdout).toContain('2. daily_totals [analytics]  4 dates in 1 range bytes unknown after team_points');
    expect(plan.stdout).toContain(`   bytes: unknown (${NO_DATASET})`);
    expect(plan.stdout).toContain('Estimated bytes processed by SQL steps: 0 B (2 steps unknown, not counted)');
    // One free dry run per statement that reads data, over all the step's dates, labelled with its target; nothing was run.
    const dryRuns = fake.queries.filter((q) => q.dryRun);
    expect(dryRuns.map((q) => [q.labels['target'], q.sql.split(' ')[0]])).toEqual(expect.arrayContaining([['team_points', 'DELETE'], ['daily_totals', 'CREATE']]));
    expect(dryRuns).toHaveLength(2);
    const dates = dryRuns.find((q) => q.labels['target'] === 'team_points')!.params.find((p) => p.name === 'dates');
    expect(dates?.parameterValue).toEqual({ arrayValues: SCHEDULE.map((value) => ({ value })) });
    expect(fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build')).toEqual([]);

    // Once the table exists every statement is dry-run; each is billed at least 10 MiB per table it references.
    await createTeamPoints();
    const json = await dagrun('-n', '--json');
    const parsed = JSON.parse(json.stdout);
    expect(parsed.steps.map((s: Record<string, unknown>) => [s['target'], s['estimatedBytes'], s['estimateError']])).toEqual([
      ['team_points', 30 * 1024 ** 2, undefined], // DELETE: 1 table, INSERT: 2 tables
      ['daily_totals', 10 * 1024 ** 2, undefined],
    ]);
    expect(parsed.totalEstimatedBytes).toBe(40 * 1024 ** 2);
    expect(parsed.unestimatedSteps).toEqual([]);
  });

  it('--max-bytes refuses a plan over budget, or with a step that cannot be estimated (exit 2), and runs nothing', async () => {
    const unknown = await dagrun('-n', '--max-bytes', '1GB');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'dagrun: refusing the plan: 2 steps cannot be estimated, so the plan cannot be held to --max-bytes 1.0 GiB (1073741824 bytes) (the known steps would process about 0 B)\n' +
        `  cannot be estimated: team_points (${CREATES_FIRST}); daily_totals (${NO_DATASET})\n` +
        'Nothing was run. Build the steps they read first (dagrun <target> --only), leave out --max-bytes, or narrow the targets.',
    );
    fake.reset();
    const build = await dagrun('--max-bytes', '1GB');
    expect(build.code).toBe(2);
    expect(build.stderr).toContain('refusing the plan: 2 steps cannot be estimated');
    expect(fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build')).toEqual([]);
    expect(await tableExists('analytics.team_points')).toBe(false);

    await createTeamPoints();
    const refused = await dagrun('-n', '--max-bytes', '35MB');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('Estimated bytes processed by SQL steps: 40.0 MiB');
    expect(refused.stderr).toBe(
      'dagrun: refusing the plan: its SQL steps would process about 40.0 MiB (41943040 bytes), over --max-bytes 35.0 MiB (36700160 bytes)\n' +
        '  biggest steps: team_points 30.0 MiB, daily_totals 10.0 MiB\n' +
        'Nothing was run. Narrow the window (--since, --start/--end) or the targets, or raise --max-bytes.',
    );
    const within = await dagrun('-n', '--max-bytes', '1GB');
    expect(within).toMatchObject({ code: 0, stderr: '' });

    const bad = await dagrun('-n', '--max-bytes', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('dagrun: --max-bytes: "lots" is not a byte size (like 50GB, 500MiB or 1048576; units are powers of 1024)');
  });

  it('a build writes the tables, with typed dates and labels, and --status then exits 0', async () => {
    const build = await dagrun();
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('✓ Built 2 targets');
    expect(await fake.duck('SELECT game_date::VARCHAR, points FROM analytics.daily_totals ORDER BY game_date')).toEqual([
      ['2024-01-01', '195'], ['2024-01-02', '197'], ['2024-01-04', '199'], ['2024-01-05', '201'],
    ]);
    expect(buildQueries('team_points')).toHaveLength(1);
    expect(buildQueries('team_points')[0]!.labels).toMatchObject({ tool: 'dagrun', target: 'team_points', purpose: 'build' });

    fake.reset();
    const status = await dagrun('--status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('3 targets: 3 fresh, 0 stale, 0 blocked');
    // Calendar, partitions of raw and of analytics, and dagrun's write records: still a handful.
    expect(fake.queryJobs).toBe(4);
    // The write records come in one query, made ranges on the server (no row per target-date).
    const writes = fake.queries.filter((q) => q.labels['purpose'] === 'writes');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.sql).toMatch(/WHERE pipeline = @pipeline AND target IN UNNEST\(@targets\)[^]*GROUP BY target, fingerprint, run_id, written_at, island\nORDER BY target, first_day$/);
    const again = await dagrun('-n');
    expect(again.stdout).toContain('Nothing to do');
  });

  it('a 503 on a build job, then success: the run succeeds and the retry is logged', async () => {
    failBuildsOf(fake, 'team_points', 1, 503, 'backendError');
    const build = await dagrun();
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    // The insert's answer was a 503: jobs.get finds no such job, so the same job id is inserted again.
    expect(build.stdout).toMatch(/BigQuery jobs.insert for team_points failed \(backendError: fake backendError for the test\); attempt 2 of 3 in \d+ms/);
    expect(buildQueries('team_points')).toHaveLength(2);
    expect(await tableExists('analytics.daily_totals')).toBe(true);

    // With --json a retry is an `info` event; one while measuring (before the build's
    // reporter exists) goes to stderr.
    fake.failNext(1, { status: 503, reason: 'backendError', route: 'jobs.query' });
    failBuildsOf(fake, 'daily_totals', 1, 429, 'rateLimitExceeded');
    const forced = await dagrun('-B', 'daily_totals', '--only', '--json');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/^dagrun: BigQuery query failed \(backendError: fake backendError\); attempt 2 of 3 in \d+ms$/);
    const events = forced.stdout.split('\n').map((line) => JSON.parse(line) as { type: string; message?: string });
    expect(events.filter((e) => e.type === 'info').map((e) => e.message)).toEqual([
      expect.stringMatching(/^BigQuery jobs.insert for daily_totals failed \(rateLimitExceeded: fake rateLimitExceeded for the test\); attempt 2 of 3 in \d+ms$/),
    ]);
  });

  it('a persistent 500 fails the target clearly (exit 1), and nothing downstream starts', async () => {
    failBuildsOf(fake, 'team_points', Infinity, 500, 'backendError');
    const build = await dagrun();
    expect(build.code).toBe(1);
    expect(build.stdout).toContain(
      '✗ team_points 2024-01-01..2024-01-05: SQL team_points.sql failed: fake backendError for the test (backendError; gave up after 3 attempts)',
    );
    expect(build.stdout).toMatch(/daily_totals skipped: .*team_points/);
    expect(buildQueries('team_points')).toHaveLength(3);
    expect(buildQueries('daily_totals')).toEqual([]);
    expect(await tableExists('analytics.daily_totals')).toBe(false);
  });

  it('check --connect says what it found; a bad retry setting is a usage error', async () => {
    const check = await dagrun('check', '--connect');
    expect(check.code).toBe(0);
    expect(check.stdout).toBe(
      [
        '✓ dag.json5: 3 targets (1 source), 1 group, no problems',
        '✓ bigquery warehouse reached (project fake-project)',
        '  project fake-project: reachable, queries run (location US)',
        '  dataset fake-project.analytics: not found yet (created by the first build)',
        '  dataset fake-project.raw in US: 1 of 1 tables exist, 1 read from partition metadata, 0 by scanning the date column',
        '  calendar raw.schedule.game_date: found, 4 rows',
        '  _dagrun.writes: not found yet (created by the first build)',
        '  window 2024-01-01 .. 2024-01-05: the calendar has 4 expected dates',
        '  1 of 3 tables exist',
        '    analytics.daily_totals  not yet',
        '    raw.games               4 dates in the window',
        '    analytics.team_points   not yet',
      ].join('\n'),
    );

    // The repository's example loads as it is (no network needed without --connect).
    const example = await rig.exec(['check', '--config', 'dag.bigquery.json5'], { cwd: REPO });
    expect(example).toMatchObject({ code: 0, stdout: '✓ dag.bigquery.json5: 15 targets (0 sources), 5 groups, no problems' });

    const bad = await rig.exec(['--status'], { env: { DAGRUN_BIGQUERY_RETRY_ATTEMPTS: 'zero' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('dagrun: environment variable DAGRUN_BIGQUERY_RETRY_ATTEMPTS: must be a whole number of at least 1, got "zero"');
  });
});
