/**
 * `dagrun check --connect` on BigQuery: proves that the project answers queries, and says
 * what it found of the datasets, tables and calendars the pipeline names. Everything
 * here is free: one `SELECT 1`, metadata lookups and dry runs.
 */
import { pushTo } from '../core/lists-by-key.js';
import type { CalendarSpec } from '../config/types.js';
import { type BigQueryPort, mapConcurrent } from './bigquery-port.js';
import { datasetKey, resolveTable } from './bigquery-sql.js';
import { writesRef } from './bigquery-writes.js';
import { type TableProbe, WarehouseError } from './warehouse.js';
import { messageOf } from '../core/errors.js';

/** One line per finding: the project, each dataset with its tables, each calendar, the state table. */
export async function describeConnection(
  port: BigQueryPort,
  calendars: readonly CalendarSpec[],
  tables: readonly TableProbe[],
): Promise<string[]> {
  try {
    await port.query({ sql: 'SELECT 1 AS ok', purpose: 'connect' });
  } catch (error) {
    throw new WarehouseError(`cannot run a query in BigQuery project ${port.project}: ${messageOf(error)}`, {
      transient: error instanceof WarehouseError && error.transient,
    });
  }
  const where = port.location ? ` (location ${port.location})` : '';
  const lines = [`project ${port.project}: reachable, queries run${where}`];
  lines.push(...(await describeTables(port, tables)));
  for (const calendar of calendars) lines.push(await describeCalendar(port, calendar));
  const ref = writesRef(port);
  const writes = await port.table(ref);
  const name = ref.project === port.project ? `${ref.dataset}.${ref.table}` : `${ref.project}.${ref.dataset}.${ref.table}`;
  lines.push(writes.exists ? `${name}: found, ${writes.numRows ?? 0} write records` : `${name}: not found yet (created by the first build)`);
  return lines;
}

/** A line per dataset, then a line per table that needs attention (a missing date column). */
async function describeTables(port: BigQueryPort, tables: readonly TableProbe[]): Promise<string[]> {
  const located = await mapConcurrent(tables, 16, async (probe) => {
    const ref = resolveTable(probe.table, port.project);
    return { probe, ref, info: await port.table(ref) };
  });
  const datasets = new Map<string, typeof located>();
  for (const entry of located) {
    const key = datasetKey(entry.ref);
    pushTo(datasets, key, entry);
  }
  const lines: string[] = [];
  for (const [key, entries] of datasets) {
    const dataset = await port.dataset(entries[0]!.ref);
    if (!dataset.exists) {
      lines.push(`dataset ${key}: not found yet (created by the first build)`);
      continue;
    }
    const found = entries.filter((e) => e.info.exists);
    const partitioned = found.filter(
      (e) => e.info.exists && e.info.dayPartitionColumn?.toLowerCase() === e.probe.dateColumn.toLowerCase(),
    );
    const where = dataset.location ? ` in ${dataset.location}` : '';
    // Queries run in one location and cannot read a dataset in another.
    const elsewhere = port.location && dataset.location && dataset.location.toLowerCase() !== port.location.toLowerCase()
      ? `; not in warehouse.location ${port.location}: dagrun's queries cannot read it`
      : '';
    lines.push(
      `dataset ${key}${where}: ${found.length} of ${entries.length} tables exist, ` +
        `${partitioned.length} read from partition metadata, ${found.length - partitioned.length} by scanning the date column${elsewhere}`,
    );
    for (const { probe, info } of found) {
      if (info.exists && !info.columns.has(probe.dateColumn.toLowerCase())) {
        lines.push(`table ${probe.table}: has no column ${probe.dateColumn}`);
      }
    }
  }
  return lines;
}

/** What a calendar resolves to, checked without reading its data. */
async function describeCalendar(port: BigQueryPort, calendar: CalendarSpec): Promise<string> {
  switch (calendar.kind) {
    case 'every-day':
      return 'calendar every day: needs no query';
    case 'table': {
      const info = await port.table(resolveTable(calendar.table, port.project));
      if (!info.exists) return `calendar ${calendar.table}: not found yet (it expects no dates until it exists)`;
      if (!info.columns.has(calendar.dateColumn.toLowerCase())) {
        return `calendar ${calendar.table}: has no column ${calendar.dateColumn}`;
      }
      return `calendar ${calendar.table}.${calendar.dateColumn}: found, ${info.numRows ?? 0} rows`;
    }
    case 'sql':
      try {
        const bytes = await port.dryRun({ sql: calendar.sql, purpose: 'calendar' });
        return `calendar query: valid, would process ${bytes} bytes`;
      } catch (error) {
        return `calendar query: invalid: ${messageOf(error)}`;
      }
  }
}
