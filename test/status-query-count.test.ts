/**
 * A status run is a few batched queries, whatever the number of targets: the SQL requests the
 * DuckDB adapter sends for 5 and for 50 targets (with write records and a check) are counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { measureState } from '../src/freshness/check.js';
import { assessTargets } from '../src/freshness/assess.js';
import { buildGraph } from '../src/graph/build.js';
import { dayOf } from '../src/intervals/day.js';
import type { Target } from '../src/config/types.js';

const window = { first: dayOf('2024-01-01'), last: dayOf('2024-03-31') };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function target(i: number): Target {
  return {
    name: `t${i}`, file: `/x/t${i}.json5`, table: `s${i % 3}.t${i}`, deps: i > 0 ? [{ target: `t${i - 1}`, lookback: i % 2 }] : [],
    group: undefined, threshold: 0.9, dateColumn: 'd', calendar: { kind: 'every-day' }, source: false, onChange: 'rebuild',
    build: undefined, checks: i === 0 ? [{ name: 'rows', sql: 'SELECT count(*) FROM s0.t0', perDate: false, min: 1, max: undefined }] : [],
  };
}

async function statusQueries(count: number): Promise<{ queries: number; stale: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-count-'));
  dirs.push(dir);
  const file = path.join(dir, 'w.duckdb');
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  for (let s = 0; s < 3; s++) await c.run(`CREATE SCHEMA s${s}`);
  // Every other table exists, with a hole in March; the rest are not built yet.
  for (let i = 0; i < count; i += 2) {
    await c.run(`CREATE TABLE s${i % 3}.t${i} AS SELECT d::DATE AS d FROM range(DATE '2024-01-01', DATE '2024-03-01', INTERVAL 1 DAY) r(d)`);
  }
  c.closeSync();
  instance.closeSync();
  const targets = new Map(Array.from({ length: count }, (_, i) => [`t${i}`, target(i)] as const));
  const warehouse = new DuckDbWarehouse({ path: file, searchPath: dir });
  await warehouse.recordWrites([{ target: 't0', days: [dayOf('2024-01-05')], writtenAt: 1, fingerprint: 'f', runId: 'r' }]);
  const before = warehouse.queriesSent;
  const graph = buildGraph(targets);
  const names = graph.topologicalOrder();
  const state = await measureState(warehouse, { graph, names, window, fingerprints: new Map() });
  const freshness = assessTargets(graph, state, names);
  const queries = warehouse.queriesSent - before;
  await warehouse.close();
  return { queries, stale: [...freshness.values()].filter((f) => f.state !== 'fresh').length };
}

describe('a status run on DuckDB', () => {
  it('sends the same handful of queries for 20 and for 50 targets', async () => {
    const small = await statusQueries(20);
    const big = await statusQueries(50);
    expect(big.stale).toBe(50); // holes everywhere, missing tables: the run measured every target
    expect(big.queries).toBeGreaterThanOrEqual(3); // the counter sees the calendar, coverage and write queries
    expect(big.queries).toBeLessThanOrEqual(8);
    expect(big.queries).toBe(small.queries);
  });

  it('looks up the tables of a few targets by name, a statement each (a scan of the catalog costs more in a big file)', async () => {
    const few = await statusQueries(5);
    const many = await statusQueries(50);
    // 5 tables asked, 2 of them missing: a lookup each, and the views asked about each missing one, for one scan
    expect(few.queries).toBe(many.queries - 1 + 5 + 2);
  });
});
