/**
 * Batches from a day set given as ranges (range-sets.ts): the same batches as the definition by
 * day lists (test/helpers/day-lists.ts `batchDays`, which a property test holds this to), found a batch
 * at a time instead of a day at a time. A batch lists its days only when asked (a command is
 * handed them, a warehouse records them): a plan of a million target-dates holds its batches'
 * bounds, not their days.
 */
import type { Day } from './day.js';
import { firstAtOrAfter, type Batch, type DayRange, type RangeMode } from './interval.js';

/** A batch over part of a day set: its days are the set's days between its bounds. */
class SetBatch implements Batch {
  readonly first: Day;
  readonly last: Day;
  /** The set (shared by every batch of a step) and the index of its range holding `first`. */
  readonly #set: readonly DayRange[];
  readonly #from: number;

  constructor(first: Day, last: Day, set: readonly DayRange[], from: number) {
    this.first = first;
    this.last = last;
    this.#set = set;
    this.#from = from;
  }

  get days(): readonly Day[] {
    const out: Day[] = [];
    for (let r = this.#from; r < this.#set.length && this.#set[r]!.first <= this.last; r++) {
      const last = Math.min(this.#set[r]!.last, this.last);
      for (let d = Math.max(this.#set[r]!.first, this.first); d <= last; d++) out.push(d as Day);
    }
    return out;
  }
}

/**
 * Turns a day set (ranges in normal form, every day of it in `calendar`) into the batches its
 * build receives, per SPEC `build.ranges`: `per-date` one a day; `single` runs cut only by
 * `maxDays`; `contiguous` runs that also break where the calendar has a day left out of the set
 * (the days between two games do not break a range, a game not rebuilt does).
 */
export function batchRanges(set: readonly DayRange[], calendar: readonly Day[], mode: RangeMode, maxDays: number | undefined): Batch[] {
  const batches: Batch[] = [];
  if (mode === 'per-date') {
    for (let r = 0; r < set.length; r++) for (let d = set[r]!.first; d <= set[r]!.last; d++) batches.push(new SetBatch(d as Day, d as Day, set, r));
    return batches;
  }
  let runFirst: Day | undefined;
  let runLast = 0 as Day;
  let runFrom = 0;
  /** Where the calendar passes the run's last day (runs only move forward). */
  let pastRun = 0;
  const close = () => {
    if (runFirst !== undefined) batches.push(new SetBatch(runFirst, runLast, set, runFrom));
    runFirst = undefined;
  };
  for (let r = 0; r < set.length; r++) {
    const range = set[r]!;
    if (runFirst !== undefined && mode === 'contiguous') {
      // a calendar day between the run and this range is not rebuilt: the run ends
      pastRun = firstAtOrAfter(calendar, runLast + 1, pastRun);
      if (pastRun < calendar.length && calendar[pastRun]! < range.first) close();
    }
    for (let day = range.first; day <= range.last; ) {
      if (runFirst === undefined) {
        runFirst = day;
        runFrom = r;
      }
      // the last day a run from runFirst may reach (SPEC: a batch spans at most maxDays days)
      const reach = maxDays === undefined ? Infinity : runFirst + maxDays - 1;
      if (day > reach) {
        close();
        continue;
      }
      runLast = Math.min(range.last, reach) as Day;
      day = (runLast + 1) as Day;
    }
  }
  close();
  return batches;
}
