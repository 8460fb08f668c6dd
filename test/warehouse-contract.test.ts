/** The warehouse contract against DuckDB (a temp file) and against BigQuery (the loopback fake). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { openBigQuery } from '../src/warehouse/bigquery.js';
import { FakeBigQuery } from './fake-bigquery/server.js';
import { type ColumnType, type SeedTable, registerWarehouseContractTests } from './warehouse-contract.js';

// The fake needs no credentials; make sure nothing probes the GCE metadata server either.
process.env['METADATA_SERVER_DETECTION'] = 'none';

const DUCK_TYPES: Record<ColumnType, string> = { DATE: 'DATE', INT64: 'BIGINT', FLOAT64: 'DOUBLE', STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMP' };

registerWarehouseContractTests('duckdb', async () => {
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
});

registerWarehouseContractTests('bigquery (fake)', async () => {
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
});

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
