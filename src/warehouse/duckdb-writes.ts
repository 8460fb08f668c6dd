/**
 * dagrun's memory in the DuckDB file: the `_dagrun.write_ranges` table, one row per run of
 * consecutive days of a target that one write left alike (time, definition fingerprint, run),
 * so a target built in one go costs one row whatever the number of dates. Rows are only
 * appended while a process writes, numbered by a sequence, and the latest row holding a day
 * wins: parallel ranges of one target never touch the same row, so their transactions never
 * conflict (rewriting a shared row in place made every such pair conflict, and each retry
 * ran its build again). Readers lay the rows over each other (`overlayRanges`); a process's
 * first write folds rows that later ones hide (`prepareWriteRanges`), so the table stays
 * about one row per written range. `_dagrun.writes` is a view of it one row per (target,
 * day), the table's layout before ranges: queries written against it (audits, scripts, an
 * older dagrun's reads) keep working. A file whose `_dagrun.writes` is still that per-date
 * table is read as it is, and turned into ranges by the first write. Statements here run on
 * a connection the caller holds, inside the caller's transaction when it has one, so a
 * range's records commit with its rows.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBMaterializedResult, DuckDBValue } from '@duckdb/node-api';
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import { overlayRanges } from '../intervals/day-ranges.js';
import { pushTo } from '../core/lists-by-key.js';
import { duckdb } from './duckdb-module.js';
import { EPOCH } from './duckdb-sql.js';
import type { WriteBatch, WriteRange } from './warehouse.js';

/** The per-date view of `_dagrun.write_ranges`; before ranges, the table itself. */
export const WRITES_TABLE = '_dagrun.writes';

const CREATE_RANGES_TABLE = `CREATE SEQUENCE IF NOT EXISTS _dagrun.write_seq;
CREATE TABLE IF NOT EXISTS _dagrun.write_ranges (
  target VARCHAR NOT NULL, first_day DATE NOT NULL, last_day DATE NOT NULL, written_at DOUBLE NOT NULL,
  fingerprint VARCHAR NOT NULL, run_id VARCHAR NOT NULL, seq BIGINT NOT NULL DEFAULT nextval('_dagrun.write_seq'))`;

/**
 * One row per (target, day): the latest row holding the day. (`arg_max`, not a window with
 * QUALIFY: DuckDB 1.5's top-N window optimiser fails on a filter over that view.)
 */
const CREATE_WRITES_VIEW = `CREATE VIEW IF NOT EXISTS _dagrun.writes AS
  SELECT target, day, arg_max(written_at, seq) AS written_at, arg_max(fingerprint, seq) AS fingerprint, arg_max(run_id, seq) AS run_id FROM (
    SELECT target, CAST(first_day + CAST(unnest(range(0, last_day - first_day + 1)) AS INTEGER) AS DATE) AS day, written_at, fingerprint, run_id, seq
    FROM _dagrun.write_ranges)
  GROUP BY target, day`;

/** The per-date table of a file written before ranges (kept to make such files in tests and benchmarks). */
export const CREATE_LEGACY_WRITES_TABLE = `CREATE TABLE IF NOT EXISTS _dagrun.writes (
  target VARCHAR NOT NULL, day DATE NOT NULL, written_at DOUBLE NOT NULL,
  fingerprint VARCHAR NOT NULL, run_id VARCHAR NOT NULL, PRIMARY KEY (target, day))`;

/**
 * Runs of consecutive days with one (target, time, definition, run) among per-date rows
 * (`days`: a query with those columns and `day`), as ranges: gaps-and-islands, each day
 * minus its rank among the days of its kind is constant along a run.
 */
function islandsOf(days: string): string {
  return `SELECT target, min(day) AS first_day, max(day) AS last_day, written_at, fingerprint, run_id FROM (
    SELECT target, day, written_at, fingerprint, run_id,
      CAST(day - ${EPOCH} AS INTEGER) - row_number() OVER (PARTITION BY target, written_at, fingerprint, run_id ORDER BY day) AS island
    FROM (${days}))
  GROUP BY target, written_at, fingerprint, run_id, island`;
}

/** Which layout a file's write records have: none yet, per date (before ranges), or ranges. */
export type WritesLayout = 'none' | 'per-date' | 'ranges';

/** The layout of the file's write records. */
export async function writesLayout(connection: DuckDBConnection): Promise<WritesLayout> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '_dagrun' AND table_name IN ('writes', 'write_ranges')`,
  );
  const types = new Map(reader.getRows().map((row) => [String(row[0]), String(row[1])]));
  if (types.has('write_ranges')) return 'ranges';
  return types.get('writes') === 'BASE TABLE' ? 'per-date' : 'none';
}

/**
 * Creates the ranges table and its per-date view, turning a per-date table (a file written
 * before ranges) into ranges in the same transaction: the latest record of each day is kept
 * as it was, time, definition and run. With `fold`, rows that later ones hide are folded away
 * too (a process does it at its first write, before any of its write transactions can run).
 */
export async function prepareWriteRanges(connection: DuckDBConnection, { fold = true }: { fold?: boolean } = {}): Promise<void> {
  const layout = await writesLayout(connection);
  if (layout === 'ranges' && !fold) return;
  await connection.run('BEGIN TRANSACTION');
  try {
    if (layout !== 'ranges') {
      await connection.run(CREATE_RANGES_TABLE);
      if (layout === 'per-date') {
        await connection.run(`INSERT INTO _dagrun.write_ranges (target, first_day, last_day, written_at, fingerprint, run_id)
          SELECT target, first_day, last_day, written_at, fingerprint, run_id FROM (${islandsOf('SELECT * FROM _dagrun.writes')})`);
        await connection.run('DROP TABLE _dagrun.writes');
      }
      await connection.run(CREATE_WRITES_VIEW);
    } else await foldHiddenRows(connection);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The rows that share a day with another row of their target, in the order they were written:
 * in order of first day, a row that starts on or before the last day of a row before it, or
 * that ends on or after the first day of the next. A sort per target, ~0.6 µs a row: the
 * self-join of each target's rows it replaced cost ~20 µs a row (7 s at the first write of a
 * file of 100 targets of 3,650 per-date rows). Only these rows are read, not every row of
 * their targets.
 */
const OVERLAPPING_ROWS = `SELECT row_number() OVER (PARTITION BY target ORDER BY seq) = 1, CAST(first_day - ${EPOCH} AS INTEGER), CAST(last_day - ${EPOCH} AS INTEGER), seq FROM (
    SELECT target, first_day, last_day, seq,
      max(last_day) OVER (PARTITION BY target ORDER BY first_day, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before,
      lead(first_day) OVER (PARTITION BY target ORDER BY first_day, seq) AS next_first
    FROM _dagrun.write_ranges)
  WHERE first_day <= reach_before OR last_day >= next_first
  ORDER BY target, seq`;

/** A row the fold looks at: its days and `seq`, and its place among the rows read. */
interface FoldRow extends DayRange {
  readonly seq: bigint;
  readonly index: number;
}

/** The rows of `OVERLAPPING_ROWS`, each target's in a list of its own, in the order they were written. */
function overlappingRowsByTarget(result: DuckDBMaterializedResult): FoldRow[][] {
  const targets: FoldRow[][] = [];
  let index = 0;
  for (const chunk of chunksOf(result)) {
    const starts = columnOf(chunk, 0, duckdb.DuckDBBooleanVector);
    const firsts = columnOf(chunk, 1, duckdb.DuckDBIntegerVector);
    const lasts = columnOf(chunk, 2, duckdb.DuckDBIntegerVector);
    const seqs = columnOf(chunk, 3, duckdb.DuckDBBigIntVector);
    for (let i = 0; i < chunk.rowCount; i++) {
      if (starts.getItem(i) || targets.length === 0) targets.push([]);
      targets[targets.length - 1]!.push({ first: firsts.getItem(i) as Day, last: lasts.getItem(i) as Day, seq: seqs.getItem(i)!, index: index++ });
    }
  }
  return targets;
}

/**
 * Folds away what later rows hide, in the caller's transaction: a row wholly hidden is deleted,
 * a row partly hidden is replaced by its visible parts, and a row wholly visible is left as it
 * is (a nightly rebuild of 3 per-date rows of a 3,650-row target touches 3 rows, not 3,650).
 * What is left of a target's rows is disjoint, so their order (`seq`) no longer matters. Only
 * rows that share a day with another are read, and only their days: the others are wholly
 * visible, whether a row is hidden depends only on the rows it shares days with, and a visible
 * part takes the rest of its columns from its row in SQL.
 */
async function foldHiddenRows(connection: DuckDBConnection): Promise<void> {
  const changed: bigint[] = [];
  const parts: FoldRow[] = [];
  for (const rows of overlappingRowsByTarget(await connection.run(OVERLAPPING_ROWS))) {
    const piecesOf = new Map<number, FoldRow[]>();
    for (const piece of overlayRanges(rows)) pushTo(piecesOf, piece.index, piece);
    for (const row of rows) {
      const pieces = piecesOf.get(row.index) ?? [];
      if (pieces.length === 1 && pieces[0]!.first === row.first && pieces[0]!.last === row.last) continue;
      changed.push(row.seq);
      parts.push(...pieces);
    }
  }
  if (changed.length === 0) return;
  if (parts.length > 0) {
    await connection.run(
      `INSERT INTO _dagrun.write_ranges (target, first_day, last_day, written_at, fingerprint, run_id)
       SELECT w.target, ${EPOCH} + p.first, ${EPOCH} + p.last, w.written_at, w.fingerprint, w.run_id
       FROM _dagrun.write_ranges w JOIN (SELECT unnest($seqs) AS seq, unnest($firsts) AS first, unnest($lasts) AS last) p ON w.seq = p.seq`,
      { seqs: duckdb.listValue(parts.map((p) => p.seq)), firsts: duckdb.listValue(parts.map((p) => p.first)), lasts: duckdb.listValue(parts.map((p) => p.last)) },
      { seqs: duckdb.LIST(duckdb.BIGINT), firsts: duckdb.LIST(duckdb.INTEGER), lasts: duckdb.LIST(duckdb.INTEGER) },
    );
  }
  // a semi-join: list_contains would search the list once per row (365,000 rows deleted: 22 s)
  await connection.run('DELETE FROM _dagrun.write_ranges WHERE seq IN (SELECT unnest($seqs))', { seqs: duckdb.listValue(changed) }, { seqs: duckdb.LIST(duckdb.BIGINT) });
}

/**
 * The query of `readWriteRanges` for a layout: rows clipped to the window in the order they
 * were written (`latestPerTarget` lays them over each other), or a per-date table's rows made
 * ranges. `$targets`, `$first` and `$last` are bound by the caller. A string comes only where
 * it differs from the row before of its target (NULL after it), for `decodeWriteRanges`: a
 * target built per date has a row per date, and decoding each row's three strings cost 3–4 µs a
 * row (0.4 s for 100,000 rows).
 */
export function readRangesQuery(layout: Exclude<WritesLayout, 'none'>): string {
  const ranges =
    layout === 'ranges'
      ? `SELECT target, greatest(first_day, $first) AS first_day, least(last_day, $last) AS last_day, written_at, fingerprint, run_id, seq
         FROM _dagrun.write_ranges WHERE list_contains($targets, target) AND first_day <= $last AND last_day >= $first`
      : `SELECT *, 0 AS seq FROM (${islandsOf(`SELECT * FROM _dagrun.writes WHERE list_contains($targets, target) AND day BETWEEN $first AND $last`)})`;
  // The window's order must be the result's, or a string would be carried onto the wrong row:
  // (seq, first_day) is unique within a target in files dagrun writes; the rest of the columns
  // order a damaged file's ties too (rows alike in every column may come in either order).
  const order = 'seq, first_day, last_day, written_at, fingerprint, run_id';
  return `SELECT CASE WHEN row_number() OVER w = 1 THEN target END, CAST(first_day - ${EPOCH} AS INTEGER), CAST(last_day - ${EPOCH} AS INTEGER), written_at,
      CASE WHEN fingerprint IS DISTINCT FROM lag(fingerprint) OVER w THEN fingerprint END,
      CASE WHEN run_id IS DISTINCT FROM lag(run_id) OVER w THEN run_id END
    FROM (${ranges}) WINDOW w AS (PARTITION BY target ORDER BY ${order}) ORDER BY target, ${order}`;
}

/** The chunks of a result, in order. */
function* chunksOf(result: DuckDBMaterializedResult): Generator<DuckDBDataChunk> {
  for (let c = 0; c < result.chunkCount; c++) yield result.getChunk(c);
}

/** A column of a result as the vector class its type must give, or an internal error. */
function columnOf<V>(chunk: DuckDBDataChunk, index: number, kind: abstract new (...args: never[]) => V): V {
  const vector = chunk.getColumnVector(index);
  if (!(vector instanceof kind)) throw new Error(`internal: column ${index} of the write records came back as ${vector.type.toString()}`);
  return vector;
}

/** The rows of `readRangesQuery`, column by column (no value object per cell), each string carried down from the row that has it. */
export function decodeWriteRanges(result: DuckDBMaterializedResult): WriteRange[] {
  const out: WriteRange[] = [];
  let target = '';
  let fingerprint = '';
  let runId = '';
  for (const chunk of chunksOf(result)) {
    const targets = columnOf(chunk, 0, duckdb.DuckDBVarCharVector);
    const firsts = columnOf(chunk, 1, duckdb.DuckDBIntegerVector);
    const lasts = columnOf(chunk, 2, duckdb.DuckDBIntegerVector);
    const times = columnOf(chunk, 3, duckdb.DuckDBDoubleVector);
    const fingerprints = columnOf(chunk, 4, duckdb.DuckDBVarCharVector);
    const runs = columnOf(chunk, 5, duckdb.DuckDBVarCharVector);
    for (let i = 0; i < chunk.rowCount; i++) {
      target = targets.getItem(i) ?? target;
      fingerprint = fingerprints.getItem(i) ?? fingerprint;
      runId = runs.getItem(i) ?? runId;
      out.push({ target, first: firsts.getItem(i) as Day, last: lasts.getItem(i) as Day, writtenAt: times.getItem(i)!, fingerprint, runId });
    }
  }
  return out;
}

/** Rows of one or more targets in the order they were written, each target's later rows hiding what they cover of earlier ones. */
export function latestPerTarget<T extends WriteRange>(rows: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i + 1;
    while (j < rows.length && rows[j]!.target === rows[i]!.target) j++;
    for (const piece of overlayRanges(rows.slice(i, j))) out.push(piece); // not push(...): 100,000 pieces overflow the stack
    i = j;
  }
  return out;
}

/**
 * The warehouse clock: now, but always later than every record the file holds. Commits to
 * one file are serialised, so "later than the latest record" orders every write, whatever
 * the clocks of the machines that wrote them (a file carried between CI runners, a clock
 * an hour behind).
 */
const STAMP = `greatest(epoch_us(now()) / 1000.0, coalesce((SELECT max(written_at) FROM _dagrun.write_ranges), 0) + 0.001)`;

/** A range to store: `at` undefined for the warehouse clock. */
interface NewRange {
  readonly target: string;
  readonly first: number;
  readonly last: number;
  readonly at: number | undefined;
  readonly fingerprint: string;
  readonly runId: string;
}

/**
 * The batches as ranges, the last batch naming a (target, day) winning, as it would row by
 * row: runs of consecutive days of a target that the same batch names last.
 */
function latestRanges(batches: readonly WriteBatch[]): NewRange[] {
  const byTarget = new Map<string, Map<number, number>>();
  batches.forEach((batch, index) => {
    let days = byTarget.get(batch.target);
    if (!days) byTarget.set(batch.target, (days = new Map()));
    for (const day of batch.days) days.set(day, index);
  });
  const out: NewRange[] = [];
  for (const [target, days] of byTarget) {
    const sorted = [...days.keys()].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      const index = days.get(sorted[i]!)!;
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[j - 1]! + 1 && days.get(sorted[j]!) === index) j++;
      const batch = batches[index]!;
      out.push({ target, first: sorted[i]!, last: sorted[j - 1]!, at: batch.writtenAt, fingerprint: batch.fingerprint, runId: batch.runId });
      i = j;
    }
  }
  return out;
}

/** List parameters of ranges, one list per column. */
function rangeParams(ranges: readonly NewRange[]): Record<string, DuckDBValue> {
  return {
    targets: duckdb.listValue(ranges.map((r) => r.target)),
    firsts: duckdb.listValue(ranges.map((r) => duckdb.dateValue(r.first))),
    lasts: duckdb.listValue(ranges.map((r) => duckdb.dateValue(r.last))),
    ats: duckdb.listValue(ranges.map((r) => r.at ?? null)),
    fingerprints: duckdb.listValue(ranges.map((r) => r.fingerprint)),
    runs: duckdb.listValue(ranges.map((r) => r.runId)),
  };
}

/** The type of the bound list of write times (epoch ms, fractional; NULL: stamp with the warehouse clock). */
const WRITE_TIMES_TYPE = duckdb.LIST(duckdb.DOUBLE);

const NEW_RANGES = `SELECT unnest($targets) AS target, unnest($firsts) AS first_day, unnest($lasts) AS last_day,
  unnest($ats) AS given_at, unnest($fingerprints) AS fingerprint, unnest($runs) AS run_id`;

/**
 * Records the batches in one statement (a 1000-range target may record 1000 batches): their
 * ranges are appended, stamped with the warehouse clock when they carry no time, and hide
 * the days they cover of every row before them. Runs in the caller's transaction, if any.
 */
export async function insertWriteRecords(connection: DuckDBConnection, batches: readonly WriteBatch[]): Promise<void> {
  const ranges = latestRanges(batches);
  if (ranges.length === 0) return;
  await connection.run(
    `INSERT INTO _dagrun.write_ranges (target, first_day, last_day, written_at, fingerprint, run_id)
     SELECT target, first_day, last_day, coalesce(given_at, (SELECT ${STAMP})), fingerprint, run_id FROM (${NEW_RANGES})`,
    rangeParams(ranges),
    // typed: DuckDB infers a list's type from its first item, so a whole-number time
    // before a fractional one would make it an integer list and fail the save
    { ats: WRITE_TIMES_TYPE },
  );
}
