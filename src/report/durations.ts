/**
 * Range durations across runs: this run's successful ranges, collected from its events for
 * the run record (`outcomes[].ranges`) and kept per target in `.dagrun/durations.json`, and
 * read back as the expected milliseconds per range of each target, which the plan's priority
 * uses (scheduler/priority.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatRange } from '../intervals/interval.js';
import type { RunEvent } from './events.js';
import type { RecordedRange } from '../state/run-record.js';
import type { Reporter } from './reporter.js';

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Latest successful ranges kept per target, newest first; an estimate is their median. */
const RANGES_PER_TARGET = 25;

/** The file, in the pipeline's state folder, that keeps the latest range durations per target. */
export function durationsFile(stateDir: string): string {
  return path.join(stateDir, 'durations.json');
}

/**
 * The latest range durations (ms) per target, newest first, as `recordRangeDurations` left
 * them. One small file rather than the run records: those hold every range of every run, and
 * a build would parse megabytes of them before its first command.
 */
function readKept(stateDir: string): Map<string, number[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(durationsFile(stateDir), 'utf8'));
  } catch {
    return new Map(); // none yet, or damaged: the plan weighs ranges by count
  }
  const kept = new Map<string, number[]>();
  if (typeof raw !== 'object' || raw === null) return kept;
  for (const [target, list] of Object.entries(raw as Record<string, unknown>)) {
    // a hand-edited file: only well-formed entries count
    const ms = Array.isArray(list) ? list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0) : [];
    if (ms.length > 0) kept.set(target, ms.slice(0, RANGES_PER_TARGET));
  }
  return kept;
}

/**
 * Expected milliseconds per range of each target that has built ranges before: the median of
 * its latest ones (a median, so that one slow outlier does not move it). Targets without
 * history are absent.
 */
export function rangeDurationsFromHistory(stateDir: string | undefined): Map<string, number> {
  return mediansOf(stateDir ? readKept(stateDir) : new Map());
}

function mediansOf(kept: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  return new Map([...kept].map(([target, list]) => [target, median(list)]));
}

/**
 * Adds a run's successful ranges to the kept durations (newest first, the latest
 * `RANGES_PER_TARGET` per target). Written to a temporary file and renamed: a run that dies
 * halfway leaves the old file. Nothing to add, nothing written.
 */
export function recordRangeDurations(
  stateDir: string,
  ranges: ReadonlyMap<string, readonly RecordedRange[]>,
  kept: Map<string, number[]> = readKept(stateDir),
): void {
  if ([...ranges.values()].every((list) => list.length === 0)) return;
  for (const [target, list] of ranges) {
    const newest = list.map((r) => r.durationMs).reverse();
    kept.set(target, [...newest, ...(kept.get(target) ?? [])].slice(0, RANGES_PER_TARGET));
  }
  const file = durationsFile(stateDir);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(Object.fromEntries(kept)) + '\n');
  renameSync(`${file}.${process.pid}.tmp`, file);
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
  readonly #kept: Map<string, number[]>;
  readonly #ranges = new Map<string, RecordedRange[]>();
  /** Expected ms per range of each target, from earlier runs (undefined: no history). */
  readonly estimate: ((target: string) => number) | undefined;

  constructor(inner: Reporter, kept: Map<string, number[]> = new Map()) {
    this.#inner = inner;
    this.#kept = kept;
    this.estimate = estimateFrom(mediansOf(kept));
  }

  /** Reads the history of the pipeline's state folder for the estimates. */
  static fromHistory(stateDir: string | undefined, inner: Reporter): RangeDurations {
    return new RangeDurations(inner, stateDir ? readKept(stateDir) : new Map());
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
