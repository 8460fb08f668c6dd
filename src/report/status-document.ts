/**
 * The validation document as data: the current state of the selected targets (coverage,
 * missing and outdated dates, checks, rows per date), where and when it was measured, and
 * what changed since the last report. `--status --report/--junit/--html` and the report of
 * a run with nothing to build render it (status-markdown.ts, status-junit.ts).
 */
import type { Freshness } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import type { Day } from '../intervals/day.js';
import { dayRanges } from '../intervals/describe.js';
import type { DayRange } from '../intervals/interval.js';
import type { RowCounts } from '../warehouse/row-counts.js';
import type { DayWindow } from '../warehouse/warehouse.js';
import type { StatusChanges } from './status-snapshot.js';

/** One target of the document. */
export interface DocumentTarget {
  readonly name: string;
  readonly table: string;
  readonly group: string | undefined;
  readonly source: boolean;
  readonly freshness: Freshness;
  /** Its expected days, when known (to name ranges over its calendar). */
  readonly expected: readonly Day[] | undefined;
  /** Rows per date, or why not counted; undefined when this document counts no rows at all. */
  readonly rows: RowCounts | undefined;
}

/** Everything the validation document shows. */
export interface StatusDocument {
  readonly window: DayWindow;
  /** When the state was measured (ISO). */
  readonly measuredAt: string;
  /** Where: "DuckDB .dagrun/warehouse.duckdb", "BigQuery project p (US)", or a build's live state. */
  readonly where: string;
  /** The pipeline file, relative to the working directory. */
  readonly pipeline: string;
  readonly commandLine: string | undefined;
  readonly targets: readonly DocumentTarget[];
  /** Why rows per date are not in the document at all (a run's report, a live state). */
  readonly rowsNote: string | undefined;
  /** Undefined when the document does not compare (a run's report). */
  readonly changes: StatusChanges | undefined;
}

/** Whether every target of the document is fresh: the document's verdict, and `--status`'s exit code. */
export function allFresh(doc: StatusDocument): boolean {
  return doc.targets.every((t) => t.freshness.state === 'fresh');
}

/** The document's targets from measured rows. */
export function documentTargets(
  graph: TargetGraph,
  rows: readonly Freshness[],
  expected: ReadonlyMap<string, readonly Day[]>,
  rowCounts: ReadonlyMap<string, RowCounts> | undefined,
): DocumentTarget[] {
  return rows.map((f) => {
    const target = graph.target(f.name);
    return { name: f.name, table: target.table, group: target.group, source: target.source, freshness: f, expected: expected.get(f.name), rows: rowCounts?.get(target.table) };
  });
}

/** The outdated days of a target as ranges over its calendar. */
export function outdatedRanges(t: Pick<DocumentTarget, 'freshness' | 'expected'>): DayRange[] {
  return dayRanges(t.freshness.outdated, t.expected);
}

/** A summary of rows per date: totals, spread, and the dates well below the usual count. */
export interface RowSummary {
  readonly dates: number;
  readonly total: number;
  readonly min: number;
  readonly minDay: Day;
  readonly median: number;
  readonly max: number;
  readonly maxDay: Day;
  /**
   * Dates with under a tenth of the median's rows: the likely half-loaded ones. A tenth, not
   * a half: the number of games (and so of rows) varies a lot from day to day on its own.
   */
  readonly low: readonly Day[];
}

/** Summarises counted rows; undefined when no date has rows. */
export function summariseRows(days: readonly Day[], counts: readonly number[]): RowSummary | undefined {
  if (days.length === 0) return undefined;
  let min = 0;
  let max = 0;
  counts.forEach((n, i) => {
    if (n < counts[min]!) min = i;
    if (n > counts[max]!) max = i;
  });
  const sorted = [...counts].sort((a, b) => a - b);
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const low = days.filter((_, i) => counts[i]! < median / 10);
  return { dates: days.length, total: counts.reduce((a, b) => a + b, 0), min: counts[min]!, minDay: days[min]!, median, max: counts[max]!, maxDay: days[max]!, low };
}
