/**
 * dagrun's memory in the DuckDB file: the `_dagrun.writes` table, one row per (target, day)
 * with the last write's time, definition fingerprint and run. Statements here run on a
 * connection the caller holds, inside the caller's transaction when it has one, so a range's
 * records commit with its rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Day } from '../intervals/day.js';
import { duckdb } from './duckdb-module.js';
import { dayList } from './duckdb-sql.js';
import type { WriteBatch } from './warehouse.js';

export const WRITES_TABLE = '_dagrun.writes';

/** The type of the bound list of write times (epoch ms, fractional; NULL: stamp with the warehouse clock). */
const WRITE_TIMES_TYPE = duckdb.LIST(duckdb.DOUBLE);

export const CREATE_WRITES_TABLE = `CREATE TABLE IF NOT EXISTS _dagrun.writes (
  target VARCHAR NOT NULL, day DATE NOT NULL, written_at DOUBLE NOT NULL,
  fingerprint VARCHAR NOT NULL, run_id VARCHAR NOT NULL, PRIMARY KEY (target, day))`;

/**
 * The warehouse clock: now, but always later than every record the file holds. Commits to
 * one file are serialised, so "later than the latest record" orders every write, whatever
 * the clocks of the machines that wrote them (a file carried between CI runners, a clock
 * an hour behind).
 */
const STAMP = `greatest(epoch_us(now()) / 1000.0, coalesce((SELECT max(written_at) FROM _dagrun.writes), 0) + 0.001)`;

/**
 * Records the batches in one statement (a 1000-range target may record 1000 batches); the
 * last batch naming a (target, day) wins, as it would row by row. Runs in the caller's
 * transaction, if any.
 */
export async function insertWriteRecords(connection: DuckDBConnection, batches: readonly WriteBatch[]): Promise<void> {
  const latest = new Map<string, { batch: WriteBatch; day: Day }>();
  for (const batch of batches) for (const day of batch.days) latest.set(`${batch.target}\0${day}`, { batch, day });
  const rows = [...latest.values()];
  if (rows.length === 0) return;
  await connection.run(
    `INSERT OR REPLACE INTO _dagrun.writes
     SELECT target, day, coalesce(given_at, (SELECT ${STAMP})), fingerprint, run_id
     FROM (SELECT unnest($targets) AS target, unnest($days) AS day, unnest($ats) AS given_at, unnest($fingerprints) AS fingerprint, unnest($runs) AS run_id)`,
    {
      targets: duckdb.listValue(rows.map((r) => r.batch.target)),
      days: dayList(rows.map((r) => r.day)),
      ats: duckdb.listValue(rows.map((r) => r.batch.writtenAt ?? null)),
      fingerprints: duckdb.listValue(rows.map((r) => r.batch.fingerprint)),
      runs: duckdb.listValue(rows.map((r) => r.batch.runId)),
    },
    // typed: DuckDB infers a list's type from its first item, so a whole-number time
    // before a fractional one would make it an integer list and fail the save
    { ats: WRITE_TIMES_TYPE },
  );
}
