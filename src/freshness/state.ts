/** The measured state of the warehouse, as plain data: what the pure assessment and the planner read. */
import type { Day } from '../intervals/day.js';
import type { CheckOutcome, DayWindow, PresentDates, WriteRecord } from '../warehouse/warehouse.js';
import type { TargetWrites } from './write-times.js';

/**
 * The latest write of each day of one target: the compact form `measureState` builds, or
 * a map of records by day (small states put together by hand, as in tests).
 */
export type DayWrites = TargetWrites | ReadonlyMap<Day, WriteRecord>;

/** Everything measured for one status or build decision. */
export interface MeasuredState {
  readonly window: DayWindow;
  /** Expected days per target (its calendar within the window). */
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  /** Targets whose calendar table is built by a target and does not exist yet: the reason. */
  readonly calendarPending: ReadonlyMap<string, string>;
  /** Present days per target. */
  readonly present: ReadonlyMap<string, PresentDates>;
  /** Write records per target. */
  readonly writes: ReadonlyMap<string, DayWrites>;
  /** Check outcomes, keyed `target/check`. */
  readonly checks: ReadonlyMap<string, CheckOutcome>;
  /** The current definition fingerprint of each target. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

/** The key of a check outcome. */
export function checkKey(target: string, check: string): string {
  return `${target}/${check}`;
}
