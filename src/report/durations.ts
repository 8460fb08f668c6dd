/**
 * Range durations across runs: this run's successful ranges, collected from its events for
 * the run record (`outcomes[].ranges`), and earlier runs' ranges read back as the expected
 * milliseconds per range of each target, which the plan's priority uses (scheduler/priority.ts).
 */
import { formatRange } from '../intervals/interval.js';
import type { RunEvent } from './events.js';
import { listRuns, type RecordedRange } from './history.js';
import type { Reporter } from './reporter.js';

/** Runs that built something looked back at for estimates (newest first). */
const RUNS_LOOKED_AT = 10;
/**
 * Run records read at most to find them: a nightly run that finds nothing to do leaves a
 * record without ranges, and a week of those must not make the estimates forget.
 */
const RECORDS_READ = 100;
/** Ranges of one target an estimate is the median of, newest first. */
const RANGES_PER_TARGET = 25;

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Expected milliseconds per range of each target that has successful ranges in the last
 * runs that built something: the median of its latest ones (a median, so that one slow outlier does not move it).
 * Targets without history are absent.
 */
export function rangeDurationsFromHistory(stateDir: string | undefined, runs = RUNS_LOOKED_AT): Map<string, number> {
  const seen = new Map<string, number[]>();
  if (!stateDir) return new Map();
  const building = listRuns(stateDir, RECORDS_READ).filter((record) => record.outcomes.some((o) => Array.isArray(o.ranges) && o.ranges.length > 0));
  for (const record of building.slice(0, runs)) {
    for (const outcome of record.outcomes) {
      // a record is user-visible JSON: take only well-formed entries
      const ranges: unknown = outcome.ranges;
      if (!Array.isArray(ranges)) continue;
      const list = seen.get(outcome.target) ?? [];
      for (const r of ranges as (Partial<RecordedRange> | null)[]) {
        if (typeof r?.durationMs === 'number' && Number.isFinite(r.durationMs) && r.durationMs >= 0 && list.length < RANGES_PER_TARGET) list.push(r.durationMs);
      }
      if (list.length > 0) seen.set(outcome.target, list);
    }
  }
  return new Map([...seen].map(([target, list]) => [target, median(list)]));
}

/**
 * The plan's `estimate` from known durations: a target without history counts as the median
 * of the known ones, so that every target is on the same scale (ms, not ranges). Undefined
 * when nothing is known: the plan then weighs ranges by count.
 */
export function estimateFrom(known: ReadonlyMap<string, number>): ((target: string) => number) | undefined {
  if (known.size === 0) return undefined;
  const typical = median([...known.values()]);
  return (target) => known.get(target) ?? typical;
}

/** Collects the successful ranges of this run from its events, passing every event on. */
export class RangeDurations implements Reporter {
  readonly #inner: Reporter;
  readonly #ranges = new Map<string, RecordedRange[]>();
  /** Expected ms per range of each target, from earlier runs (undefined: no history). */
  readonly estimate: ((target: string) => number) | undefined;

  constructor(inner: Reporter, estimate: ((target: string) => number) | undefined) {
    this.#inner = inner;
    this.estimate = estimate;
  }

  /** Reads the history of the pipeline's state folder for the estimates. */
  static fromHistory(stateDir: string | undefined, inner: Reporter): RangeDurations {
    return new RangeDurations(inner, estimateFrom(rangeDurationsFromHistory(stateDir)));
  }

  handle(event: RunEvent): void {
    if (event.type === 'range-finished' && event.ok) {
      const list = this.#ranges.get(event.target) ?? [];
      list.push({ range: formatRange(event.batch), dates: event.batch.days.length, durationMs: Math.round(event.durationMs) });
      this.#ranges.set(event.target, list);
    }
    this.#inner.handle(event);
  }

  close(): void | Promise<void> {
    return this.#inner.close?.();
  }

  /** The successful ranges of a target in this run, in the order they ended (undefined: none). */
  rangesOf(target: string): readonly RecordedRange[] | undefined {
    return this.#ranges.get(target);
  }
}
