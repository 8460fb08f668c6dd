/**
 * dagrun's cross-machine memory on BigQuery: the `_dagrun.writes` table of write records.
 * It is append-only (one INSERT per call, so concurrent runs never conflict) and read as
 * the latest record per (target, day).
 */
import type { Day } from '../intervals/day.js';
import { dayOfCell, windowParams } from './bigquery-coverage.js';
import type { BigQueryPort, QueryParam } from './bigquery-port.js';
import {
  STATE_DATASET,
  WRITES_TABLE,
  type TableRef,
  createWritesTable,
  insertWrites,
  readWritesQuery,
} from './bigquery-sql.js';
import type { DayWindow, WriteBatch, WriteRecord } from './warehouse.js';

function writesRef(port: BigQueryPort): TableRef {
  return { project: port.project, dataset: STATE_DATASET, table: WRITES_TABLE };
}

/** The latest write record of each (target, day) within the window; none before the first write. */
export async function readWrites(port: BigQueryPort, targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
  if (targets.length === 0) return [];
  const ref = writesRef(port);
  // tables.get is free and cached, and spares a failing query on a fresh project.
  if (!(await port.table(ref)).exists) return [];
  const rows = await port.query({
    sql: readWritesQuery(ref),
    params: { targets: { type: 'ARRAY<STRING>', value: targets }, ...windowParams(window) },
    purpose: 'writes',
  });
  return rows.flatMap((row) => {
    const day = dayOfCell(row['day'] ?? null);
    if (day === undefined) return [];
    return [{
      target: String(row['target']),
      day,
      writtenAt: Number(row['written_at']),
      fingerprint: String(row['fingerprint']),
      runId: String(row['run_id']),
    }];
  });
}

/** Appends the write records of several batches in one statement (all or nothing). */
export async function recordWrites(port: BigQueryPort, batches: readonly WriteBatch[]): Promise<void> {
  const nonEmpty = batches.filter((b) => b.days.length > 0);
  if (nonEmpty.length === 0) return;
  const ref = writesRef(port);
  await port.ensureDataset(ref);
  const params: Record<string, QueryParam> = {};
  nonEmpty.forEach((batch, i) => {
    params[`target_${i}`] = { type: 'STRING', value: batch.target };
    params[`days_${i}`] = { type: 'ARRAY<DATE>', value: [...new Set<Day>(batch.days)] };
    params[`at_${i}`] = { type: 'FLOAT64', value: batch.writtenAt };
    params[`fingerprint_${i}`] = { type: 'STRING', value: batch.fingerprint };
    params[`run_${i}`] = { type: 'STRING', value: batch.runId };
  });
  // The CREATE runs in the same script, so the first write of a project costs no extra job.
  await port.query({
    sql: `${createWritesTable(ref)};\n${insertWrites(ref, nonEmpty.length)};`,
    params,
    purpose: 'writes',
    target: nonEmpty.length === 1 ? nonEmpty[0]!.target : undefined,
  });
}
