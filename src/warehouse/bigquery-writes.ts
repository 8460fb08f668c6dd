/**
 * dagrun's cross-machine memory on BigQuery: the `_dagrun.writes` table of write records.
 * It is append-only (one INSERT per call, so concurrent runs never conflict) and read as
 * the latest record per (target, day), grouped on the server.
 */
import type { Day } from '../intervals/day.js';
import { windowParams } from './bigquery-coverage.js';
import type { BigQueryPort, QueryParam, Row } from './bigquery-port.js';
import {
  STATE_DATASET,
  WRITES_TABLE,
  type TableRef,
  createWritesTable,
  insertWrites,
  quoteTable,
  readWriteGroupsQuery,
  readWritesQuery,
} from './bigquery-sql.js';
import { type DayWindow, type WriteBatch, type WriteGroup, type WriteRecord, UNFINISHED, WarehouseError } from './warehouse.js';

function writesRef(port: BigQueryPort): TableRef {
  return { project: port.project, dataset: STATE_DATASET, table: WRITES_TABLE };
}

/**
 * The latest write record of each (target, day) within the window, grouped per (target,
 * definition) by one query; none before the first write.
 */
export async function readWriteGroups(port: BigQueryPort, targets: readonly string[], window: DayWindow): Promise<WriteGroup[]> {
  const { ref, rows } = await queryWrites(port, targets, window, readWriteGroupsQuery);
  return rows.map((row) => {
    const target = String(row['target']);
    const days = parseDays(String(row['days'] ?? ''));
    const writtenAt = String(row['written_at'] ?? '').split(',').map(Number);
    if (writtenAt.length !== days.length || writtenAt.some((time) => Number.isNaN(time))) throw malformed(target, ref);
    const fingerprint = String(row['fingerprint']);
    // an empty fingerprint is the mark `beginWrites` leaves until the range's records land
    return fingerprint === UNFINISHED ? { target, fingerprint, days, writtenAt, unfinishedRun: 'an earlier run' } : { target, fingerprint, days, writtenAt };
  });
}

/** The same records one object per (target, day), with the run that wrote each: one query. */
export async function readWrites(port: BigQueryPort, targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
  const { ref, rows } = await queryWrites(port, targets, window, readWritesQuery);
  return rows.map((row) => {
    const target = String(row['target']);
    const day = Number(row['day']) as Day;
    const writtenAt = Number(row['written_at']);
    if (!Number.isInteger(day) || Number.isNaN(writtenAt)) throw malformed(target, ref);
    return { target, day, writtenAt, fingerprint: String(row['fingerprint']), runId: String(row['run_id']) };
  });
}

/** Runs one query over the write-record table with the targets and window bound; no rows before the first write. */
async function queryWrites(
  port: BigQueryPort,
  targets: readonly string[],
  window: DayWindow,
  query: (ref: TableRef) => string,
): Promise<{ ref: TableRef; rows: Row[] }> {
  const ref = writesRef(port);
  if (targets.length === 0) return { ref, rows: [] };
  // tables.get is free and cached, and spares a failing query on a fresh project.
  if (!(await port.table(ref)).exists) return { ref, rows: [] };
  const rows = await port.query({
    sql: query(ref),
    params: { targets: { type: 'ARRAY<STRING>', value: targets }, ...windowParams(window) },
    purpose: 'writes',
  });
  return { ref, rows };
}

function malformed(target: string, ref: TableRef): WarehouseError {
  return new WarehouseError(`the write records of ${target} in ${quoteTable(ref)} came back malformed`, { transient: false });
}

/** Character codes that `parseDays` reads. */
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;

/**
 * Epoch days from `"19724,19725,-3"`, read digit by digit: a big pipeline has millions of
 * them, and `split` would make a string of each first.
 */
export function parseDays(text: string): Day[] {
  const out: Day[] = [];
  if (text === '') return out;
  let value = 0;
  let sign = 1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : COMMA;
    if (code === COMMA) {
      out.push((sign * value) as Day);
      value = 0;
      sign = 1;
    } else if (code === MINUS) {
      sign = -1;
    } else if (code >= ZERO && code <= ZERO + 9) {
      value = value * 10 + (code - ZERO);
    } else {
      throw new WarehouseError(`write records: ${JSON.stringify(text.slice(0, 40))} is not a list of days`, { transient: false });
    }
  }
  return out;
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
    params[`at_${i}`] = { type: 'FLOAT64', value: batch.writtenAt ?? Date.now() };
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

/** Marks the batch's days unfinished (an empty fingerprint) until `recordWrites` appends their records. */
export function beginWrites(port: BigQueryPort, batch: WriteBatch): Promise<void> {
  return recordWrites(port, [{ ...batch, fingerprint: UNFINISHED }]);
}
