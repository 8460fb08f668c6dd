/**
 * What the live progress view knows: per target its dates done and total, the ranges
 * running now and how fast its ranges went. Folded from events; no I/O, clock passed in.
 */
import type { Batch } from '../intervals/interval.js';
import type { RunEvent } from '../executor/events.js';
import { addRange, estimateLeftMs, estimateRun, estimateTarget, msPerDate, type Estimate, type Pace, type Remaining } from './eta.js';

/** A range running now. */
export interface RunningRange {
  readonly batch: Batch;
  readonly startedAt: number;
  readonly attempt: number;
}

/** One target of the plan as the view tracks it. */
export interface TargetProgress {
  readonly name: string;
  readonly group: string | undefined;
  totalDates: number;
  totalRanges: number;
  doneDates: number;
  doneRanges: number;
  startedAt: number | undefined;
  finished: boolean;
  readonly running: Map<number, RunningRange>;
  /** Ranges queued for something they need to themselves (the warehouse), with what they wait for. */
  readonly waiting: Map<number, { readonly batch: Batch; readonly for: string }>;
  /** This run's pace, if any range finished. */
  pace: Pace | undefined;
}

/** The progress of a whole run. */
export class ProgressState {
  readonly targets = new Map<string, TargetProgress>();
  readonly #history: ReadonlyMap<string, Pace>;
  #startedAt = 0;
  #jobs = 1;

  constructor(history: ReadonlyMap<string, Pace> = new Map()) {
    this.#history = history;
  }

  /** Folds one event in; `now` is when it arrived (ms). */
  apply(event: RunEvent, now: number): void {
    switch (event.type) {
      case 'run-started':
        this.#startedAt = now;
        this.#jobs = event.jobs;
        for (const s of event.plan.steps) {
          this.targets.set(s.target, {
            name: s.target, group: s.group, totalDates: s.dates, totalRanges: s.batches.length,
            doneDates: 0, doneRanges: 0, startedAt: undefined, finished: false, running: new Map(), waiting: new Map(), pace: undefined,
          });
        }
        break;
      case 'range-started': {
        const t = this.targets.get(event.target);
        if (!t) break;
        t.startedAt ??= now;
        // A deferred step learns its ranges only when they start.
        if (event.index >= t.totalRanges) {
          t.totalRanges = event.index + 1;
          t.totalDates = Math.max(t.totalDates, t.doneDates + event.batch.days.length);
        }
        t.waiting.delete(event.index);
        t.running.set(event.index, { batch: event.batch, startedAt: now, attempt: event.attempt });
        break;
      }
      case 'range-waiting': {
        this.targets.get(event.target)?.waiting.set(event.index, { batch: event.batch, for: event.for });
        break;
      }
      case 'range-finished': {
        const t = this.targets.get(event.target);
        if (!t) break;
        t.running.delete(event.index);
        t.waiting.delete(event.index);
        if (event.ok) {
          t.doneRanges++;
          t.doneDates += event.batch.days.length;
          t.pace = addRange(t.pace, event.durationMs, event.batch.days.length);
        }
        break;
      }
      case 'gate-finished':
      case 'target-skipped': {
        const t = this.targets.get(event.target);
        if (t) t.finished = true;
        break;
      }
      case 'range-retrying':
      case 'info':
      case 'warning':
      case 'run-finished':
        break;
    }
  }

  /** Targets with a range running or waiting now, in plan order. */
  active(): TargetProgress[] {
    return [...this.targets.values()].filter((t) => t.running.size > 0 || t.waiting.size > 0);
  }

  /** Milliseconds per date for a target: this run's pace, else an earlier run's. */
  paceOf(t: TargetProgress): number | undefined {
    return msPerDate(t.pace) ?? msPerDate(this.#history.get(t.name));
  }

  #remaining(t: TargetProgress, now: number): Remaining {
    const elapsed = [...t.running.values()].map((r) => now - r.startedAt);
    return {
      dates: t.totalDates - t.doneDates,
      msPerDate: this.paceOf(t),
      running: t.running.size,
      runningElapsedMs: elapsed.length > 0 ? elapsed.reduce((a, b) => a + b, 0) / elapsed.length : 0,
    };
  }

  /** A target's expected time left, when there is a pace to go by (0 once overdue). */
  targetLeftMs(t: TargetProgress, now: number): number | undefined {
    return estimateLeftMs(this.#remaining(t, now));
  }

  /** A target's estimate: time left, or how far past it its running ranges are. */
  targetEstimate(t: TargetProgress, now: number): Estimate | undefined {
    return estimateTarget(this.#remaining(t, now));
  }

  /** Totals for the `[done/total]` line. */
  overall(now: number): { doneRanges: number; totalRanges: number; doneDates: number; totalDates: number; running: number; elapsedMs: number; leftMs: number | undefined; estimate: Estimate | undefined } {
    const all = [...this.targets.values()];
    const sum = (f: (t: TargetProgress) => number) => all.reduce((n, t) => n + f(t), 0);
    const open = all.filter((t) => !t.finished && t.totalDates > t.doneDates);
    const observed = all.reduce<Pace | undefined>((p, t) => (t.pace ? addRange(p, t.pace.ms, t.pace.dates) : p), undefined);
    const running = sum((t) => t.running.size);
    const lanes = Math.min(this.#jobs, Math.max(running, 1));
    const estimate = estimateRun(open.map((t) => this.#remaining(t, now)), msPerDate(observed), lanes);
    return {
      doneRanges: sum((t) => t.doneRanges),
      totalRanges: sum((t) => t.totalRanges),
      doneDates: sum((t) => t.doneDates),
      totalDates: sum((t) => t.totalDates),
      running,
      elapsedMs: now - this.#startedAt,
      leftMs: estimate === undefined ? undefined : estimate.kind === 'left' ? estimate.ms : 0,
      estimate,
    };
  }
}
