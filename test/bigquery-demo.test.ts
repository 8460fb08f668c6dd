/**
 * The demo on BigQuery: dag.bigquery.json5 and targets-bigquery/ (the 10 SQL targets in
 * BigQuery Standard SQL, the raw tables loaded from the same processors' files) built end to
 * end by the CLI against the strict fake, over a short window, and compared number by number
 * with the DuckDB demo (dag.json5, targets/) built over the same window. The data is
 * deterministic, so every table must agree: rows, and the sum and non-null count of every column.
 * Run `npx tsc -p tsconfig.json && node scripts/bundle.mjs` first.
 */
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const END = '2021-12-15';
const TABLES = [
  'nba_raw.schedule', 'nba_raw.player_boxscores', 'nba_raw.team_boxscores', 'nba_raw.shot_zones', 'nba_raw.player_prop_lines',
  'nba_analytics.player_game_summary', 'nba_analytics.team_offense_game_summary', 'nba_analytics.team_defense_game_summary',
  'nba_analytics.upcoming_team_game_context', 'nba_analytics.upcoming_player_game_context',
  'nba_precompute.team_defense_zone_analysis', 'nba_precompute.player_shot_zone_analysis', 'nba_precompute.player_daily_cache',
  'nba_precompute.player_composite_factors', 'nba_precompute.ml_feature_store_v2',
];

/** Replaces `from` (which must be there) in a config text. */
function edit(text: string, from: string, to: string): string {
  expect(text, `expected ${JSON.stringify(from)} in the config`).toContain(from);
  return text.replace(from, to);
}

/** A temp copy of a pipeline: its config (edited), its target folder, and links to the demo's scripts and data. */
function copyPipeline(config: string, targets: string, edits: [string, string][]): ProjectRig {
  const rig = new ProjectRig();
  let text = readFileSync(path.join(ROOT, config), 'utf8');
  for (const [from, to] of edits) text = edit(text, from, to);
  rig.write({ [config]: text });
  cpSync(path.join(ROOT, targets), path.join(rig.dir, targets), { recursive: true });
  // Linked, so the processors resolve @duckdb/node-api and data/schedule.csv from the repository.
  symlinkSync(path.join(ROOT, 'scripts'), path.join(rig.dir, 'scripts'));
  symlinkSync(path.join(ROOT, 'data'), path.join(rig.dir, 'data'));
  return rig;
}

/** Numbers that sum up a table: rows, then per column its non-null count and (numbers, booleans) its sum. */
async function profile(columns: [string, string][], run: (sql: string) => Promise<unknown[]>, table: string): Promise<Record<string, number>> {
  const measures: [string, string][] = [['rows', 'count(*)']];
  for (const [name, type] of columns) {
    measures.push([`count(${name})`, `count("${name}")`]);
    if (/^(BOOLEAN)$/.test(type)) measures.push([`sum(${name})`, `sum(CAST("${name}" AS INTEGER))`]);
    else if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|DECIMAL.*)$/.test(type)) measures.push([`sum(${name})`, `sum("${name}")`]);
    else if (type.endsWith('[]')) {
      // NULL in the DuckDB vector is NaN in BigQuery's (arrays cannot hold NULL): count and sum the others.
      measures.push([`known(${name})`, `sum(len(list_filter("${name}", x -> x IS NOT NULL AND NOT isnan(x))))`]);
      measures.push([`sum(${name})`, `sum(list_sum(list_filter("${name}", x -> x IS NOT NULL AND NOT isnan(x))))`]);
      measures.push([`len(${name})`, `sum(len("${name}"))`]);
    }
  }
  const row = await run(`SELECT ${measures.map(([, sql]) => `CAST(${sql} AS DOUBLE)`).join(', ')} FROM ${table}`);
  return Object.fromEntries(measures.map(([name], i) => [name, row[i] === null ? NaN : Number(row[i])]));
}

describe('the demo pipeline on BigQuery (dag.bigquery.json5, targets-bigquery/)', () => {
  let fake: FakeBigQuery;
  let bigquery: ProjectRig;
  let duckdb: ProjectRig;
  const env = { DAGRUN_BIGQUERY_RETRY_BASE_MS: '20' };

  beforeAll(async () => {
    fake = await FakeBigQuery.start();
    bigquery = copyPipeline('dag.bigquery.json5', 'targets-bigquery', [
      ["project: 'my-gcp-project',", `project: '${fake.project}', apiEndpoint: '${fake.endpoint}',`],
      ["end: '2026-01-03'", `end: '${END}'`],
    ]);
    duckdb = copyPipeline('dag.json5', 'targets', [["end: '2026-01-03'", `end: '${END}'`]]);
  });
  afterAll(async () => {
    bigquery?.cleanup();
    duckdb?.cleanup();
    await fake?.stop();
  });

  it('builds end to end (per-date ranges 15 at once under conflicts), is fresh, and agrees with the DuckDB demo table by table', async () => {
    // One command on an empty project: the calendars that read nba_raw.schedule wait for the
    // target that builds it, and the rest is measured after it.
    // The first 15 per-date jobs of player_composite_factors run only after a poll, so they overlap for sure.
    fake.slowNext(15, 1, { purpose: 'build', target: 'player_composite_factors' });
    const [build, reference] = await Promise.all([
      bigquery.exec(['ml_feature_store_v2', '--config', 'dag.bigquery.json5'], { env }),
      duckdb.exec(['ml_feature_store_v2']),
    ]);
    expect(reference.code, reference.stdout + reference.stderr).toBe(0);
    expect(build.stderr).toBe('');
    expect(build.code, build.stdout).toBe(0);
    // player_composite_factors: one range per date of its calendar (the 43 dates at least 14 days into the season).
    expect(build.stdout).toMatch(/^player_composite_factors\s+built\s+43\/43\s+43\s/m);
    expect(build.stdout).toMatch(/BigQuery build job for player_composite_factors failed \(concurrentUpdate: Transaction is aborted due to concurrent update/);
    expect(build.stdout).toMatch(/^player_boxscores\s+built\s+2\/2\s+57\s/m);
    expect(build.stdout).toMatch(/✓ Built 15 targets/);

    const status = await bigquery.exec(['--status', '--config', 'dag.bigquery.json5'], { env });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain('15 targets: 15 fresh, 0 stale, 0 blocked');
    // The write records and definitions agree with what is there: a second build has nothing to do.
    const buildJobs = () => fake.queries.filter((q) => !q.dryRun && q.labels['purpose'] === 'build').length;
    const jobsBefore = buildJobs();
    const again = await bigquery.exec(['ml_feature_store_v2', '--config', 'dag.bigquery.json5'], { env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout, again.stdout).toMatch(/fresh/);
    expect(again.stdout, again.stdout).not.toMatch(/▶/);
    expect(buildJobs()).toBe(jobsBefore);

    // The BigQuery tables are partitioned by game_date, so coverage comes from partition metadata.
    const partitioned = await fake.duck(
      `SELECT count(DISTINCT schema_name || '.' || table_name) FROM _fake_meta.partitioning WHERE schema_name LIKE 'nba_%' AND column_name = 'game_date'`,
    );
    expect(Number(partitioned[0]![0])).toBe(15);

    for (const table of TABLES) {
      const columns = (await duckdb.query(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns
         WHERE table_schema || '.' || table_name = '${table}' ORDER BY ordinal_position`,
      )).map((r) => [String(r['name']), String(r['type'])] as [string, string]);
      expect(columns.length, table).toBeGreaterThan(0);
      const expected = await profile(columns, async (sql) => Object.values((await duckdb.query(sql))[0]!), table);
      const actual = await profile(columns, async (sql) => (await fake.duck(sql))[0]!, table);
      expect(expected['rows'], table).toBeGreaterThan(0);
      for (const [measure, value] of Object.entries(expected)) {
        const got = actual[measure]!;
        if (Number.isNaN(value)) expect(got, `${table} ${measure}`).toBeNaN();
        else expect(Math.abs(got - value), `${table} ${measure}: BigQuery ${got}, DuckDB ${value}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
      }
    }
    // A couple of headline numbers, spelled out.
    const [[usage]] = (await fake.duck('SELECT round(sum(usage_rate), 6) FROM nba_analytics.player_game_summary')) as [[unknown]];
    const [{ usage: usageDuck }] = (await duckdb.query('SELECT round(sum(usage_rate), 6) AS usage FROM nba_analytics.player_game_summary')) as [{ usage: unknown }];
    expect(Number(usage)).toBeCloseTo(Number(usageDuck), 6);
    // BigQuery arrays cannot hold NULL: every vector has its 20 features, a missing one as NaN.
    const vectors = await fake.duck(
      `SELECT count(*) FILTER (WHERE len(feature_vector) <> 20 OR len(list_filter(feature_vector, x -> x IS NULL)) > 0) FROM nba_precompute.ml_feature_store_v2`,
    );
    expect(Number(vectors[0]![0])).toBe(0);
  }, 180_000);
});
