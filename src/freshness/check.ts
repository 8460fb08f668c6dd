/**
 * Measuring: asks the warehouse, in a few batched calls, for everything the assessment
 * needs about a set of targets — calendars, present days, write records and checks.
 */
import { pushTo } from '../core/lists-by-key.js';
import type { Target } from '../config/types.js';
import type { TargetGraph } from '../graph/build.js';
import type { Day } from '../intervals/day.js';
import { clipRanges } from '../intervals/day-ranges.js';
import { calendarKey, type CheckProbe, type DayWindow, type PresentRanges, type Warehouse } from '../warehouse/warehouse.js';
import { checkKey, type MeasuredState } from './state.js';
import { indexWriteRanges, type TargetWrites } from './write-times.js';

/** What to measure. */
export interface MeasureRequest {
  readonly graph: TargetGraph;
  /** The targets to assess; their direct upstream is measured too (for outdated days). */
  readonly names: readonly string[];
  readonly window: DayWindow;
  readonly fingerprints: ReadonlyMap<string, string>;
  /** Skip the checks (e.g. when only coverage is needed). */
  readonly skipChecks?: boolean;
}

/** Measures the warehouse for `names` and their direct upstream. */
export async function measureState(warehouse: Warehouse, request: MeasureRequest): Promise<MeasuredState> {
  const { graph, window } = request;
  const names = new Set(request.names);
  for (const name of request.names) for (const up of graph.upstream(name)) names.add(up);
  const targets = [...names].map((n) => graph.target(n));

  const calendars = new Map(targets.map((t) => [calendarKey(t.calendar), t.calendar]));
  // date d reads its upstream's d-lookback..d: write times before the window count too
  const readWindow = { first: (window.first - lookbackReach(graph, request.names)) as Day, last: window.last };
  // a calendar query that reads a target's table cannot run before that table exists
  const waiting = await calendarsWaitingForTables(warehouse, graph, targets, readWindow);
  for (const key of waiting.calendars) calendars.delete(key);
  const [expectedByCalendar, unread, writes] = await Promise.all([
    warehouse.expectedDates([...calendars.values()], window),
    warehouse.presentRanges(targets.filter((t) => !waiting.read.has(t.table)).map((t) => ({ table: t.table, dateColumn: t.dateColumn })), readWindow),
    readWriteIndex(warehouse, [...names], readWindow),
  ]);
  // the calendars' tables were read already: not twice
  const presentByTable = new Map([...waiting.read, ...unread]);

  const present = new Map<string, PresentRanges>();
  const expected = new Map<string, readonly Day[]>();
  const calendarPending = new Map<string, string>();
  for (const target of targets) {
    const read = presentByTable.get(target.table) ?? { exists: false, ranges: [] };
    present.set(target.name, trimToWindow(read, window));
    expected.set(target.name, keptDays(expectedByCalendar.get(calendarKey(target.calendar)) ?? [], read));
  }
  for (const target of targets) {
    const provider = graph.upstreamEdges(target.name).find((e) => e.providesCalendar && !present.get(e.upstream)?.exists);
    if (provider && !present.get(provider.upstream)?.exists) {
      calendarPending.set(target.name, `calendar table ${graph.target(provider.upstream).table} not built yet (target ${provider.upstream} builds it)`);
    }
  }

  const probes: CheckProbe[] = request.skipChecks
    ? []
    : request.names.flatMap((name) =>
        present.get(name)?.exists ? graph.target(name).checks.map((c) => ({ key: checkKey(name, c.name), sql: c.sql, ...(c.perDate && { perDate: true }) })) : [],
      );
  const checks = probes.length > 0 ? await warehouse.checkValues(probes, window) : new Map();

  return { window, expected, calendarPending, present, writes, checks, fingerprints: request.fingerprints };
}

/**
 * The keys of SQL calendars that read a target's table that does not exist yet (their targets
 * then wait for it: `calendarPending`), and the present dates of those tables, read to know.
 * One present-dates query, only when such calendars exist.
 */
async function calendarsWaitingForTables(
  warehouse: Warehouse,
  graph: TargetGraph,
  targets: readonly Target[],
  window: DayWindow,
): Promise<{ calendars: Set<string>; read: Map<string, PresentRanges> }> {
  const providersOf = new Map<string, Target[]>();
  for (const target of targets) {
    if (target.calendar.kind !== 'sql') continue;
    for (const edge of graph.upstreamEdges(target.name)) {
      if (!edge.providesCalendar) continue;
      const key = calendarKey(target.calendar);
      pushTo(providersOf, key, graph.target(edge.upstream));
    }
  }
  if (providersOf.size === 0) return { calendars: new Set(), read: new Map() };
  const tables = [...new Map([...providersOf.values()].flat().map((t) => [t.table, { table: t.table, dateColumn: t.dateColumn }])).values()];
  const present = await warehouse.presentRanges(tables, window);
  const calendars = new Set([...providersOf].filter(([, providers]) => providers.some((p) => !present.get(p.table)?.exists)).map(([key]) => key));
  return { calendars, read: present };
}

/** The write records of `targets` as ranges, indexed per target: no object is made per day. */
async function readWriteIndex(warehouse: Warehouse, targets: string[], window: DayWindow): Promise<Map<string, TargetWrites>> {
  return indexWriteRanges(await warehouse.readWriteRanges(targets, window));
}

/** How many days before the window the lookback edges into `names` read (0 when none). */
export function lookbackReach(graph: TargetGraph, names: readonly string[]): number {
  let reach = 0;
  for (const name of names) for (const e of graph.upstreamEdges(name)) if (e.kind === 'data') reach = Math.max(reach, e.lookback);
  return reach;
}

/**
 * Expected days a table can hold: with partition expiration, days whose partitions the engine
 * has deleted are not expected (rebuilt, they would expire again, and again).
 */
function keptDays(expected: readonly Day[], read: PresentRanges): readonly Day[] {
  const firstKept = read.partitionExpiry?.firstKept;
  if (firstKept === undefined || expected.length === 0 || expected[0]! >= firstKept) return expected;
  return expected.filter((d) => d >= firstKept);
}

/**
 * Keeps present days to the window (coverage is about the window), but the modification
 * times of earlier days too: a lookback reads them.
 */
function trimToWindow(read: PresentRanges, window: DayWindow): PresentRanges {
  const ranges = clipRanges(read.ranges, window);
  return ranges === read.ranges ? read : { ...read, ranges };
}
