/**
 * A run as data for the written reports (Markdown, JUnit, HTML): the events of a build
 * folded into one record, so each report is a pure function of it.
 */
import type { Freshness } from '../freshness/assess.js';
import type { Day } from '../intervals/day.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import type { MeasuredSelection, RunEvent, TargetOutcome } from '../executor/events.js';
import type { Reporter } from '../executor/reporter.js';
import type { StatusChanges } from './status-snapshot.js';

/** One range of one target, after its last attempt. */
export interface RangeRecord {
  readonly target: string;
  readonly index: number;
  readonly first: Day;
  readonly last: Day;
  readonly dates: number;
  readonly ok: boolean;
  readonly attempts: number;
  readonly durationMs: number;
  readonly error: string | undefined;
  readonly tail: string | undefined;
  readonly logFile: string | undefined;
  /** What the range's warehouse job billed (BigQuery), when known. */
  readonly bytesBilled?: number;
}

/** Everything the written reports show about one build. */
export interface RunModel {
  readonly runId: string;
  readonly commandLine: string;
  readonly jobs: number;
  readonly startedAt: Date;
  readonly plan: PlanData;
  /** Expected days and freshness before the run, when the run passed them (the heat map needs them). */
  readonly measured: MeasuredSelection | undefined;
  /** Ranges in the order they finished. */
  readonly ranges: readonly RangeRecord[];
  /** Gate verdicts per target. */
  readonly gates: ReadonlyMap<string, { readonly ok: boolean; readonly message: string; readonly after: Freshness }>;
  /** Per target, the most of its ranges that ran at the same moment (the overlap the limits allowed). */
  readonly peakParallel: ReadonlyMap<string, number>;
  readonly warnings: readonly string[];
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly durationMs: number;
  readonly outcomes: readonly TargetOutcome[];
  /** A run with nothing to build, asked for a report: what changed since the last report (see status-snapshot.ts). */
  readonly changes?: StatusChanges;
}

type Started = Extract<RunEvent, { type: 'run-started' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Folds the events of a run into a `RunModel`; `onFinished` receives it when the run ends. */
export class RunRecorder implements Reporter {
  readonly #onFinished: (model: RunModel) => void | Promise<void>;
  readonly #clock: () => Date;
  #started: Started | undefined;
  #startedAt = new Date(0);
  /** The last attempt of each range, by `target#index`, in the order they ended (a retry moves to the end). */
  readonly #ranges = new Map<string, RangeRecord>();
  readonly #gates = new Map<string, { ok: boolean; message: string; after: Freshness }>();
  readonly #warnings: string[] = [];
  readonly #running = new Map<string, number>();
  readonly #peak = new Map<string, number>();
  #pending: Promise<void> | undefined;

  constructor(onFinished: (model: RunModel) => void | Promise<void>, clock: () => Date = () => new Date()) {
    this.#onFinished = onFinished;
    this.#clock = clock;
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.#started = event;
        this.#startedAt = this.#clock();
        break;
      case 'range-finished':
        this.#running.set(event.target, Math.max(0, (this.#running.get(event.target) ?? 0) - 1));
        // Only the last attempt of a range counts; retries replace the earlier record.
        this.#ranges.delete(`${event.target}#${event.index}`);
        this.#ranges.set(`${event.target}#${event.index}`, {
          target: event.target, index: event.index, first: event.batch.first, last: event.batch.last, dates: event.batch.days.length,
          ok: event.ok, attempts: event.attempt, durationMs: event.durationMs, error: event.error, tail: event.tail, logFile: event.logFile,
          ...(event.bytesBilled === undefined ? {} : { bytesBilled: event.bytesBilled }),
        });
        break;
      case 'gate-finished':
        this.#gates.set(event.target, { ok: event.ok, message: event.message, after: event.after });
        break;
      case 'warning':
        this.#warnings.push(event.message);
        break;
      case 'run-finished':
        if (this.#started) this.#pending = Promise.resolve(this.#onFinished(this.#model(this.#started, event)));
        break;
      case 'range-started': {
        const now = (this.#running.get(event.target) ?? 0) + 1;
        this.#running.set(event.target, now);
        this.#peak.set(event.target, Math.max(now, this.#peak.get(event.target) ?? 0));
        break;
      }
      case 'range-waiting':
      case 'range-retrying':
      case 'target-skipped':
      case 'info':
        break;
    }
  }

  /** Waits for the report writing started by the end of the run. */
  async close(): Promise<void> {
    await this.#pending;
  }

  #model(started: Started, finished: Extract<RunEvent, { type: 'run-finished' }>): RunModel {
    const model: Mutable<RunModel> = {
      runId: started.runId, commandLine: started.commandLine, jobs: started.jobs, startedAt: this.#startedAt, plan: started.plan,
      measured: started.measured, ranges: [...this.#ranges.values()], gates: this.#gates, peakParallel: this.#peak, warnings: this.#warnings,
      ok: finished.ok, interrupted: finished.interrupted, durationMs: finished.durationMs, outcomes: finished.outcomes,
    };
    return model;
  }
}

/** The checks of an outcome: as measured after the build, else before it. */
export function outcomeChecks(outcome: TargetOutcome): Freshness['checks'] {
  return outcome.after?.checks ?? outcome.before?.checks ?? [];
}

/** The bytes billed by ranges that said (BigQuery jobs), summed; undefined when none did. */
export function billedOf(ranges: readonly { readonly bytesBilled?: number }[]): number | undefined {
  const known = ranges.filter((r) => r.bytesBilled !== undefined);
  return known.length === 0 ? undefined : known.reduce((sum, r) => sum + r.bytesBilled!, 0);
}

/** The ranges of one target, in range order. */
export function rangesOf(model: RunModel, target: string): readonly RangeRecord[] {
  let byTarget = rangesByTarget.get(model.ranges);
  if (!byTarget) {
    byTarget = new Map();
    for (const r of model.ranges) {
      const list = byTarget.get(r.target);
      if (list) list.push(r);
      else byTarget.set(r.target, [r]);
    }
    for (const list of byTarget.values()) list.sort((a, b) => a.index - b.index);
    rangesByTarget.set(model.ranges, byTarget);
  }
  return byTarget.get(target) ?? [];
}

/**
 * The ranges of each model's targets, grouped once: reports ask for every target's ranges, and
 * a filter of all of them per target cost a run of 10,000 targets 10,000 passes over its ranges.
 * A model's ranges are not changed once it is made.
 */
const rangesByTarget = new WeakMap<readonly RangeRecord[], Map<string, RangeRecord[]>>();
