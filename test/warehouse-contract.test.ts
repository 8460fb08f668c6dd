/**
 * The warehouse contract against DuckDB (a temp file) and against BigQuery (the loopback
 * fake): the shared cases of warehouse-contract.ts, and here the write records as ranges
 * (`readWriteRanges`, regrouped per target and definition to compare), which both engines
 * offer, and the per-record reads (`readWrites`, with run ids) beside them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Day, dayOf, formatDay } from '../src/intervals/day.js';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { openBigQuery } from '../src/warehouse/bigquery.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { type WriteGroup, writeGroupsOf } from './helpers/write-groups.js';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { type ColumnType, type ContractHarness, type SeedTable, registerWarehouseContractTests } from './warehouse-contract.js';

// The fake needs no credentials; make sure nothing probes the GCE metadata server either.
process.env['METADATA_SERVER_DETECTION'] = 'none';

const DUCK_TYPES: Record<ColumnType, string> = { DATE: 'DATE', INT64: 'BIGINT', FLOAT64: 'DOUBLE', STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMP' };

async function duckDbHarness(): Promise<ContractHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-contract-'));
  const file = path.join(dir, 'w.duckdb');
  const warehouse = new DuckDbWarehouse({ path: file, searchPath: dir });
  return {
    warehouse,
    // Seeding opens the file itself, as a command target would, so it goes through exclusive().
    seed: (table, spec) => warehouse.exclusive(() => seedDuckDb(file, table, spec)),
    dialect: { inDates: (column) => `list_contains(@dates, ${column})` },
    dispose: async () => {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function fakeBigQueryHarness(): Promise<ContractHarness> {
  const fake = await FakeBigQuery.start();
  const warehouse = await openBigQuery(
    { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
    { runId: 'contract', retry: { attempts: 2, baseDelayMs: 0 } },
  );
  return {
    warehouse,
    seed: (table, spec) => fake.seed(table, spec),
    dialect: { inDates: (column) => `${column} IN UNNEST(@dates)` },
    dispose: async () => {
      await warehouse.close();
      await fake.stop();
    },
  };
}

for (const [name, makeHarness] of [['duckdb', duckDbHarness], ['bigquery (fake)', fakeBigQueryHarness]] as const) {
  registerWarehouseContractTests(name, makeHarness);
  registerWriteGroupTests(name, makeHarness);
}

/** A group with its (day, time) pairs in day order: engines promise parallel lists, not an order. */
function normalised(group: WriteGroup): { key: string; days: string[]; writtenAt: number[] } {
  const order = group.days.map((_, i) => i).sort((a, b) => group.days[a]! - group.days[b]!);
  return {
    key: `${group.target} ${group.fingerprint}`,
    days: order.map((i) => formatDay(group.days[i]!)),
    writtenAt: order.map((i) => group.writtenAt[i]!),
  };
}

async function groupsOf(w: Warehouse, targets: string[], window: { first: Day; last: Day }) {
  const groups = writeGroupsOf(await w.readWriteRanges(targets, window));
  return groups.map(normalised).sort((a, b) => a.key.localeCompare(b.key));
}

/** `readWriteRanges`: the latest record per (target, day), regrouped per (target, definition) whatever the runs. */
function registerWriteGroupTests(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`warehouse contract, grouped write records: ${name}`, () => {
    let h: ContractHarness;
    let w: Warehouse;
    const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };
    const days = (...dates: string[]) => dates.map(dayOf);
    // what a run records: epoch ms with a fraction (performance.timeOrigin + performance.now())
    const precise = 1717171717171.1235;
    const byDay = (records: Awaited<ReturnType<Warehouse['readWrites']>>) => [...records].sort((a, b) => a.target.localeCompare(b.target) || a.day - b.day);

    beforeEach(async () => {
      h = await makeHarness();
      w = h.warehouse;
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('groups the latest record of each (target, day) per definition, across runs, times exact, within the window', async () => {
      expect(typeof w.readWriteRanges).toBe('function');
      expect(await w.readWriteRanges(['x'], window)).toEqual([]);
      await w.recordWrites([{ target: 'x', days: days('2024-01-02', '2024-01-03', '2024-01-04'), writtenAt: 10.5, fingerprint: 'f', runId: 'r1' }]);
      await w.recordWrites([{ target: 'x', days: days('2024-01-03'), writtenAt: 11, fingerprint: 'g', runId: 'r2' }]);
      await w.recordWrites([
        { target: 'y', days: days('2024-01-02', '2023-12-01', '2024-02-01'), writtenAt: 12, fingerprint: 'h', runId: 'r3' },
        { target: 'x', days: days('2024-01-06', '2024-01-05'), writtenAt: precise, fingerprint: 'f', runId: 'r3' },
        { target: 'x', days: days('2024-01-07'), writtenAt: precise + 0.25, fingerprint: 'f', runId: 'r4' },
      ]);
      expect(await groupsOf(w, ['x', 'y', 'z'], window)).toEqual([
        { key: 'x f', days: ['2024-01-02', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07'], writtenAt: [10.5, 10.5, precise, precise, precise + 0.25] },
        { key: 'x g', days: ['2024-01-03'], writtenAt: [11] },
        { key: 'y h', days: ['2024-01-02'], writtenAt: [12] },
      ]);
      expect(await groupsOf(w, ['y'], { first: dayOf('2023-11-01'), last: dayOf('2024-01-01') })).toEqual([
        { key: 'y h', days: ['2023-12-01'], writtenAt: [12] },
      ]);
      expect(await w.readWriteRanges([], window)).toEqual([]);
    });

    it('keeps one group per definition when every day was written by a run of its own, and readWrites still tells the runs', async () => {
      const dates = Array.from({ length: 20 }, (_, i) => formatDay((window.first + i) as Day));
      for (const [i, date] of dates.entries()) {
        await w.recordWrites([{ target: 'daily', days: days(date), writtenAt: 1000 + i, fingerprint: 'f', runId: `run-${i}` }]);
      }
      // a later run rewrites the first day under the same definition: its record replaces the first
      await w.recordWrites([{ target: 'daily', days: days(dates[0]!), writtenAt: 5000, fingerprint: 'f', runId: 'rerun' }]);
      expect(await groupsOf(w, ['daily'], window)).toEqual([
        { key: 'daily f', days: dates, writtenAt: [5000, ...dates.slice(1).map((_, i) => 1001 + i)] },
      ]);
      const records = byDay(await w.readWrites(['daily'], window));
      expect(records.map((r) => r.runId)).toEqual(['rerun', ...dates.slice(1).map((_, i) => `run-${i + 1}`)]);
      expect(records[0]).toEqual({ target: 'daily', day: dayOf(dates[0]!), writtenAt: 5000, fingerprint: 'f', runId: 'rerun' });
    });

    it('saves a flush whose first write time is a whole number and a later one fractional', async () => {
      // DuckDB types an unannotated list by its first item: [12, 12.25] was an integer list, and the save failed
      await w.recordWrites([
        { target: 'a', days: days('2024-01-02'), writtenAt: 12, fingerprint: 'f', runId: 'r' },
        { target: 'b', days: days('2024-01-02', '2024-01-03'), writtenAt: precise, fingerprint: 'f', runId: 'r' },
      ]);
      expect(byDay(await w.readWrites(['a', 'b'], window))).toEqual([
        { target: 'a', day: dayOf('2024-01-02'), writtenAt: 12, fingerprint: 'f', runId: 'r' },
        { target: 'b', day: dayOf('2024-01-02'), writtenAt: precise, fingerprint: 'f', runId: 'r' },
        { target: 'b', day: dayOf('2024-01-03'), writtenAt: precise, fingerprint: 'f', runId: 'r' },
      ]);
    });

    it('reads days before 1970 (negative epoch days), grouped and one record per day', async () => {
      await w.recordWrites([{ target: 'old', days: days('1969-12-30', '1970-01-01'), writtenAt: 1, fingerprint: 'f', runId: 'r' }]);
      const early = { first: dayOf('1969-12-01'), last: dayOf('1970-01-31') };
      expect(await groupsOf(w, ['old'], early)).toEqual([{ key: 'old f', days: ['1969-12-30', '1970-01-01'], writtenAt: [1, 1] }]);
      expect(byDay(await w.readWrites(['old'], early))).toEqual([
        { target: 'old', day: dayOf('1969-12-30'), writtenAt: 1, fingerprint: 'f', runId: 'r' },
        { target: 'old', day: dayOf('1970-01-01'), writtenAt: 1, fingerprint: 'f', runId: 'r' },
      ]);
      expect(await w.readWrites([], early)).toEqual([]);
    });
  });
}

async function seedDuckDb(file: string, table: string, spec: SeedTable): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    const [schema] = table.split('.');
    const columns = Object.entries(spec.columns).map(([name, type]) => `${name} ${DUCK_TYPES[type]}`);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}; CREATE OR REPLACE TABLE ${table} (${columns.join(', ')})`);
    const literal = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`);
    if (spec.rows.length > 0) {
      await connection.run(`INSERT INTO ${table} VALUES ${spec.rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
