/** Project ids with a domain and dashes (`example.com:my-project`) reach BigQuery intact, in paths and in SQL. */
import { afterEach, expect, it } from 'vitest';
import { dayOf } from '../src/intervals/day.js';
import { openBigQuery } from '../src/warehouse/bigquery.js';
import { FakeBigQuery } from './fake-bigquery/server.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

let fake: FakeBigQuery | undefined;
afterEach(async () => {
  await fake?.stop();
});

it('builds, measures and records under a domain-scoped project id with dashes', async () => {
  fake = await FakeBigQuery.start({ project: 'example.com:my-project-1' });
  await fake.seed('raw.games', { columns: { game_date: 'DATE', points: 'INT64' }, rows: [['2024-01-02', 3]], partitionBy: 'game_date' });
  const warehouse = await openBigQuery(
    { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
    { runId: 'domain-run', retry: { attempts: 2, baseDelayMs: 1 } },
  );
  const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
  await warehouse.runSql({
    target: 'daily', table: 'out.daily', labels: {}, start: window.first, end: window.last, dates: [dayOf('2024-01-02')],
    sql: 'CREATE TABLE IF NOT EXISTS out.daily (game_date DATE, points INT64) PARTITION BY game_date; DELETE FROM out.daily WHERE game_date IN UNNEST(@dates); INSERT INTO out.daily SELECT game_date, points FROM raw.games WHERE game_date IN UNNEST(@dates);',
    record: { target: 'daily', days: [dayOf('2024-01-02')], fingerprint: 'f', runId: 'domain-run' },
  });
  const present = await warehouse.presentDates([{ table: 'out.daily', dateColumn: 'game_date' }], window);
  expect(present.get('out.daily')?.days).toEqual([dayOf('2024-01-02')]);
  expect((await warehouse.readWrites(['daily'], window)).map((r) => r.fingerprint)).toEqual(['f']);
  expect(fake.queries.find((q) => q.labels['purpose'] === 'build')!.sql).toContain('INSERT INTO `example.com:my-project-1._dagrun.writes`');
});
