/**
 * `dagrun init` through the built CLI: the starter pipeline builds at once and is fresh after,
 * init never overwrites a file (exit 2, naming them), and `init --from duckdb:FILE` writes a source
 * target for each dated table of a real DuckDB file, skipping (and naming) tables without a date
 * column, with the window from the data and a calendar suggestion.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectRig } from './helpers/rig.js';

let rig: ProjectRig;
afterEach(() => rig?.cleanup());

const NOW = '2025-03-10T12:00:00Z';

/** Creates a DuckDB file in the rig by running `sql`. */
async function makeDuckDb(file: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path.join(rig.dir, file));
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('dagrun init', () => {
  it('writes a starter pipeline that builds at once, is fresh after, and passes check', async () => {
    rig = new ProjectRig();
    const init = await rig.exec(['init', '--now', NOW]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('targets/raw/orders.json5');
    for (const file of ['dag.json5', 'targets/raw/exchange_rates.json5', 'targets/raw/orders.json5', 'targets/marts/daily_revenue.json5', 'targets/marts/daily_revenue.sql', 'scripts/extract_orders.mjs']) {
      expect(existsSync(path.join(rig.dir, file)), file).toBe(true);
    }
    const dag = rig.read('dag.json5');
    expect(dag).toContain("window: { start: '2025-03-03', end: '2025-03-09' }");
    expect(dag).toMatch(/\$schema: '[^']*schema\/dag\.schema\.json'/);
    expect(rig.read('targets/raw/orders.json5')).toContain("output: 'csv'");
    expect(rig.read('targets/raw/exchange_rates.json5')).toContain('source: true');

    expect((await rig.exec(['check'])).code).toBe(0);
    const build = await rig.exec([]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toContain('revenue_every_day=1');
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(0);
    const states = (JSON.parse(status.stdout) as { targets: { name: string; state: string; present: number }[] }).targets;
    expect(states.map((t) => [t.name, t.state, t.present]).sort()).toEqual([
      ['daily_revenue', 'fresh', 7], ['exchange_rates', 'fresh', 7], ['orders', 'fresh', 7],
    ]);
    // the command's CSV rows landed in the warehouse, three orders a day
    expect(await rig.query('SELECT count(*)::INTEGER AS n, count(DISTINCT event_date)::INTEGER AS days FROM raw.orders')).toEqual([{ n: 21, days: 7 }]);
    expect((await rig.exec([])).stdout).toContain('Nothing to do');
  });

  it('refuses to overwrite: exit 2, naming every file that is there, and writes nothing', async () => {
    rig = new ProjectRig().write({ 'dag.json5': '{ mine: true }\n', 'scripts/extract_orders.mjs': '// mine\n' });
    const init = await rig.exec(['init', '--now', NOW]);
    expect(init.code).toBe(2);
    expect(init.stderr).toBe(`dagrun: init: not overwriting dag.json5, scripts/extract_orders.mjs in ${rig.dir}; run it in a folder without them, or move them away`);
    expect(rig.read('dag.json5')).toBe('{ mine: true }\n');
    expect(existsSync(path.join(rig.dir, 'targets'))).toBe(false);
    expect(existsSync(path.join(rig.dir, '.dagrun'))).toBe(false);
  });

  it('--from duckdb:FILE: a source target per dated table, the tables without a date column skipped and named', async () => {
    rig = new ProjectRig();
    await makeDuckDb('shop.duckdb', `
      CREATE SCHEMA sales; CREATE SCHEMA ref;
      CREATE TABLE sales.orders AS SELECT CAST(d AS DATE) AS order_date, 10.0 AS amount FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-31', INTERVAL 1 DAY) s(d);
      CREATE TABLE sales.clicks AS SELECT d + INTERVAL 3 HOUR AS clicked_at, 'x' AS page FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-31', INTERVAL 12 HOUR) s(d);
      CREATE TABLE sales.refunds (created_at TIMESTAMP, refund_date DATE, amount DOUBLE);
      INSERT INTO sales.refunds VALUES (TIMESTAMP '2024-01-05 10:00', DATE '2024-01-06', 1), (TIMESTAMP '2024-01-20 10:00', DATE '2024-01-21', 2);
      CREATE TABLE sales.returns_queue (returned_on DATE, n INTEGER);
      CREATE TABLE ref.countries (code VARCHAR, name VARCHAR);
      INSERT INTO ref.countries VALUES ('FR', 'France');
      CREATE TABLE main.settings (k VARCHAR, v VARCHAR);`);
    const init = await rig.exec(['init', '--from', 'duckdb:shop.duckdb']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout.split('\n').slice(0, 8)).toEqual([
      'window 2024-01-01..2024-01-31 (the first and last dates found)',
      'calendar: every day (sales.orders has every day from 2024-01-01 to 2024-01-31)',
      'found   sales.clicks: clicked_at (TIMESTAMP column), 31 dates, 2024-01-01..2024-01-31 → targets/sales/clicks.json5',
      'found   sales.orders: order_date (DATE column), 31 dates, 2024-01-01..2024-01-31 → targets/sales/orders.json5',
      'found   sales.refunds: refund_date (DATE column), 2 dates, 2024-01-06..2024-01-21 → targets/sales/refunds.json5',
      'found   sales.returns_queue: returned_on (DATE column), no rows yet → targets/sales/returns_queue.json5',
      'skipped main.settings: no DATE or TIMESTAMP column',
      'skipped ref.countries: no DATE or TIMESTAMP column',
    ]);
    expect(init.stdout).toContain('4 target file(s) (2 table(s) skipped)');
    const dag = rig.read('dag.json5');
    expect(dag).toContain(`warehouse: { type: 'duckdb', path: "shop.duckdb" }`);
    expect(dag).toContain("window: { start: '2024-01-01', end: '2024-01-31' }");
    expect(dag).toContain("calendar: { every: 'day' }");
    expect(rig.read('targets/sales/orders.json5')).toContain("table: 'sales.orders',\n  dateColumn: 'order_date',\n  source: true,");
    expect(rig.read('targets/sales/clicks.json5')).toContain("dateColumn: 'clicked_at'");
    expect(existsSync(path.join(rig.dir, 'targets/ref'))).toBe(false);

    const check = await rig.exec(['check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1); // refunds and returns_queue do not have every day
    const states = (JSON.parse(status.stdout) as { targets: { name: string; state: string; present: number }[] }).targets;
    expect(Object.fromEntries(states.map((t) => [t.name, [t.state, t.present]]))).toEqual({
      clicks: ['fresh', 31], orders: ['fresh', 31], refunds: ['stale', 2], returns_queue: ['stale', 0],
    });
  });

  it('--from duckdb:FILE suggests the densest table as the calendar when it does not have every day', async () => {
    rig = new ProjectRig();
    await makeDuckDb('games.duckdb', `
      CREATE TABLE main.games AS SELECT CAST(d AS DATE) AS game_date FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-30', INTERVAL 3 DAY) s(d);`);
    const init = await rig.exec(['init', '--from', 'duckdb:games.duckdb']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('calendar: the dates of main.games (10 dates over 28 days: not every day)');
    expect(rig.read('dag.json5')).toContain("calendar: { table: 'main.games', dateColumn: 'game_date' }");
    const status = await rig.exec(['--status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });

  it('--from a warehouse with no dated table writes nothing (exit 2); a missing file is exit 2 too', async () => {
    rig = new ProjectRig();
    await makeDuckDb('plain.duckdb', 'CREATE TABLE main.people (name VARCHAR);');
    const init = await rig.exec(['init', '--from', 'duckdb:plain.duckdb']);
    expect(init.code).toBe(2);
    expect(init.stdout).toContain('skipped main.people: no DATE or TIMESTAMP column');
    expect(init.stderr).toContain('no table of duckdb:plain.duckdb has a DATE or TIMESTAMP column; nothing written');
    expect(existsSync(path.join(rig.dir, 'dag.json5'))).toBe(false);
    const missing = await rig.exec(['init', '--from', 'duckdb:nope.duckdb']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('dagrun: --from duckdb:nope.duckdb: no such file');
  });
});
