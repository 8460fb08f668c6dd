/**
 * Expiring tables on BigQuery: the built CLI against the loopback fake. Dates a table's
 * partition expiration has deleted are not expected (rebuilt, they would expire again, every
 * run), and `--status` says so once per target; a table past its `expirationTime` is
 * missing, even while tables.get still lists it. Both come from the tables.get the adapter
 * already makes per table: no extra call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';
import { formatDay, type Day } from '../src/intervals/day.js';

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS);
const iso = (offset: number) => formatDay((today + offset) as Day);
/** The window: the 20 days before today. */
const DAYS = Array.from({ length: 20 }, (_, i) => iso(i - 20));

function pipeline(endpoint: string, project: string): Record<string, string> {
  return {
    'dag.json5': JSON.stringify({
      warehouse: { type: 'bigquery', project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: endpoint },
      window: { start: iso(-20), end: iso(-1) },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'game_date', threshold: 1 },
      targets: ['targets/**/*.json5'],
    }),
    'targets/events.json5': "{ table: 'raw.events', source: true }",
    'targets/gone.json5': "{ table: 'raw.gone', source: true }",
    'targets/plain.json5': "{ table: 'raw.plain', source: true }",
    'targets/daily.json5': "{ table: 'analytics.daily', deps: ['plain'], build: { sql: 'daily.sql', ranges: 'contiguous' } }",
    'targets/daily.sql': `DELETE FROM analytics.daily WHERE game_date IN UNNEST(@dates);
INSERT INTO analytics.daily SELECT game_date, n FROM raw.plain WHERE game_date IN UNNEST(@dates);
`,
  };
}

describe('expiring tables on BigQuery (loopback fake)', () => {
  let fake: FakeBigQuery;
  let rig: ProjectRig;
  const env = { DAGRUN_BIGQUERY_RETRY_ATTEMPTS: '3', DAGRUN_BIGQUERY_RETRY_BASE_MS: '1', METADATA_SERVER_DETECTION: 'none' };

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    const rows = DAYS.map((d) => [d, 1]);
    // Partitions expire 10 days after their day ends: the fake deletes the older ones, as BigQuery does.
    await fake.seed('raw.events', { columns: { game_date: 'DATE', n: 'INT64' }, rows, partitionBy: 'game_date', partitionExpirationMs: 10 * DAY_MS });
    // The whole table expired an hour ago; tables.get still answers (BigQuery deletes it shortly after).
    await fake.seed('raw.gone', { columns: { game_date: 'DATE', n: 'INT64' }, rows, partitionBy: 'game_date', expirationTime: Date.now() - 3_600_000 });
    // Expires tomorrow: nothing is different yet.
    await fake.seed('raw.plain', { columns: { game_date: 'DATE', n: 'INT64' }, rows, partitionBy: 'game_date', expirationTime: Date.now() + DAY_MS });
    // The target's table keeps 10 days; of those, the last 2 are not built yet.
    await fake.seed('analytics.daily', {
      columns: { game_date: 'DATE', n: 'INT64' }, rows: DAYS.slice(0, -2).map((d) => [d, 1]), partitionBy: 'game_date', partitionExpirationMs: 10 * DAY_MS,
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

  it('expects only the dates partition expiration keeps, says so once, and counts an expired table as missing', async () => {
    expect(await fake.duck('SELECT min(game_date)::VARCHAR, count(*) FROM raw.events')).toEqual([[iso(-10), '10']]);

    const status = await rig.exec(['--status', '--json'], { env });
    expect(status.stderr).toBe('');
    const byName = new Map((JSON.parse(status.stdout).targets as Record<string, unknown>[]).map((t) => [t['name'], t]));
    const note = `partitions of raw.events expire after 10 days: dates before ${iso(-10)} are not expected (rebuilt, they would expire again)`;
    expect(byName.get('events')).toMatchObject({ state: 'fresh', expected: 10, present: 10, missing: 0, coverage: 1, reasons: [], warnings: [note] });
    expect(byName.get('gone')).toMatchObject({ state: 'stale', expected: 20, present: 0, missing: 20, reasons: ['table raw.gone does not exist yet (0 of 20 expected dates)'] });
    expect(byName.get('plain')).toMatchObject({ state: 'fresh', expected: 20, present: 20 });
    expect(byName.get('plain')!['warnings']).toBeUndefined();
    // The tables.get calls of the same pipeline without expiration: one per table, and one for the write records' table.
    expect(fake.count('tables.get')).toBe(5);

    // a target's own table: only its kept dates are missing
    expect(byName.get('daily')).toMatchObject({
      state: 'stale', expected: 10, present: 8, missingRanges: [[iso(-2), iso(-1)]],
      warnings: [`partitions of analytics.daily expire after 10 days: dates before ${iso(-10)} are not expected (rebuilt, they would expire again)`],
    });

    const table = await rig.exec(['--status', 'events'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout.split(note).length - 1).toBe(1);
  });

  it('builds only the dates partition expiration keeps', async () => {
    const build = await rig.exec(['daily', '--json'], { env });
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const finished = build.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e['type'] === 'range-finished');
    expect(finished.map((e) => e['batch'])).toEqual([expect.objectContaining({ start: iso(-2), end: iso(-1) })]);
    expect(await fake.duck('SELECT min(game_date)::VARCHAR, count(*) FROM analytics.daily')).toEqual([[iso(-10), '10']]);
  });
});
