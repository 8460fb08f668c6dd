/**
 * Range durations across runs: this run's successful ranges, collected from its events for
 * the run record (`outcomes[].ranges`) and kept per target in `.dagrun/durations.json`
 * (state/durations-file.ts), and read back as the expected milliseconds per range of each
 * target, which the plan's priority uses (scheduler/priority.ts).
 */
import { formatRange } from '../intervals/interval.js';
import { readKeptDurations, recordRangeDurations, type KeptDurations } from '../state/durations-file.js';
import type { RecordedRange } from '../state/run-record.js';
import type { RunEvent } from '../executor/events.js';
import type { Reporter } from '../executor/reporter.js';

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Expected milliseconds per range of each target that has built ranges before: the median of
 * its latest ones (a median, so that one slow outlier does not move it). Targets without
 * history are absent.
 */
export function rangeDurationsFromHistory(stateDir: string | undefined): Map<string, number> {
  return mediansOf(stateDir ? readKeptDurations(stateDir) : new Map());
}

function mediansOf(kept: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  return new Map([...kept].map(([target, list]) => [target, median(list)]));
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
  /** The kept durations this run was planned with, to which its own are added at the end. */
  readonly #kept: KeptDurations;
  readonly #ranges = new Map<string, RecordedRange[]>();
  /** Expected ms per range of each target, from earlier runs (undefined: no history). */
  readonly estimate: ((target: string) => number) | undefined;

  constructor(inner: Reporter, kept: KeptDurations = new Map()) {
    this.#inner = inner;
    this.#kept = kept;
    this.estimate = estimateFrom(mediansOf(kept));
  }

  /** Reads the history of the pipeline's state folder for the estimates. */
  static fromHistory(stateDir: string | undefined, inner: Reporter): RangeDurations {
    return new RangeDurations(inner, stateDir ? readKeptDurations(stateDir) : new Map());
  }

  /** Adds this run's successful ranges to the kept durations (read once, when the run began). */
  save(stateDir: string): void {
    recordRangeDurations(stateDir, this.#ranges, this.#kept);
  }

  handle(event: RunEvent): void {
    if (event.type === 'range-finished' && event.ok) {
      const list = this.#ranges.get(event.target) ?? [];
      list.push({
        range: formatRange(event.batch), dates: event.batch.days.length, durationMs: Math.round(event.durationMs),
        ...(event.bytesBilled === undefined ? {} : { bytesBilled: event.bytesBilled }),
      });
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
