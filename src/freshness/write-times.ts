/**
 * Write records in a compact form: per target, when each day was last written and under
 * which definition, in typed arrays indexed by day. A big pipeline has millions of
 * target-dates; as one object per record in Maps they cost ~150 MB and most of a status
 * run, as arrays 12 bytes a day and a few milliseconds.
 */
import type { Day } from '../intervals/day.js';
import { UNFINISHED, type WriteGroup, type WriteRecord } from '../warehouse/warehouse.js';

/** "No write known": below every real time, so "written later than" needs no special case. */
export const NEVER = Number.NEGATIVE_INFINITY;

/** A time per day over a span of days: `times[i]` belongs to day `first + i`. */
export interface DayTimes {
  readonly first: Day;
  /** Epoch ms, NEVER where nothing is known. Read-only by convention. */
  readonly times: Float64Array;
}

/** No day known at all. */
export const NO_TIMES: DayTimes = { first: 0 as Day, times: new Float64Array(0) };

/** Earliest and latest time of each DayTimes (see `timeRange`). */
const ranges = new WeakMap<DayTimes, { earliest: number; latest: number }>();

/** The time of `day` in `times`; NEVER outside their span. */
export function timeAt(times: DayTimes, day: Day): number {
  const index = day - times.first;
  return index >= 0 && index < times.times.length ? times.times[index]! : NEVER;
}

/** The writes dagrun recorded for one target: write time and definition fingerprint per day. */
export class TargetWrites implements DayTimes {
  readonly first: Day;
  readonly times: Float64Array;
  /** Index into #definitions per day; -1 where nothing was recorded. */
  readonly #definitionOf: Int32Array;
  readonly #definitions: string[];
  /** Runs that left days unfinished (sorted). */
  readonly unfinishedRuns: readonly string[];

  constructor(first: Day, times: Float64Array, definitionOf: Int32Array, definitions: string[], unfinishedRuns: readonly string[] = []) {
    this.first = first;
    this.times = times;
    this.#definitionOf = definitionOf;
    this.#definitions = definitions;
    this.unfinishedRuns = unfinishedRuns;
  }

  /**
   * Which of `days` a command was handed, by a run that never recorded the end of it: they
   * may hold old or half-written rows.
   */
  unfinished(days: readonly Day[]): Day[] {
    const mark = this.#definitions.indexOf(UNFINISHED);
    if (mark < 0) return [];
    return days.filter((day) => {
      const index = day - this.first;
      return index >= 0 && index < this.#definitionOf.length && this.#definitionOf[index] === mark;
    });
  }

  /**
   * Which of `days` were last written under another definition than `current`, and the
   * distinct fingerprints they were written under (sorted). Days without a record are not.
   */
  writtenUnderOther(days: readonly Day[], current: string): { days: Day[]; before: string[] } {
    const currentIndex = this.#definitions.indexOf(current);
    // every definition but the current one is old: nothing to compare when there is none
    if (this.#definitions.length === (currentIndex >= 0 ? 1 : 0)) return { days: [], before: [] };
    const seen = new Set<number>();
    const changed: Day[] = [];
    for (let k = 0; k < days.length; k++) {
      const day = days[k]!;
      const index = day - this.first;
      if (index < 0 || index >= this.#definitionOf.length) continue;
      const definition = this.#definitionOf[index]!;
      if (definition < 0 || definition === currentIndex || this.#definitions[definition] === UNFINISHED) continue;
      seen.add(definition);
      changed.push(day);
    }
    return { days: changed, before: [...seen].map((i) => this.#definitions[i]!).sort() };
  }
}

/** Collects the records of one target into its arrays. */
class TargetWritesBuilder {
  readonly #first: number;
  readonly #times: Float64Array;
  readonly #definitionOf: Int32Array;
  readonly #definitions: string[] = [];
  readonly #definitionIndex = new Map<string, number>();
  readonly #unfinishedRuns = new Set<string>();
  #earliest = Number.POSITIVE_INFINITY;
  #latest = NEVER;

  constructor(first: number, last: number) {
    this.#first = first;
    this.#times = new Float64Array(last - first + 1).fill(NEVER);
    this.#definitionOf = new Int32Array(last - first + 1).fill(-1);
  }

  /** Later records of the same day replace earlier ones, as a Map keyed by day would. */
  add(record: WriteRecord): void {
    const index = record.day - this.#first;
    this.#times[index] = this.#seen(record.writtenAt);
    this.#definitionOf[index] = this.#definition(record.fingerprint);
    if (record.fingerprint === UNFINISHED) this.#unfinishedRuns.add(record.runId);
  }

  /** Adds every day of a group (parallel lists of days and times). */
  addGroup(group: WriteGroup): void {
    const definition = this.#definition(group.fingerprint);
    if (group.fingerprint === UNFINISHED && group.unfinishedRun) this.#unfinishedRuns.add(group.unfinishedRun);
    const { days, writtenAt } = group;
    for (let i = 0; i < days.length; i++) {
      this.#times[days[i]! - this.#first] = this.#seen(writtenAt[i]!);
      this.#definitionOf[days[i]! - this.#first] = definition;
    }
  }

  /** Notes the range of times while filling, so that `timeRange` need not read the arrays back. */
  #seen(time: number): number {
    if (time < this.#earliest) this.#earliest = time;
    if (time > this.#latest) this.#latest = time;
    return time;
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
    const writes = new TargetWrites(this.#first as Day, this.#times, this.#definitionOf, this.#definitions, [...this.#unfinishedRuns].sort());
    // a day written twice keeps only its later record: the range may be wider than what
    // remains, which only makes timeRange's shortcut apply less often, never wrongly
    ranges.set(writes, { earliest: this.#earliest, latest: this.#latest });
    return writes;
  }
}

/**
 * Indexes write records by target, each over exactly the days its records span. Two passes
 * (bounds, then fill), each remembering the previous record's target, since engines return
 * a target's records together.
 */
export function indexWrites(records: readonly WriteRecord[]): Map<string, TargetWrites> {
  const bounds = new Map<string, { first: number; last: number }>();
  let name: string | undefined;
  let span: { first: number; last: number } | undefined;
  // (indexed loops: a million records, and for-of makes an object per step until optimised)
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.target !== name) {
      name = record.target;
      span = bounds.get(name);
      if (!span) bounds.set(name, (span = { first: record.day, last: record.day }));
    }
    if (record.day < span!.first) span!.first = record.day;
    if (record.day > span!.last) span!.last = record.day;
  }
  const builders = new Map([...bounds].map(([target, { first, last }]) => [target, new TargetWritesBuilder(first, last)]));
  let builder: TargetWritesBuilder | undefined;
  name = undefined;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.target !== name) {
      name = record.target;
      builder = builders.get(name);
    }
    builder!.add(record);
  }
  return new Map([...builders].map(([target, b]) => [target, b.finish()]));
}

/** Indexes grouped write records (`Warehouse.readWriteGroups`) by target, as `indexWrites` does. */
export function indexWriteGroups(groups: readonly WriteGroup[]): Map<string, TargetWrites> {
  const bounds = new Map<string, { first: number; last: number }>();
  for (const group of groups) {
    let span = bounds.get(group.target);
    for (let i = 0; i < group.days.length; i++) {
      const day = group.days[i]!;
      if (!span) bounds.set(group.target, (span = { first: day, last: day }));
      if (day < span.first) span.first = day;
      if (day > span.last) span.last = day;
    }
  }
  const builders = new Map([...bounds].map(([target, { first, last }]) => [target, new TargetWritesBuilder(first, last)]));
  for (const group of groups) builders.get(group.target)?.addGroup(group);
  return new Map([...builders].map(([target, b]) => [target, b.finish()]));
}

/**
 * The earliest and latest known time (+Infinity and NEVER when none), computed once per
 * `times`: when an upstream's latest write is no later than a target's earliest, no day of
 * the target can be outdated by it, and its days need not be compared one by one.
 */
export function timeRange(times: DayTimes): { earliest: number; latest: number } {
  let range = ranges.get(times);
  if (!range) {
    range = { earliest: Number.POSITIVE_INFINITY, latest: NEVER };
    const all = times.times;
    for (let i = 0; i < all.length; i++) {
      const time = all[i]!;
      if (time === NEVER) continue;
      if (time < range.earliest) range.earliest = time;
      if (time > range.latest) range.latest = time;
    }
    ranges.set(times, range);
  }
  return range;
}

/**
 * For every day d from `times.first` to `lookback` days past the last, the latest time of
 * days d-lookback..d (NEVER when none): what day d of a dependent reads through a lookback.
 * A monotonic deque of candidate indexes keeps it O(days) whatever the lookback.
 */
export function latestWithin(times: DayTimes, lookback: number): DayTimes {
  const source = times.times;
  if (lookback === 0 || source.length === 0) return times;
  const out = new Float64Array(source.length + lookback);
  // indexes into source, their times decreasing from head to tail
  const deque = new Int32Array(source.length);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < out.length; i++) {
    if (i < source.length) {
      const time = source[i]!;
      while (tail > head && source[deque[tail - 1]!]! <= time) tail--;
      deque[tail++] = i;
    }
    while (tail > head && deque[head]! < i - lookback) head++;
    out[i] = tail > head ? source[deque[head]!]! : NEVER;
  }
  return { first: times.first, times: out };
}

/**
 * The days of `days` whose own write time is known and older than `latest`'s time for the
 * same day: for each present day of a target, whether what it reads (the upstream's latest
 * write over its lookback, from `latestWithin`) came after it. A small function of its own,
 * over typed arrays: it runs for every present day of every edge, and V8 optimises a small
 * monomorphic loop at once, where the same loop inside the assessment's bigger function was
 * compiled late and thrown away on the first unexpected type.
 */
export function daysWrittenBefore(days: readonly Day[], own: DayTimes, latest: DayTimes): Day[] {
  const out: Day[] = [];
  const ownFirst = own.first;
  const ownTimes = own.times;
  const latestFirst = latest.first;
  const latestTimes = latest.times;
  for (let k = 0; k < days.length; k++) {
    const day = days[k]!;
    const i = day - ownFirst;
    if (i < 0 || i >= ownTimes.length) continue;
    const mine = ownTimes[i]!;
    if (mine === NEVER) continue;
    const j = day - latestFirst;
    if (j >= 0 && j < latestTimes.length && latestTimes[j]! > mine) out.push(day);
  }
  return out;
}

/**
 * `recorded` where known, else `fallback` (e.g. the engine's partition modification times
 * for days dagrun did not write), over the span of both.
 */
export function withFallback(recorded: DayTimes, fallback: ReadonlyMap<Day, number>): DayTimes {
  if (fallback.size === 0) return recorded;
  let first = recorded.times.length > 0 ? recorded.first : Number.POSITIVE_INFINITY;
  let last = recorded.times.length > 0 ? recorded.first + recorded.times.length - 1 : Number.NEGATIVE_INFINITY;
  for (const day of fallback.keys()) [first, last] = [Math.min(first, day), Math.max(last, day)];
  const times = new Float64Array(last - first + 1).fill(NEVER);
  for (const [day, time] of fallback) times[day - first] = time;
  recorded.times.forEach((time, i) => {
    if (time !== NEVER) times[recorded.first + i - first] = time;
  });
  return { first: first as Day, times };
}

/**
 * One target's writes in the compact form. `measureState` builds that form already; a map
 * of records by day (a state put together by hand, as tests do) is converted.
 */
export function compactWrites(writes: TargetWrites | ReadonlyMap<Day, WriteRecord>): TargetWrites {
  if (writes instanceof TargetWrites) return writes;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const record of writes.values()) [first, last] = [Math.min(first, record.day), Math.max(last, record.day)];
  const builder = writes.size > 0 ? new TargetWritesBuilder(first, last) : new TargetWritesBuilder(0, -1);
  for (const record of writes.values()) builder.add(record);
  return builder.finish();
}
