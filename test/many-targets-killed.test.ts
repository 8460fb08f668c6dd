/**
 * Many targets at once on a real DuckDB file, and dagrun killed (-9) in the middle: 150 SQL
 * targets of three per-date ranges each, in chains ten wide, -j 8. This is the path the ready
 * queue, the lookups of tables by name and the run recorder serve at scale. The next run
 * builds every date the killed one left unbuilt, no date is left doubled or half-written, and
 * `--status` calls every target fresh.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const TARGETS = 150;
const DATES = ['2024-01-01', '2024-01-02', '2024-01-03'];
const name = (i: number) => `t${String(i).padStart(3, '0')}`;

let rig: ProjectRig;
beforeEach(() => {
  rig = new ProjectRig();
  const files: Record<string, string> = { 'dag.json5': dagJson({ window: { start: DATES[0], end: DATES[2] }, concurrency: 8 }) };
  for (let i = 0; i < TARGETS; i++) {
    const deps = i >= 10 ? [name(i - 10)] : [];
    files[`targets/${name(i)}.json5`] = JSON.stringify({ table: `s.${name(i)}`, deps, build: { sql: `${name(i)}.sql`, ranges: 'per-date' } });
    files[`targets/${name(i)}.sql`] =
      `CREATE SCHEMA IF NOT EXISTS s; CREATE TABLE IF NOT EXISTS s.${name(i)} (d DATE, n INTEGER);\n` +
      `DELETE FROM s.${name(i)} WHERE d IN (SELECT unnest(@dates));\n` +
      `INSERT INTO s.${name(i)} SELECT d, ${i} FROM (SELECT unnest(@dates) AS d);\n`;
  }
  rig.write(files);
});
afterEach(() => rig.cleanup());

/** Ranges the running build has finished, from its live state (0 until it writes one). */
function rangesDone(): number {
  try {
    return (JSON.parse(readFileSync(path.join(rig.dir, '.dagrun/live.json'), 'utf8')) as { rangesDone: number }).rangesDone;
  } catch {
    return 0;
  }
}

/** Rows per target and date in the warehouse, as `t000 2024-01-01` → count (no entry: no row). */
async function rowsPerDate(): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(path.join(rig.dir, '.dagrun/warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const tables = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 's'`)).getRows().map((r) => String(r[0]));
  const union = tables.map((t) => `SELECT '${t}' AS t, strftime(d, '%Y-%m-%d') AS d, count(*) AS n FROM s.${t} GROUP BY d`).join(' UNION ALL ');
  const rows = tables.length > 0 ? (await connection.runAndReadAll(union)).getRows() : [];
  connection.closeSync();
  instance.closeSync();
  return new Map(rows.map(([t, d, n]) => [`${String(t)} ${String(d)}`, Number(n)]));
}

test('killed with -9 mid-build: the next run builds every date left, none doubled, and everything is fresh', async () => {
  const killed = rig.spawn([]);
  for (const end = Date.now() + 60_000; rangesDone() < 60; await delay(10)) {
    if (Date.now() > end) throw new Error('the build did not get going within 60 s');
  }
  killed.kill('SIGKILL');
  const first = await killed;
  expect(first.signal).toBe('SIGKILL'); // killed in the middle, not finished before the kill

  const afterKill = await rowsPerDate();
  const everyDate = Array.from({ length: TARGETS }, (_, i) => DATES.map((d) => `${name(i)} ${d}`)).flat();
  const left = everyDate.filter((key) => !afterKill.has(key));
  // the kill left work: some dates built, some not; whatever committed committed whole
  expect(left.length).toBeGreaterThan(0);
  expect(left.length).toBeLessThan(everyDate.length);
  expect([...afterKill.values()].every((n) => n === 1)).toBe(true);

  const next = await rig.exec(['--json']);
  expect(next.code).toBe(0);
  const started = next.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; target?: string; batch?: { start: string } })
    .filter((e) => e.type === 'range-started')
    .map((e) => `${e.target} ${e.batch!.start}`);
  for (const key of left) expect(started, key).toContain(key);
  expect(started.length).toBeLessThan(everyDate.length); // what the killed run committed stands

  const built = await rowsPerDate();
  expect(everyDate.filter((key) => built.get(key) !== 1)).toEqual([]);
  expect(built.size).toBe(everyDate.length);
  const status = await rig.exec(['--status']);
  expect(status.code).toBe(0);
}, 120_000);
