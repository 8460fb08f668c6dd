/**
 * Write ranges (`Warehouse.readWriteRanges`) regrouped per (target, definition), the shape
 * engines returned before ranges (`readWriteGroups`): days and times as parallel lists, an
 * unfinished mark per run. Tests written against that shape keep asserting the same records.
 */
import type { Day } from '../../src/intervals/day.js';
import { UNFINISHED, type WriteRange } from '../../src/warehouse/warehouse.js';

/** The records of one target under one definition (one run, for unfinished marks). */
export interface WriteGroup {
  readonly target: string;
  readonly fingerprint: string;
  readonly days: Day[];
  /** Epoch milliseconds per day, parallel to `days`. */
  readonly writtenAt: number[];
  /** For an unfinished mark: the run that left it. */
  readonly unfinishedRun?: string;
}

/** Groups ranges per (target, definition), days in order; unfinished marks per run. */
export function writeGroupsOf(ranges: readonly WriteRange[]): WriteGroup[] {
  const groups = new Map<string, WriteGroup>();
  for (const range of [...ranges].sort((a, b) => a.first - b.first)) {
    const unfinished = range.fingerprint === UNFINISHED;
    const key = [range.target, range.fingerprint, unfinished ? range.runId : ''].join('\0');
    let group = groups.get(key);
    if (!group) {
      group = { target: range.target, fingerprint: range.fingerprint, days: [], writtenAt: [], ...(unfinished && { unfinishedRun: range.runId }) };
      groups.set(key, group);
    }
    for (let day = range.first; day <= range.last; day++) {
      group.days.push(day as Day);
      group.writtenAt.push(range.writtenAt);
    }
  }
  return [...groups.values()];
}
