/**
 * `dagrun check --connect`: what the warehouse says of the pipeline, as data: its own
 * description of the connection, the calendar's dates in the window, and each table's dates.
 * Tables are read together; only when that fails is each read alone, so that one unreadable
 * table is named instead of failing the rest.
 */
import type { Target } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import { countDays } from '../intervals/day-ranges.js';
import { readConsistently } from '../warehouse/read-cache.js';
import { calendarKey, WarehouseError, type PresentRanges, type Warehouse } from '../warehouse/warehouse.js';
import type { Session } from './session.js';

/** What one table holds in the window. */
export type TableProbe =
  | { readonly state: 'exists'; readonly dates: number }
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly error: string };

/** What `check --connect` found. */
export interface ConnectionReport {
  readonly engine: string;
  /** The warehouse's own lines about the connection (DuckDB file, BigQuery project and location). */
  readonly description: readonly string[];
  /** The pipeline calendar's dates in the window. */
  readonly expected: readonly Day[];
  readonly tables: readonly { readonly target: Target; readonly probe: TableProbe }[];
}

async function probeAll(warehouse: Warehouse, targets: readonly Target[], window: Session['window']): Promise<TableProbe[]> {
  const probeOf = (found: PresentRanges | undefined): TableProbe => (found?.exists ? { state: 'exists', dates: countDays(found.ranges) } : { state: 'missing' });
  try {
    const found = await warehouse.presentRanges(targets.map((t) => ({ table: t.table, dateColumn: t.dateColumn })), window);
    return targets.map((t) => probeOf(found.get(t.table)));
  } catch (error) {
    if (!(error instanceof WarehouseError)) throw error;
  }
  return Promise.all(targets.map(async (t): Promise<TableProbe> => {
    try {
      return probeOf((await warehouse.presentRanges([{ table: t.table, dateColumn: t.dateColumn }], window)).get(t.table));
    } catch (error) {
      if (!(error instanceof WarehouseError)) throw error;
      return { state: 'unreadable', error: error.message };
    }
  }));
}

/** Reads what `check --connect` shows, with the warehouse open. */
export async function inspectConnection(session: Session, warehouse: Warehouse): Promise<ConnectionReport> {
  return readConsistently(warehouse, () => readConnection(session, warehouse));
}

async function readConnection(session: Session, warehouse: Warehouse): Promise<ConnectionReport> {
  const { config, window } = session;
  const targets: Target[] = [...config.targets.values()];
  const calendars = [...new Map(targets.map((t) => [calendarKey(t.calendar), t.calendar])).values()];
  const description = warehouse.describeConnection ? await warehouse.describeConnection(calendars, targets.map((t) => ({ table: t.table, dateColumn: t.dateColumn }))) : [];
  const expected = (await warehouse.expectedDates(calendars, window)).get(calendarKey(config.calendar)) ?? [];
  const probes = await probeAll(warehouse, targets, window);
  return { engine: warehouse.engine, description, expected, tables: targets.map((target, i) => ({ target, probe: probes[i]! })) };
}
