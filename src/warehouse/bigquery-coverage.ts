/**
 * Present and expected dates on BigQuery in a handful of queries, whatever the number of
 * tables: tables.get (free, cached per run) tells which tables are DAY-partitioned by their
 * date column; those are answered from partition metadata, one INFORMATION_SCHEMA query per
 * dataset, with each day's last-modified time; the rest by one UNION ALL query that reads
 * only their date columns within the window (as are partitioned tables whose metadata the
 * account may not read: accessDenied on INFORMATION_SCHEMA).
 */
import { pushTo } from '../core/lists-by-key.js';
import type { CalendarSpec } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import { parseDay } from '../intervals/day.js';
import { type BigQueryPort, type Cell, type TableInfo, mapConcurrent } from './bigquery-port.js';
import { BigQueryError } from './bigquery-retry.js';
import {
  type ScanProbe,
  type TableRef,
  datasetKey,
  partitionId,
  partitionsQuery,
  resolveTable,
  scanQuery,
} from './bigquery-sql.js';
import { daysOfRanges, normalizeRanges } from '../intervals/day-ranges.js';
import type { DayRange } from '../intervals/interval.js';
import {
  type DayWindow,
  type PresentRanges,
  type TableProbe,
  type TimedRange,
  WarehouseError,
  calendarKey,
  everyDay,
} from './warehouse.js';

/** tables.get calls in flight at once: metadata calls are free but rate-limited per project. */
const LOOKUP_CONCURRENCY = 16;
/** BigQuery refuses an INFORMATION_SCHEMA.PARTITIONS query over more tables ("too many tables"). */
const PARTITIONS_TABLES_PER_QUERY = 1000;
/** Keeps a scan's text and plan small; a pipeline rarely has more tables to scan. */
const SCANNED_TABLES_PER_QUERY = 100;

/** A probe with what tables.get said about its table. */
interface Located {
  readonly probe: TableProbe;
  readonly ref: TableRef;
  readonly info: Extract<TableInfo, { exists: true }>;
}

/**
 * Present dates of every table within the window, as ranges; a missing table or dataset is
 * `{exists: false}`. Tables for which `exact` says so are scanned even when partitioned:
 * partition metadata can lag a write by a few seconds, and a gate right after a build must
 * see what the build wrote.
 */
export async function readPresentRanges(
  port: BigQueryPort,
  probes: readonly TableProbe[],
  window: DayWindow,
  exact: (table: string) => boolean = () => false,
  now: () => number = Date.now,
): Promise<Map<string, PresentRanges>> {
  const result = new Map<string, PresentRanges>();
  const unique = [...new Map(probes.map((p) => [p.table, p])).values()];
  const infos = await mapConcurrent(unique, LOOKUP_CONCURRENCY, async (probe) => {
    const ref = resolveTable(probe.table, port.project);
    return { probe, ref, info: await port.table(ref) };
  });
  const partitioned = new Map<string, Located[]>();
  const scanned: Located[] = [];
  const expiring: { table: string; expiry: NonNullable<PresentRanges['partitionExpiry']> }[] = [];
  const at = now();
  for (const { probe, ref, info } of infos) {
    // A table past its expirationTime is deleted (BigQuery may still list it for a while): missing.
    if (!info.exists || (info.expirationTime !== undefined && info.expirationTime <= at)) {
      result.set(probe.table, { exists: false, ranges: [] });
      continue;
    }
    if (!info.columns.has(probe.dateColumn.toLowerCase())) {
      throw new WarehouseError(`table ${probe.table} has no column ${probe.dateColumn}`, { transient: false });
    }
    const byDate = info.dayPartitionColumn?.toLowerCase() === probe.dateColumn.toLowerCase();
    if (byDate && info.partitionExpirationMs !== undefined) {
      expiring.push({ table: probe.table, expiry: { firstKept: firstKeptDay(at, info.partitionExpirationMs), expirationMs: info.partitionExpirationMs } });
    }
    if (byDate && !exact(probe.table)) {
      const key = datasetKey(ref);
      pushTo(partitioned, key, { probe, ref, info });
    } else {
      scanned.push({ probe, ref, info });
    }
  }
  await Promise.all([
    ...[...partitioned.values()]
      .flatMap((group) => chunks(group, PARTITIONS_TABLES_PER_QUERY))
      // INFORMATION_SCHEMA needs its own permissions: without them, scan the date columns instead.
      .map((group) =>
        readPartitions(port, group, window, result).catch((error: unknown) => {
          if (!(error instanceof BigQueryError && error.reason === 'accessDenied')) throw error;
          return readByScan(port, group, window, result);
        }),
      ),
    ...chunks(scanned, SCANNED_TABLES_PER_QUERY).map((group) => readByScan(port, group, window, result)),
  ]);
  for (const { table, expiry } of expiring) {
    const read = result.get(table);
    if (read?.exists) result.set(table, { ...read, partitionExpiry: expiry });
  }
  return result;
}

/**
 * The first day whose partition a table with partition expiration `expirationMs` still keeps
 * at `now`: BigQuery deletes a day's partition `expirationMs` after the day ends (midnight UTC).
 */
export function firstKeptDay(now: number, expirationMs: number): Day {
  return Math.floor((now - expirationMs) / MS_PER_DAY) as Day;
}

const MS_PER_DAY = 86_400_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One INFORMATION_SCHEMA.PARTITIONS query for the tables of one dataset: runs of days
 * modified at one time, whose union is the present days.
 */
async function readPartitions(
  port: BigQueryPort,
  group: readonly Located[],
  window: DayWindow,
  result: Map<string, PresentRanges>,
): Promise<void> {
  const rows = await port.query({
    sql: partitionsQuery(group[0]!.ref),
    params: {
      tables: { type: 'ARRAY<STRING>', value: group.map((g) => g.ref.table) },
      first_id: { type: 'STRING', value: partitionId(window.first) },
      last_id: { type: 'STRING', value: partitionId(window.last) },
    },
    purpose: 'coverage',
  });
  const byTable = new Map<string, TimedRange[]>(group.map((g) => [g.ref.table.toLowerCase(), []]));
  for (const row of rows) {
    const range = rangeOfRow(row['first_day'], row['last_day']);
    const modified = byTable.get(String(row['table_name']).toLowerCase());
    if (range && modified) modified.push({ ...range, at: Number(row['modified_ms']) });
  }
  for (const { probe, ref } of group) {
    const modified = byTable.get(ref.table.toLowerCase())!.sort((a, b) => a.first - b.first);
    result.set(probe.table, { exists: true, ranges: normalizeRanges(modified.map(({ first, last }) => ({ first, last }))), modified });
  }
}

/** One UNION ALL query over the date columns of tables that partition metadata cannot answer. */
async function readByScan(
  port: BigQueryPort,
  located: readonly Located[],
  window: DayWindow,
  result: Map<string, PresentRanges>,
): Promise<void> {
  const probes: ScanProbe[] = located.map(({ probe, ref, info }) => ({
    ref,
    dateColumn: probe.dateColumn,
    columnType: info.columns.get(probe.dateColumn.toLowerCase()) ?? 'DATE',
  }));
  const rows = await port.query({ sql: scanQuery(probes), params: windowParams(window), purpose: 'coverage' });
  const ranges = located.map((): DayRange[] => []);
  for (const row of rows) {
    const range = rangeOfRow(row['first_day'], row['last_day']);
    if (range) ranges[Number(row['k'])]?.push(range);
  }
  located.forEach(({ probe }, index) => {
    result.set(probe.table, { exists: true, ranges: normalizeRanges(ranges[index]!) });
  });
}

/** A range of epoch days from two cells (INT64 comes back as text). */
function rangeOfRow(first: Cell | undefined, last: Cell | undefined): DayRange | undefined {
  const [a, b] = [Number(first), Number(last)];
  return first !== null && last !== null && Number.isInteger(a) && Number.isInteger(b) && a <= b ? { first: a as Day, last: b as Day } : undefined;
}

/** Expected days of each calendar within the window, keyed by `calendarKey`. */
export async function readExpectedDates(
  port: BigQueryPort,
  calendars: readonly CalendarSpec[],
  window: DayWindow,
): Promise<Map<string, Day[]>> {
  const result = new Map<string, Day[]>();
  const tables = new Map<string, TableProbe>();
  const queries = new Map<string, string>();
  for (const spec of calendars) {
    const key = calendarKey(spec);
    if (spec.kind === 'every-day') result.set(key, everyDay(window));
    else if (spec.kind === 'table') tables.set(key, { table: spec.table, dateColumn: spec.dateColumn });
    else queries.set(key, spec.sql);
  }
  // Table calendars are just tables whose present dates are the expected ones, so they
  // share the partition-metadata path (a calendar that does not exist yet expects nothing).
  const [present] = await Promise.all([
    readPresentRanges(port, [...tables.values()], window),
    mapConcurrent([...queries], 4, async ([key, sql]) => {
      result.set(key, await readCalendarQuery(port, sql, window));
    }),
  ]);
  for (const [key, probe] of tables) result.set(key, daysOfRanges(present.get(probe.table)?.ranges ?? []));
  return result;
}

/** A calendar query's first column, as distinct days within the window. */
async function readCalendarQuery(port: BigQueryPort, sql: string, window: DayWindow): Promise<Day[]> {
  const rows = await port.query({ sql, purpose: 'calendar' });
  const days = new Set<Day>();
  for (const row of rows) {
    const day = dayOfCell(Object.values(row)[0] ?? null);
    if (day !== undefined && day >= window.first && day <= window.last) days.add(day);
  }
  return [...days].sort((a, b) => a - b);
}

/** The `@first`/`@last` parameters of a window. */
export function windowParams(window: DayWindow): { first: { type: 'DATE'; value: Day }; last: { type: 'DATE'; value: Day } } {
  return { first: { type: 'DATE', value: window.first }, last: { type: 'DATE', value: window.last } };
}

/** The day of a DATE (`YYYY-MM-DD`) or TIMESTAMP (ISO text) cell. */
export function dayOfCell(cell: Cell): Day | undefined {
  return typeof cell === 'string' ? parseDay(cell.slice(0, 10)) : undefined;
}

