/**
 * `dagrun init --from bigquery:PROJECT.DATASET[,DATASET…]` through the built CLI against the
 * loopback fake (BIGQUERY_EMULATOR_HOST: no credentials, no outside traffic): from
 * INFORMATION_SCHEMA alone (one COLUMNS and one PARTITIONS query per dataset, no table read),
 * a source target per table with a date or timestamp column, the window from the partitions of
 * tables partitioned by their date column, a calendar suggestion, and what was skipped and why;
 * the pipeline it writes passes `check` and `--status` runs on it. Refused forms exit 2.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { ProjectRig } from './helpers/rig.js';

const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];

describe('dagrun init --from bigquery (loopback fake)', () => {
  let fake: FakeBigQuery;
  let rig: ProjectRig;
  let env: Record<string, string>;
  const dagrun = (...args: string[]) => rig.exec(args, { env });

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    env = { BIGQUERY_EMULATOR_HOST: fake.endpoint, DAGRUN_BIGQUERY_RETRY_ATTEMPTS: '2', DAGRUN_BIGQUERY_RETRY_BASE_MS: '1' };
    // shop: partitioned by its date (every day, and a row without a date: the __NULL__ partition),
    // a TIMESTAMP column in an unpartitioned table, and a table with no date at all
    await fake.seed('shop.orders', {
      columns: { order_id: 'INT64', order_date: 'DATE', amount: 'FLOAT64' },
      rows: [...DAYS.map((d, i) => [i + 1, d, 10 * i]), [99, null, 1]],
      partitionBy: 'order_date',
    });
    await fake.seed('shop.events', {
      columns: { id: 'INT64', seen_at: 'TIMESTAMP', kind: 'STRING' },
      rows: [[1, '2024-01-02 10:00:00', 'view'], [2, '2024-01-04 23:30:00', 'buy']],
    });
    await fake.seed('shop.customers', { columns: { id: 'INT64', name: 'STRING', signup_text: 'STRING', vip: 'BOOL' }, rows: [[1, 'Ada', '2024-01-01', true]] });
    // raw: partitioned, earlier dates and a gap
    await fake.seed('raw.clicks', {
      columns: { click_date: 'DATE', n: 'INT64' },
      rows: [['2023-12-30', 1], ['2024-01-01', 2], ['2024-01-02', 3]],
      partitionBy: 'click_date',
    });
    rig = new ProjectRig();
    fake.reset();
  });
  afterEach(async () => {
    rig.cleanup();
    await fake.stop();
  });
  afterEach(() => {
    // Nothing was ever sent with credentials.
    expect(fake.authorizations).toEqual([]);
  });

  it('writes a source target per dated table from INFORMATION_SCHEMA alone, says what it skipped, and the pipeline checks', async () => {
    const init = await dagrun('init', '--from', `bigquery:${fake.project}.shop,raw`);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const lines = init.stdout.trim().split('\n');
    expect(lines).toEqual([
      'window 2023-12-30..2024-01-05 (the first and last dates found)',
      'calendar: every day (shop.orders has every day from 2024-01-01 to 2024-01-05)',
      'found   shop.events: seen_at (TIMESTAMP column), dates not read (not a partitioning column: reading them takes a scan), so the window does not come from it → targets/shop/events.json5',
      'found   shop.orders: order_date (partitioning column), 5 dates, 2024-01-01..2024-01-05 → targets/shop/orders.json5',
      'found   raw.clicks: click_date (partitioning column), 3 dates, 2023-12-30..2024-01-02 → targets/raw/clicks.json5',
      'skipped shop.customers: no DATE or TIMESTAMP column',
      'Wrote dag.json5 and 3 target file(s) (1 table(s) skipped). Next: npx dagrun check --connect, npx dagrun --status.',
    ]);

    // Two INFORMATION_SCHEMA queries per dataset (PARTITIONS only for the partitioned tables), no table read.
    const sql = fake.queries.map((q) => q.sql);
    expect(sql).toHaveLength(4);
    expect(sql.filter((s) => s.includes(`\`${fake.project}.shop.INFORMATION_SCHEMA.COLUMNS\``))).toHaveLength(1);
    expect(sql.filter((s) => s.includes(`\`${fake.project}.shop.INFORMATION_SCHEMA.PARTITIONS\``))).toHaveLength(1);
    expect(sql.filter((s) => s.includes(`\`${fake.project}.raw.INFORMATION_SCHEMA.COLUMNS\``))).toHaveLength(1);
    expect(sql.filter((s) => s.includes(`\`${fake.project}.raw.INFORMATION_SCHEMA.PARTITIONS\``))).toHaveLength(1);
    for (const s of sql) expect(s).not.toMatch(/\b(shop|raw)\.(orders|events|customers|clicks)\b/);
    const partitions = fake.queries.find((q) => q.sql.includes('shop.INFORMATION_SCHEMA.PARTITIONS'))!;
    expect(JSON.stringify(partitions.params)).toContain('orders');
    expect(JSON.stringify(partitions.params)).not.toContain('events');
    expect(fake.queries.every((q) => q.labels['tool'] === 'dagrun' && q.labels['command'] === 'init')).toBe(true);

    const dag = rig.read('dag.json5');
    expect(dag).toContain(`warehouse: { type: 'bigquery', project: '${fake.project}', location: 'US' }`);
    expect(dag).toContain("window: { start: '2023-12-30', end: '2024-01-05' }");
    expect(dag).toContain("calendar: { every: 'day' }");
    const orders = rig.read('targets/shop/orders.json5');
    expect(orders).toContain("table: 'shop.orders'");
    expect(orders).toContain("dateColumn: 'order_date'");
    expect(orders).toContain('source: true');
    expect(orders).toMatch(/\$schema: '[^']*schema\/target\.schema\.json'/);
    const events = rig.read('targets/shop/events.json5');
    expect(events).toContain("dateColumn: 'seen_at'");
    expect(events).toContain('source: true');
    expect(events).toContain('so the window does not come from it');
    expect(rig.read('targets/raw/clicks.json5')).toContain("dateColumn: 'click_date'");
    expect(readdirSync(path.join(rig.dir, 'targets/shop')).sort()).toEqual(['events.json5', 'orders.json5']);

    const check = await dagrun('check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const connect = await dagrun('check', '--connect');
    expect(connect.code, connect.stdout + connect.stderr).toBe(0);
    expect(connect.stdout).toContain(`dataset ${fake.project}.shop in US: 2 of 2 tables exist, 1 read from partition metadata, 1 by scanning the date column`);

    const status = await dagrun('--status', '--json');
    expect(status.stderr).toBe('');
    const targets = (JSON.parse(status.stdout) as { targets: { name: string; present: number }[] }).targets;
    expect(targets.map((t) => [t.name, t.present]).sort()).toEqual([['clicks', 3], ['events', 2], ['orders', 5]]);
    // not every date is there (clicks and events have gaps): not fresh
    expect(status.code).toBe(1);
  });

  it('retries a transient failure; without permission to read INFORMATION_SCHEMA it says so and writes nothing (exit 2)', async () => {
    fake.failNext(1, { status: 503, reason: 'backendError', route: 'jobs.query' });
    const retried = await dagrun('init', '--from', `bigquery:${fake.project}.raw`);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain('found   raw.clicks: click_date (partitioning column), 3 dates, 2023-12-30..2024-01-02');
    // COLUMNS twice (the first answer was a 503), PARTITIONS once
    expect(fake.count('jobs.query')).toBe(3);

    const elsewhere = new ProjectRig();
    try {
      fake.failNext(1, { status: 403, reason: 'accessDenied', message: 'Access Denied: User does not have permission', route: 'jobs.query' });
      const denied = await elsewhere.exec(['init', '--from', `bigquery:${fake.project}.raw`], { env });
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain(`--from bigquery:${fake.project}.raw: cannot read INFORMATION_SCHEMA of project ${fake.project}: Access Denied`);
      expect(existsSync(path.join(elsewhere.dir, 'dag.json5'))).toBe(false);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('refuses a source without a dataset, and a dataset that does not exist, writing nothing (exit 2)', async () => {
    const bare = await dagrun('init', '--from', 'bigquery:nodataset');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--from bigquery:nodataset: "nodataset" names no dataset; expected bigquery:PROJECT.DATASET[,DATASET…]');
    expect(fake.queries).toEqual([]);

    const missing = await dagrun('init', '--from', `bigquery:${fake.project}.shop,nope`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`dataset ${fake.project}.nope not found`);
    expect(existsSync(path.join(rig.dir, 'dag.json5'))).toBe(false);

    const other = await dagrun('init', '--from', `bigquery:${fake.project}.shop,another-project.raw`);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is in another project');
  });
});
