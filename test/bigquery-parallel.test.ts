/**
 * The CLI on the strict BigQuery fake, where BigQuery's own rules bite: per-date ranges of
 * one table written in parallel (BigQuery aborts the later of two overlapping transactions),
 * a lost answer to a build job, a DDL-first script under a bytes budget, and two pipelines
 * with the same target names sharing one project's write records.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../src/intervals/day.js';
import { openBigQuery } from '../src/warehouse/bigquery.js';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const DATES = Array.from({ length: 12 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`);
const BUILD = { purpose: 'build' };

/** A source and one SQL target over 12 dates, DDL-first (the documented shape). */
function pipeline(fake: FakeBigQuery, options: { dataset?: string; pipeline?: string; build?: object } = {}): Record<string, string> {
  const dataset = options.dataset ?? 'out';
  return {
    'dag.json5': JSON.stringify({
      warehouse: {
        type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint,
        ...(options.pipeline ? { pipeline: options.pipeline } : {}),
      },
      window: { start: DATES[0], end: DATES.at(-1) },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'game_date', threshold: 1 },
      concurrency: 8,
      targets: ['targets/*.json5'],
    }),
    'targets/games.json5': "{ table: 'raw.games', source: true }",
    'targets/daily.json5': JSON.stringify({
      table: `${dataset}.daily`, deps: ['games'], build: { sql: 'daily.sql', ranges: 'per-date', parallel: 4, ...options.build },
    }),
    'targets/daily.sql': `CREATE TABLE IF NOT EXISTS ${dataset}.daily (game_date DATE, points INT64) PARTITION BY game_date;
DELETE FROM ${dataset}.daily WHERE game_date IN UNNEST(@dates);
INSERT INTO ${dataset}.daily SELECT game_date, SUM(points) FROM raw.games WHERE game_date IN UNNEST(@dates) GROUP BY game_date;
`,
  };
}

describe('BigQuery as it really behaves, through the CLI', () => {
  let fake: FakeBigQuery;
  const rigs: ProjectRig[] = [];
  const env = { DAGRUN_BIGQUERY_RETRY_ATTEMPTS: '3', DAGRUN_BIGQUERY_RETRY_BASE_MS: '1' };
  const rig = (files: Record<string, string>) => {
    const made = new ProjectRig().write(files);
    rigs.push(made);
    return made;
  };
  /** Every date of the table and how many rows it has. */
  const datesOf = async (table: string) => (await fake.duck(`SELECT game_date::VARCHAR, count(*) FROM ${table} GROUP BY 1 ORDER BY 1`)).map((r) => `${r[0]}×${r[1]}`);
  const builds = () => fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build');

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('raw.games', {
      columns: { game_date: 'DATE', points: 'INT64' },
      rows: DATES.flatMap((d, i) => [[d, 100 + i], [d, 1]]),
      partitionBy: 'game_date',
    });
    fake.reset();
  });
  afterEach(async () => {
    for (const made of rigs.splice(0)) made.cleanup();
    await fake.stop();
  });

  it('12 per-date ranges, 4 at once, on one table: concurrent-update aborts are retried; exit 0 and every date once', async () => {
    // Every build job runs only after a poll, so parallel ranges overlap and all but the first committer abort.
    fake.slowNext(12, 1, BUILD);
    const project = rig(pipeline(fake));
    const build = await project.exec([], { env });
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/BigQuery build job for daily failed \(concurrentUpdate: Transaction is aborted due to concurrent update against table fake-project\.out\.daily\./);
    expect(await datesOf('out.daily')).toEqual(DATES.map((d) => `${d}×1`));
    // Each range's records committed with its rows: one record per date, none unfinished.
    expect(await fake.duck("SELECT count(*), count(DISTINCT day) FROM _dagrun.writes WHERE fingerprint <> ''")).toEqual([['12', '12']]);
    expect((await project.exec(['--status'], { env })).code).toBe(0);
  });

  it('a lost answer to the first build job: the script runs once and every date is there once', async () => {
    fake.loseNext(1, { route: 'jobs.insert' });
    const project = rig(pipeline(fake, { build: { ranges: 'contiguous', parallel: 1 } }));
    const build = await project.exec([], { env });
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(builds()).toHaveLength(1);
    expect(fake.count('jobs.get')).toBeGreaterThan(0);
    expect(await datesOf('out.daily')).toEqual(DATES.map((d) => `${d}×1`));
  });

  it('Ctrl-C while a build job runs: the job is cancelled, commits nothing, and dagrun exits 130', async () => {
    fake.slowNext(1, 1_000_000, BUILD); // runs only after a million polls: in effect, until cancelled
    const project = rig(pipeline(fake, { build: { ranges: 'contiguous', parallel: 1 } }));
    const child = project.spawn([], { env });
    while (fake.count('jobs.getQueryResults') < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(fake.count('jobs.cancel')).toBeGreaterThanOrEqual(1);
    expect(builds()).toHaveLength(1);
    expect(await fake.duck("SELECT count(*) FROM information_schema.tables WHERE table_name = 'daily'")).toEqual([['0']]);
    expect(await fake.duck("SELECT count(*) FROM _dagrun.writes WHERE fingerprint <> ''")).toEqual([['0']]);
  });

  it('a DDL-first script over 12 ranges is refused under a 50 MB budget, before and after its table exists', async () => {
    const project = rig(pipeline(fake));
    const fresh = await project.exec(['-n', '--max-bytes', '50MB'], { env });
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain('refusing the plan: 1 step cannot be estimated');
    expect(fresh.stderr).toContain('daily (statement 2 reads out.daily, which the script creates first: its bytes cannot be known before it runs)');
    await fake.duck('CREATE SCHEMA out; CREATE TABLE out.daily (game_date DATE, points BIGINT)');
    const known = await project.exec(['--max-bytes', '50MB'], { env });
    expect(known.code).toBe(2);
    // DELETE (1 table) and INSERT (2 tables), 10 MiB minimum each, 12 jobs.
    expect(known.stderr).toContain('refusing the plan: its SQL steps would process about 360.0 MiB (377487360 bytes), over --max-bytes 50.0 MiB');
    expect(builds()).toEqual([]);
  });

  it('two pipelines with the same target names in one project keep their write records apart', async () => {
    const alpha = rig(pipeline(fake, { dataset: 'alpha', pipeline: 'alpha' }));
    const beta = rig(pipeline(fake, { dataset: 'beta', pipeline: 'beta' }));
    expect((await alpha.exec([], { env })).code).toBe(0);
    const window = { first: dayOf(DATES[0]!), last: dayOf(DATES.at(-1)!) };
    const reader = (id: string) =>
      openBigQuery(
        { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: undefined, apiEndpoint: fake.endpoint, stateDataset: undefined, stateProject: undefined, pipeline: id },
        { runId: 'reader' },
      );
    expect(await (await reader('beta')).readWrites(['daily'], window)).toEqual([]);
    expect(await (await reader('alpha')).readWrites(['daily'], window)).toHaveLength(12);
    // beta's plan is its own: all 12 dates, nothing outdated by alpha's records.
    const plan = JSON.parse((await beta.exec(['-n', '--json'], { env })).stdout) as { steps: { target: string; dates: number }[] };
    expect(plan.steps.map((s) => [s.target, s.dates])).toEqual([['daily', 12]]);
    expect((await beta.exec([], { env })).code).toBe(0);
    const alphaRecords = await (await reader('alpha')).readWrites(['daily'], window);
    const betaRecords = await (await reader('beta')).readWrites(['daily'], window);
    expect(new Set(alphaRecords.map((r) => r.runId)).size).toBe(1);
    expect(betaRecords.every((r) => !alphaRecords.some((a) => a.runId === r.runId))).toBe(true);
    expect(await fake.duck('SELECT pipeline, table_name, count(*) FROM _dagrun.writes GROUP BY 1, 2 ORDER BY 1')).toEqual([
      ['alpha', 'fake-project.alpha.daily', '12'],
      ['beta', 'fake-project.beta.daily', '12'],
    ]);
  });
});
