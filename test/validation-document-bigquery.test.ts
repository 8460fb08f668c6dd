/**
 * The validation document on BigQuery (the loopback fake, built CLI): the same document as
 * on DuckDB, with rows per date skipped with a note, and not one query more than `--status`
 * itself sends (a row count would scan the tables). Build first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

const SCHEDULE = ['2024-01-01', '2024-01-02', '2024-01-04', '2024-01-05'];

describe('dagrun --status --report on BigQuery (loopback fake)', () => {
  let fake: FakeBigQuery;
  let rig: ProjectRig;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    await fake.seed('raw.schedule', { columns: { game_date: 'DATE' }, rows: SCHEDULE.map((d) => [d]) });
    // games miss 2024-01-04
    await fake.seed('raw.games', { columns: { game_date: 'DATE', points: 'INT64' }, rows: SCHEDULE.filter((d) => d !== '2024-01-04').map((d) => [d, 100]), partitionBy: 'game_date' });
    rig = new ProjectRig().write({
      'dag.json5': JSON.stringify({
        warehouse: { type: 'bigquery', project: fake.project, location: 'US', apiEndpoint: fake.endpoint },
        window: { start: '2024-01-01', end: '2024-01-05' },
        calendar: { table: 'raw.schedule', dateColumn: 'game_date' },
        defaults: { dateColumn: 'game_date', threshold: 1 },
        targets: ['targets/**/*.json5'],
      }),
      'targets/games.json5': "{ table: 'raw.games', source: true, checks: [{ name: 'points_positive', sql: 'SELECT MIN(points) FROM raw.games', min: 1 }] }",
    });
  });
  afterEach(async () => {
    rig.cleanup();
    await fake.stop();
  });

  it('writes the document from the same queries as --status, rows per date skipped with a note', async () => {
    fake.reset();
    const plain = await rig.exec(['--status', '--now', '2024-01-06T08:00:00Z']);
    expect(plain.code).toBe(1);
    const queriesForStatus = fake.queries.length;
    fake.reset();
    const doc = await rig.exec(['--status', '--report', 'out/r.md', '--junit', 'out/j.xml', '--now', '2024-01-06T08:00:00Z']);
    expect(doc.code).toBe(1);
    expect(fake.queries.length).toBe(queriesForStatus);
    const md = rig.read('out/r.md');
    expect(md).toContain(`- **Warehouse:** BigQuery project \`${fake.project}\` (US)`);
    expect(md).toContain('| `games` (source) |  | ⚠️ stale | 3 / 4 | 75.0% | 100% | 1 | 0 |');
    expect(md).toContain('  - missing 1: 2024-01-04');
    expect(md).toContain('| `games` | points_positive | 100 | ≥ 1 | ✅ pass |  |');
    expect(md).toContain('- `games`: not counted on BigQuery');
    expect(rig.read('out/j.xml')).toContain('<testsuite name="coverage" tests="1" failures="1"');
  });
});
