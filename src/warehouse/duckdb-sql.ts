/**
 * DuckDB helpers for the warehouse adapter: quoting, value conversion, running scripts with
 * named parameters, and retrying the transaction conflicts of DuckDB's optimistic concurrency.
 */
import type { DuckDBConnection, DuckDBListValue, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';
import { messageOf } from '../core/errors.js';
import type { Day } from '../intervals/day.js';
import { parseDay } from '../intervals/day.js';
import { rewriteNamedParameters, tableParts } from './sql-text.js';
import type { DayWindow, TableProbe } from './warehouse.js';

/** Day 0 of `Day` numbers: `date - EPOCH` is a Day. */
export const EPOCH = "DATE '1970-01-01'";

/** Quotes a validated `schema.table` for DuckDB. */
export function quoteTable(table: string): string {
  const { dataset, name } = tableParts(table);
  return `"${dataset}"."${name}"`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Converts what DuckDB returns for a date-like value to a Day. */
export function toDay(value: DuckDBValue): Day | undefined {
  if (value instanceof duckdb.DuckDBDateValue) return value.days as Day;
  if (value instanceof duckdb.DuckDBTimestampValue) return Number(value.micros / 86_400_000_000n) as Day;
  if (typeof value === 'number') return value as Day;
  if (typeof value === 'bigint') return Number(value) as Day;
  if (typeof value === 'string') return parseDay(value.slice(0, 10));
  return undefined;
}

export function toNumber(value: DuckDBValue): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = Number(String(value));
  return Number.isFinite(n) ? n : null;
}

export const dayList = (days: readonly Day[]): DuckDBListValue => duckdb.listValue(days.map((d) => duckdb.dateValue(d)));

/** Why the file could not be opened, in words a user can act on. */
export function describeOpenFailure(message: string): string {
  const held = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (held) return `it is in use by another process (PID ${held[2]}, ${held[1]}); DuckDB lets one process open a file at a time, so wait for it to end or stop it`;
  if (message.includes('not a valid DuckDB database file')) return 'the file is not a DuckDB database (corrupt, or another kind of file); move it away and the next run starts a new warehouse';
  // a file cut short (a full disk, a copy that stopped): DuckDB reads past its end
  if (/Could not read enough bytes from file|database file .* is (corrupt|truncated)|Corrupt database file|checksum/i.test(message)) {
    return `the file is damaged (truncated or corrupt: ${firstLine(message).replace(/^IO Error: /, '')}); move it away and the next run starts a new warehouse and rebuilds every target`;
  }
  return firstLine(message);
}

/** DuckDB's optimistic concurrency: two transactions touched the same catalog entry or rows. */
export function isConflict(error: unknown): boolean {
  return /conflict/i.test(messageOf(error));
}

const CONFLICT_ATTEMPTS = 6;

/**
 * Retries `work` when DuckDB reports a transaction conflict, which only means another of
 * dagrun's own connections committed first; each attempt runs the whole transaction again.
 */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** Runs every statement of a script, binding the named parameters each statement uses. */
export async function runScript(connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>): Promise<void> {
  const rewritten = rewriteNamedParameters(sql, '$').sql;
  const statements = await connection.extractStatements(rewritten);
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    bindUsed(prepared, params);
    await prepared.run();
  }
}

/** Runs a single-result query (a check), returning its rows. */
export async function runStatement(connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>): Promise<DuckDBValue[][]> {
  const rewritten = rewriteNamedParameters(sql, '$').sql;
  const statements = await connection.extractStatements(rewritten);
  if (statements.count !== 1) throw new Error(`expected one statement, found ${statements.count}`);
  const prepared = await statements.prepare(0);
  bindUsed(prepared, params);
  return (await prepared.runAndReadAll()).getRows();
}

function bindUsed(
  prepared: { parameterCount: number; parameterName(i: number): string; bind(values: Record<string, DuckDBValue>): void },
  params: Record<string, DuckDBValue>,
): void {
  const used: Record<string, DuckDBValue> = {};
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    if (!(name in params)) throw new Error(`unknown parameter @${name} (known: ${Object.keys(params).map((n) => '@' + n).join(', ')})`);
    used[name] = params[name]!;
  }
  if (prepared.parameterCount > 0) prepared.bind(used);
}

/**
 * One statement whose only row holds the value of every check query, as scalar subqueries
 * (`SELECT (q0) AS c0, (q1) AS c1 …`). Each query is on lines of its own, so that a trailing
 * `-- comment` stays inside its parentheses; a final semicolon (and comments after it) is
 * dropped. Anything else that does not fit makes the statement fail, and the caller falls back.
 */
export function checksInOneRow(queries: readonly string[]): string {
  const columns = queries.map((sql, i) => `(\n${sql.replace(/;\s*(--[^\n]*\s*)*$/, '').trim()}\n) AS c${i}`);
  return `SELECT ${columns.join(',\n')}`;
}

/**
 * Present days of a batch of tables, rows `(k, present)` with `k` the table's index and
 * `present` a BIT with a bit per day of the window (`duckdb-bits.ts` reads it as ranges), NULL
 * when the table holds none. `bitstring_agg` is a plain aggregate: no hash table of distinct
 * days and no sort, ~0.35 ms of CPU a table where DISTINCT and gaps-and-islands took 0.7–1.0
 * (bench/lib/duckdb-status-probe.mjs, 10,000 tables of 3,650 days). Its bounds must be
 * constants: the window's day numbers, written into the statement.
 */
export function presentRangesQuery(batch: readonly TableProbe[], window: DayWindow): string {
  if (!Number.isSafeInteger(window.first) || !Number.isSafeInteger(window.last)) throw new Error(`internal: a window of whole days, got ${window.first}..${window.last}`);
  return batch
    .map((probe, k) => {
      const date = `CAST(${quoteIdent(probe.dateColumn)} AS DATE)`;
      return `SELECT ${k} AS k, bitstring_agg(CAST(${date} - ${EPOCH} AS INTEGER), ${window.first}, ${window.last}) AS present FROM ${quoteTable(probe.table)} WHERE ${date} BETWEEN $first AND $last`;
    })
    .join('\nUNION ALL\n');
}
