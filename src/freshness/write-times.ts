/**
 * Write records in a compact form: per target, runs of consecutive days written at one time
 * under one definition, in typed arrays. Engines return the records as such runs
 * (`Warehouse.readWriteRanges`), so a target built in one go is one run however many dates,
 * and every question the assessment asks (when was this day written, which days did an
 * upstream rewrite later, which were built under another definition) is answered per run,
 * not per day.
 */
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import { UNFINISHED, type TimedRange, type WriteRange, type WriteRecord } from '../warehouse/warehouse.js';

/** "No write known": below every real time, so "written later than" needs no special case. */
export const NEVER = Number.NEGATIVE_INFINITY;

/**
 * A time per day: sorted, disjoint runs of days, run i covering `firsts[i]..lasts[i]` at
 * `times[i]` (epoch ms); NEVER on every other day. Read-only by convention.
 */
export interface DayTimes {
  readonly firsts: Int32Array;
  readonly lasts: Int32Array;
  readonly times: Float64Array;
}

/** No day known at all. */
export const NO_TIMES: DayTimes = { firsts: new Int32Array(0), lasts: new Int32Array(0), times: new Float64Array(0) };

/** Earliest and latest time of each DayTimes (see `timeRange`). */
const ranges = new WeakMap<DayTimes, { earliest: number; latest: number }>();

/** The index of the last run starting at or before `day`; -1 when none does. */
function runAtOrBefore(times: DayTimes, day: number): number {
  let low = 0;
  let high = times.firsts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times.firsts[mid]! <= day) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** The time of `day`; NEVER where no run holds it. */
export function timeAt(times: DayTimes, day: Day): number {
  const run = runAtOrBefore(times, day);
  return run >= 0 && day <= times.lasts[run]! ? times.times[run]! : NEVER;
}

/** Runs collected in order, merging a run into the previous one when it continues it with the same time and tag. */
class RunList {
  readonly firsts: number[] = [];
  readonly lasts: number[] = [];
  readonly times: number[] = [];
  readonly tags: number[] = [];

  push(first: number, last: number, time: number, tag = 0): void {
    const n = this.firsts.length - 1;
    if (n >= 0 && this.lasts[n] === first - 1 && this.times[n] === time && this.tags[n] === tag) this.lasts[n] = last;
    else {
      this.firsts.push(first);
      this.lasts.push(last);
      this.times.push(time);
      this.tags.push(tag);
    }
  }

  toTimes(): DayTimes {
    return { firsts: Int32Array.from(this.firsts), lasts: Int32Array.from(this.lasts), times: Float64Array.from(this.times) };
  }
}

/** The writes dagrun recorded for one target: runs of days with their write time and definition fingerprint. */
export class TargetWrites implements DayTimes {
  readonly firsts: Int32Array;
  readonly lasts: Int32Array;
  readonly times: Float64Array;
  /** Index into #definitions per run. */
  readonly #definitionOf: Int32Array;
  readonly #definitions: readonly string[];
  /** Runs that left days unfinished (sorted). */
  readonly unfinishedRuns: readonly string[];

  constructor(runs: RunList, definitions: readonly string[], unfinishedRuns: readonly string[]) {
    ({ firsts: this.firsts, lasts: this.lasts, times: this.times } = runs.toTimes());
    this.#definitionOf = Int32Array.from(runs.tags);
    this.#definitions = definitions;
    this.unfinishedRuns = unfinishedRuns;
  }

  /** The ranges of days whose definition index satisfies `keep`, with the fingerprint of each. */
  #rangesWhere(keep: (definition: number) => boolean): { range: DayRange; fingerprint: string }[] {
    const out: { range: DayRange; fingerprint: string }[] = [];
    for (let i = 0; i < this.firsts.length; i++) {
      const definition = this.#definitionOf[i]!;
      if (keep(definition)) out.push({ range: { first: this.firsts[i]! as Day, last: this.lasts[i]! as Day }, fingerprint: this.#definitions[definition]! });
    }
    return out;
  }

  /**
   * The days a command was handed, by a run that never recorded the end of it: they may
   * hold old or half-written rows. Sorted ranges.
   */
  unfinished(): DayRange[] {
    const mark = this.#definitions.indexOf(UNFINISHED);
    return mark < 0 ? [] : this.#rangesWhere((d) => d === mark).map((r) => r.range);
  }

  /**
   * The days last written under another definition than `current` (not unfinished marks),
   * as sorted ranges, each with the fingerprint it was written under.
   */
  writtenUnderOther(current: string): { range: DayRange; fingerprint: string }[] {
    const currentIndex = this.#definitions.indexOf(current);
    // every definition but the current one is old: nothing to compare when there is none
    if (this.#definitions.length === (currentIndex >= 0 ? 1 : 0)) return [];
    return this.#rangesWhere((d) => d !== currentIndex && this.#definitions[d] !== UNFINISHED);
  }
}

/** Collects the runs of one target, in day order. */
class TargetWritesBuilder {
  readonly #runs = new RunList();
  readonly #definitions: string[] = [];
  readonly #definitionIndex = new Map<string, number>();
  readonly #unfinishedRuns = new Set<string>();
  #earliest = Number.POSITIVE_INFINITY;
  #latest = NEVER;

  /** Adds a run after every run added so far (a first day at or before the last one added cuts that one short). */
  add(first: number, last: number, writtenAt: number, fingerprint: string, runId: string): void {
    const runs = this.#runs;
    const n = runs.firsts.length - 1;
    if (n >= 0 && first <= runs.lasts[n]!) {
      if (first <= runs.firsts[n]!) throw new Error(`Internal error: write runs out of order at day ${first}`);
      runs.lasts[n] = first - 1;
    }
    // (a mark without a run id is told as "an earlier run")
    if (fingerprint === UNFINISHED && runId !== '') this.#unfinishedRuns.add(runId);
    if (writtenAt < this.#earliest) this.#earliest = writtenAt;
    if (writtenAt > this.#latest) this.#latest = writtenAt;
    runs.push(first, last, writtenAt, this.#definition(fingerprint));
  }

  #definition(fingerprint: string): number {
    let definition = this.#definitionIndex.get(fingerprint);
    if (definition === undefined) {
      definition = this.#definitions.push(fingerprint) - 1;
      this.#definitionIndex.set(fingerprint, definition);
    }
    return definition;
  }

  finish(): TargetWrites {
    const writes = new TargetWrites(this.#runs, this.#definitions, [...this.#unfinishedRuns].sort());
    // a run cut short may leave a time that no day keeps: the range may be wider than what
    // remains, which only makes timeRange's shortcut apply less often, never wrongly
    ranges.set(writes, { earliest: this.#earliest, latest: this.#latest });
    return writes;
  }
}

/**
 * Indexes write ranges (`Warehouse.readWriteRanges`: disjoint per target) by target. Each
 * target's ranges are put in day order; engines return them so already.
 */
export function indexWriteRanges(writes: readonly WriteRange[]): Map<string, TargetWrites> {
  const byTarget = new Map<string, WriteRange[]>();
  for (const range of writes) {
    let list = byTarget.get(range.target);
    if (!list) byTarget.set(range.target, (list = []));
    list.push(range);
  }
  const out = new Map<string, TargetWrites>();
  for (const [target, list] of byTarget) {
    if (!list.every((r, i) => i === 0 || r.first > list[i - 1]!.first)) list.sort((a, b) => a.first - b.first);
    const builder = new TargetWritesBuilder();
    for (const r of list) builder.add(r.first, r.last, r.writtenAt, r.fingerprint, r.runId);
    out.set(target, builder.finish());
  }
  return out;
}

/** Indexes per-day records by target, the later record of a day winning, as a Map keyed by day would. */
export function indexWrites(records: readonly WriteRecord[]): Map<string, TargetWrites> {
  const byTarget = new Map<string, Map<Day, WriteRecord>>();
  for (const record of records) {
    let days = byTarget.get(record.target);
    if (!days) byTarget.set(record.target, (days = new Map()));
    days.set(record.day, record);
  }
  return new Map([...byTarget].map(([target, days]) => [target, compactWrites(days)]));
}

/**
 * One target's writes in the compact form. `measureState` builds that form already; a map
 * of records by day (a state put together by hand, as tests do) is converted.
 */
export function compactWrites(writes: TargetWrites | ReadonlyMap<Day, WriteRecord>): TargetWrites {
  if (writes instanceof TargetWrites) return writes;
  const builder = new TargetWritesBuilder();
  for (const day of [...writes.keys()].sort((a, b) => a - b)) {
    const record = writes.get(day)!;
    builder.add(day, day, record.writtenAt, record.fingerprint, record.runId);
  }
  return builder.finish();
}

/**
 * The earliest and latest known time (+Infinity and NEVER when none), computed once per
 * `times`: when an upstream's latest write is no later than a target's earliest, no day of
 * the target can be outdated by it, and its runs need not be compared.
 */
export function timeRange(times: DayTimes): { earliest: number; latest: number } {
  let range = ranges.get(times);
  if (!range) {
    range = { earliest: Number.POSITIVE_INFINITY, latest: NEVER };
    for (let i = 0; i < times.times.length; i++) {
      const time = times.times[i]!;
      if (time < range.earliest) range.earliest = time;
      if (time > range.latest) range.latest = time;
    }
    ranges.set(times, range);
  }
  return range;
}

/**
 * For every day d, the latest time of days d-lookback..d (NEVER when none): what day d of a
 * dependent reads through a lookback. Run i reaches the days `firsts[i]..lasts[i] + lookback`;
 * both ends ascend with i, so the runs reaching a day are a sliding window of indexes, and a
 * monotonic deque of them gives the latest at every boundary: O(runs) whatever the lookback.
 */
export function latestWithin(times: DayTimes, lookback: number): DayTimes {
  const { firsts, lasts, times: values } = times;
  if (lookback === 0 || firsts.length === 0) return times;
  const out = new RunList();
  const deque = new Int32Array(firsts.length);
  let [head, tail, entered, left] = [0, 0, 0, 0];
  // boundaries: a run's first day (it starts reaching) and the day after its reach (it stops)
  let day = firsts[0]!;
  while (left < firsts.length) {
    while (entered < firsts.length && firsts[entered]! <= day) {
      while (tail > head && values[deque[tail - 1]!]! <= values[entered]!) tail--;
      deque[tail++] = entered++;
    }
    while (left < entered && lasts[left]! + lookback < day) left++;
    while (tail > head && deque[head]! < left) head++;
    const nextStart = entered < firsts.length ? firsts[entered]! : Number.POSITIVE_INFINITY;
    const nextEnd = left < entered ? lasts[left]! + lookback + 1 : Number.POSITIVE_INFINITY;
    const next = Math.min(nextStart, nextEnd);
    if (tail > head) out.push(day, next - 1, values[deque[head]!]!);
    if (next === Number.POSITIVE_INFINITY) break;
    day = next;
  }
  return out.toTimes();
}

/**
 * The days whose own write time is known and older than `latest`'s time for the same day,
 * as sorted ranges: for each day of a target, whether what it reads (the upstream's latest
 * write over its lookback, from `latestWithin`) came after it. A walk of both run lists.
 */
export function rangesWrittenBefore(own: DayTimes, latest: DayTimes): DayRange[] {
  const out: DayRange[] = [];
  for (let i = 0, j = 0; i < own.firsts.length && j < latest.firsts.length; ) {
    const first = Math.max(own.firsts[i]!, latest.firsts[j]!);
    const last = Math.min(own.lasts[i]!, latest.lasts[j]!);
    if (first <= last && latest.times[j]! > own.times[i]!) {
      const previous = out[out.length - 1];
      if (previous && previous.last === first - 1) out[out.length - 1] = { first: previous.first, last: last as Day };
      else out.push({ first: first as Day, last: last as Day });
    }
    if (own.lasts[i]! < latest.lasts[j]!) i++;
    else j++;
  }
  return out;
}

/**
 * `recorded` where known, else `fallback` (e.g. the engine's partition modification times
 * for days dagrun did not write: sorted, disjoint runs).
 */
export function withFallback(recorded: DayTimes, fallback: readonly TimedRange[]): DayTimes {
  if (fallback.length === 0) return recorded;
  const out = new RunList();
  let r = 0;
  const takeRecorded = (before: number) => {
    for (; r < recorded.firsts.length && recorded.firsts[r]! < before; r++) out.push(recorded.firsts[r]!, recorded.lasts[r]!, recorded.times[r]!);
  };
  for (const { first, last, at } of fallback) {
    // the fallback run's days that no recorded run holds, between the recorded runs around it
    let from: number = first;
    for (let k = Math.max(0, runAtOrBefore(recorded, first)); k < recorded.firsts.length && recorded.firsts[k]! <= last && from <= last; k++) {
      if (recorded.lasts[k]! < from) continue;
      if (recorded.firsts[k]! > from) {
        takeRecorded(from);
        out.push(from, recorded.firsts[k]! - 1, at);
      }
      from = recorded.lasts[k]! + 1;
    }
    if (from <= last) {
      takeRecorded(from);
      out.push(from, last, at);
    }
  }
  takeRecorded(Number.POSITIVE_INFINITY);
  return out.toTimes();
}
