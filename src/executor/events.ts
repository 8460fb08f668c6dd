/**
 * What happens during a run, as typed events: the executor emits them (it never writes to
 * stdout or stderr itself) and the reporters in report/ print them. They live here, with the
 * Reporter port, so that the executor depends on nothing above it.
 */
import type { Freshness } from '../freshness/assess.js';
import type { Day } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import type { TargetFailure } from '../scheduler/failure.js';
import type { TargetStatus } from '../scheduler/plan.js';

/** What was measured before a run: expected days and freshness of every selected target. */
export interface MeasuredSelection {
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  readonly freshness: ReadonlyMap<string, Freshness>;
}

/** A target's result at the end of a run. */
export interface TargetOutcome {
  readonly target: string;
  readonly status: TargetStatus;
  /** Why it is not done (failure-text.ts says it in words); undefined when done. */
  readonly failure: TargetFailure | undefined;
  readonly batchesDone: number;
  readonly batches: number;
  readonly daysHandedOver: number;
  readonly before: Freshness | undefined;
  readonly after: Freshness | undefined;
  readonly durationMs: number | undefined;
}

/** An event of a build run. */
export type RunEvent =
  /**
   * The run begins: its id, window and plan. `measured` (each selected target's expected
   * days and freshness, from the measurement the plan came from) lets the written reports
   * show targets that were already fresh and draw the coverage heat map.
   */
  | {
      readonly type: 'run-started';
      readonly runId: string;
      readonly plan: PlanData;
      readonly jobs: number;
      readonly commandLine: string;
      readonly measured?: MeasuredSelection;
    }
  /**
   * A batch waits for something it needs to itself before it can start (on DuckDB, a
   * command that opens the warehouse file waits for dagrun to let go of it): not running yet.
   */
  | { readonly type: 'range-waiting'; readonly target: string; readonly index: number; readonly batch: Batch; readonly attempt: number; readonly for: string }
  /** A batch of a target starts (attempt counts from 1). */
  | { readonly type: 'range-started'; readonly target: string; readonly index: number; readonly batch: Batch; readonly attempt: number }
  /** A batch ended. `tail` holds the last lines of a failing command's output. */
  | {
      readonly type: 'range-finished';
      readonly target: string;
      readonly index: number;
      readonly batch: Batch;
      readonly attempt: number;
      readonly ok: boolean;
      readonly durationMs: number;
      readonly error: string | undefined;
      readonly tail: string | undefined;
      readonly logFile: string | undefined;
      /** What the range's warehouse job billed (BigQuery's totalBytesBilled), when known. */
      readonly bytesBilled?: number;
    }
  /** A failed batch will be tried again after a delay. */
  | { readonly type: 'range-retrying'; readonly target: string; readonly index: number; readonly attempt: number; readonly delayMs: number; readonly error: string }
  /** A target was measured after its build: `ok` when it became fresh. */
  | { readonly type: 'gate-finished'; readonly target: string; readonly ok: boolean; readonly message: string; readonly before: Freshness | undefined; readonly after: Freshness }
  /** A target will not run because something upstream failed. */
  | { readonly type: 'target-skipped'; readonly target: string; readonly failure: TargetFailure }
  /** Something worth saying that is not tied to a batch (lock waits, warehouse retries). */
  | { readonly type: 'info'; readonly message: string }
  /** A problem that does not stop the run. */
  | { readonly type: 'warning'; readonly message: string }
  /** The run ended. */
  | { readonly type: 'run-finished'; readonly runId: string; readonly ok: boolean; readonly interrupted: boolean; readonly durationMs: number; readonly outcomes: readonly TargetOutcome[] };
