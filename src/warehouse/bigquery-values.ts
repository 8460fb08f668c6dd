/**
 * Conversions between the client's shapes and the port's: result cells, table metadata,
 * parameter types, and the few facts about errors and endpoints that the client port needs.
 */
import type { Cell, QueryParam, Row, TableInfo } from './bigquery-port.js';
import { BigQueryError } from './bigquery-retry.js';

/** True for an http(s) URL on a loopback host: an emulator or a test fake, which needs no credentials. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** True when BigQuery said the table or dataset does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof BigQueryError && (error.reason === 'notFound' || error.reason === 'http-404');
}

/** The explicit type of a parameter (needed for empty arrays, and to keep 11.0 a FLOAT64). */
export function paramType(param: QueryParam): string | string[] {
  const match = /^ARRAY<(\w+)>$/.exec(param.type);
  return match ? [match[1]!] : param.type;
}

/** What tables.get returned, as the port's `TableInfo`. */
export function toTableInfo(metadata: {
  timePartitioning?: { type?: string | null; field?: string | null; expirationMs?: string | number | null } | null;
  expirationTime?: string | number | null;
  schema?: { fields?: { name?: string | null; type?: string | null }[] | null } | null;
  numRows?: string | number | null;
  lastModifiedTime?: string | number | null;
}): TableInfo {
  const partitioning = metadata.timePartitioning;
  const columns = new Map<string, string>();
  for (const field of metadata.schema?.fields ?? []) {
    if (field.name) columns.set(field.name.toLowerCase(), (field.type ?? 'STRING').toUpperCase());
  }
  return {
    exists: true,
    dayPartitionColumn: partitioning && (partitioning.type ?? 'DAY') === 'DAY' ? (partitioning.field ?? undefined) : undefined,
    columns,
    numRows: metadata.numRows === undefined || metadata.numRows === null ? undefined : Number(metadata.numRows),
    lastModifiedMs: metadata.lastModifiedTime ? Number(metadata.lastModifiedTime) : undefined,
    partitionExpirationMs: positive(partitioning?.expirationMs),
    expirationTime: positive(metadata.expirationTime),
  };
}

/** A positive number from a REST int64 field; undefined when absent, zero or not a number. */
function positive(value: string | number | null | undefined): number | undefined {
  const n = value === undefined || value === null ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A client row with DATE/TIMESTAMP objects and wrapped integers turned into plain cells. */
export function toRow(row: Record<string, unknown>): Row {
  const out: Record<string, Cell> = {};
  for (const [key, value] of Object.entries(row)) out[key] = toCell(value);
  return out;
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  const wrapped = value as { type?: unknown; value?: unknown };
  if (wrapped.type === 'BigQueryInt') return Number(wrapped.value);
  if (typeof wrapped.value === 'string') return wrapped.value; // BigQueryDate, Timestamp, Datetime, Time
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return typeof (value as { toString?: unknown }).toString === 'function' ? String(value) : JSON.stringify(value);
}

/** A check's value: numbers and numeric text as numbers, booleans as 1/0, anything else NULL. */
export function toNumber(cell: Cell): number | null {
  if (cell === null) return null;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}
