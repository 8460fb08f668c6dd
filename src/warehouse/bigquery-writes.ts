/**
 * dagrun's cross-machine memory on BigQuery: the table of write records (`_dagrun.writes`
 * by default, `warehouse.stateDataset` / `stateProject` otherwise). Each record names the
 * pipeline, the target and, when known, its fully qualified table; a pipeline reads only
 * its own. It is append-only (INSERTs, which never conflict, even inside concurrent
 * transactions), partitioned by day and clustered by target, and read as the latest record
 * per (target, day), made ranges on the server.
 */
import type { Day } from '../intervals/day.js';
import { windowParams } from './bigquery-coverage.js';
import type { BigQueryPort, QueryParam, Row } from './bigquery-port.js';
import {
  WRITES_TABLE,
  type TableRef,
  createWritesTable,
  insertWrites,
  quoteTable,
  readWriteRangesQuery,
  readWritesQuery,
} from './bigquery-sql.js';
import { type DayWindow, type WriteBatch, type WriteRange, type WriteRecord, UNFINISHED, WarehouseError } from './warehouse.js';

/** The write-record table of a port. */
export function writesRef(port: BigQueryPort): TableRef {
  return { project: port.state.project, dataset: port.state.dataset, table: WRITES_TABLE };
}

/**
 * The latest write record of each (target, day) within the window, as ranges made on the
 * server by one query; none before the first write.
 */
export async function readWriteRanges(port: BigQueryPort, targets: readonly string[], window: DayWindow): Promise<WriteRange[]> {
  const { ref, rows } = await queryWrites(port, targets, window, readWriteRangesQuery);
  return rows.map((row) => {
    const target = String(row['target']);
    const [first, last, writtenAt] = [Number(row['first_day']) as Day, Number(row['last_day']) as Day, Number(row['written_at'])];
    if (!Number.isInteger(first) || !Number.isInteger(last) || Number.isNaN(writtenAt)) throw malformed(target, ref);
    return { target, first, last, writtenAt, fingerprint: String(row['fingerprint']), runId: String(row['run_id']) };
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

/** Runs one query over the write-record table with the pipeline, targets and window bound; no rows before the first write. */
async function queryWrites(
  port: BigQueryPort,
  targets: readonly string[],
  window: DayWindow,
  query: (ref: TableRef) => string,
): Promise<{ ref: TableRef; rows: Row[] }> {
  const ref = writesRef(port);
  if (targets.length === 0) return { ref, rows: [] };
  // tables.get is free and cached, and spares a failing query on a fresh project.
  const info = await port.table(ref);
  if (!info.exists) return { ref, rows: [] };
  checkLayout(ref, info.columns);
  const rows = await port.query({
    sql: query(ref),
    params: { pipeline: { type: 'STRING', value: port.state.pipeline }, targets: { type: 'ARRAY<STRING>', value: targets }, ...windowParams(window) },
    purpose: 'writes',
  });
  return { ref, rows };
}

/** A write-record table of an older dagrun (no pipeline column) cannot be read or appended to: say so. */
function checkLayout(ref: TableRef, columns: ReadonlyMap<string, string>): void {
  if (!columns.has('pipeline')) {
    throw new WarehouseError(
      `${quoteTable(ref)} has the layout of an older dagrun (no pipeline column): rename it (its records are then forgotten, and the next build rebuilds what it cannot see) or set warehouse.stateDataset to another dataset`,
      { transient: false },
    );
  }
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

/** Write-record tables known to exist, per port: created once per run, not once per range. */
const ensured = new WeakMap<BigQueryPort, Promise<void>>();

/** Creates the state dataset and the write-record table unless they exist (once per port). */
export function ensureWritesTable(port: BigQueryPort): Promise<void> {
  let done = ensured.get(port);
  if (!done) {
    const ref = writesRef(port);
    done = (async () => {
      const info = await port.table(ref);
      if (info.exists) return checkLayout(ref, info.columns);
      await port.ensureDataset(ref);
      await port.query({ sql: createWritesTable(ref), purpose: 'writes' });
      port.forgetTable(ref);
    })();
    ensured.set(port, done);
    done.catch(() => ensured.delete(port));
  }
  return done;
}

/** A write batch, with its table when the caller knows it. */
export interface TabledBatch {
  readonly batch: WriteBatch;
  readonly table?: string | undefined;
}

/**
 * The INSERT of some batches' records and its parameters (named `<prefix>_…`), to run
 * alone or inside a build's transaction.
 */
export function recordsStatement(port: BigQueryPort, batches: readonly TabledBatch[], prefix = 'dagrun_w'): { sql: string; params: Record<string, QueryParam> } {
  const params: Record<string, QueryParam> = { [`${prefix}_pipeline`]: { type: 'STRING', value: port.state.pipeline } };
  batches.forEach(({ batch, table }, i) => {
    params[`${prefix}_target_${i}`] = { type: 'STRING', value: batch.target };
    params[`${prefix}_days_${i}`] = { type: 'ARRAY<DATE>', value: [...new Set<Day>(batch.days)] };
    if (batch.writtenAt !== undefined) params[`${prefix}_at_${i}`] = { type: 'FLOAT64', value: batch.writtenAt };
    if (table !== undefined) params[`${prefix}_table_${i}`] = { type: 'STRING', value: table };
    params[`${prefix}_fingerprint_${i}`] = { type: 'STRING', value: batch.fingerprint };
    params[`${prefix}_run_${i}`] = { type: 'STRING', value: batch.runId };
  });
  const rows = batches.map(({ batch, table }) => ({ table, at: batch.writtenAt }));
  return { sql: insertWrites(writesRef(port), rows, prefix), params };
}

/** Appends the write records of several batches in one statement (all or nothing). */
export async function recordWrites(port: BigQueryPort, batches: readonly WriteBatch[], tables: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const nonEmpty = batches.filter((b) => b.days.length > 0);
  if (nonEmpty.length === 0) return;
  await ensureWritesTable(port);
  const { sql, params } = recordsStatement(port, nonEmpty.map((batch) => ({ batch, table: tables.get(batch.target) })));
  await port.query({ sql, params, purpose: 'writes', target: nonEmpty.length === 1 ? nonEmpty[0]!.target : undefined });
}

/** Marks the batch's days unfinished (an empty fingerprint) until `recordWrites` appends their records. */
export function beginWrites(port: BigQueryPort, batch: WriteBatch, tables?: ReadonlyMap<string, string>): Promise<void> {
  return recordWrites(port, [{ ...batch, fingerprint: UNFINISHED }], tables);
}
