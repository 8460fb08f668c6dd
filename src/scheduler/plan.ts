/**
 * The plan at run time, after ninja's `Plan`: it decides what may start next and learns
 * what finished; it never waits, reads a clock or touches the warehouse.
 *
 *   per target:
 *     waiting ──(every `after` done)──▶ [resolving] ──▶ active ──(all ranges ok)──▶ gating ──ok──▶ done
 *        │        (deferred steps only)     │            │                          └─fail─▶ failed
 *        │                                  └──fail──────┴──(a range failed)──────────────▶ failed
 *        └──(an upstream failed)──▶ skipped
 *
 *   when the run ends early (no-new after a failure, or an interrupt), a target still
 *   waiting/resolving, or active with nothing started, ends `skipped` ("not started: …");
 *   one that had started ranges, or was waiting for its gate, keeps its status (reports
 *   call it "not finished") with its progress and the cause (scheduler/failure.ts).
 *
 * A failed target skips everything downstream of it. With failure mode `no-new` nothing
 * new starts after a failure (running work finishes, gates of finished targets still run);
 * with `continue` (`-k`) everything that does not depend on the failure goes on.
 */
import { pushTo } from '../core/lists-by-key.js';
import TinyQueue from 'tinyqueue';
import { InternalError } from '../core/errors.js';
import type { Batch } from '../intervals/interval.js';
import type { Step } from './compute-plan.js';
import type { DayRange } from '../intervals/interval.js';
import { Pool } from './pools.js';
import { rangePriorities } from './priority.js';
import type { StopCause, TargetFailure } from './failure.js';

/** A unit of work the executor runs. */
export type WorkUnit =
  /** Build one batch of one target. */
  | { readonly kind: 'range'; readonly target: string; readonly index: number; readonly batch: Batch }
  /** Measure a target again after its ranges, and decide whether it became fresh. */
  | { readonly kind: 'gate'; readonly target: string }
  /** Measure a deferred target, now that its calendar exists, to learn its batches. */
  | { readonly kind: 'resolve'; readonly target: string };

/** Where a target of the plan stands. */
export type TargetStatus =
  /** Some target it waits for is not done yet. */
  | 'waiting'
  /** Deferred: being measured to learn its batches. */
  | 'resolving'
  /** Its ranges are starting or running. */
  | 'active'
  /** Its ranges are done; it is being measured again. */
  | 'gating'
  /** Built, and fresh after the build. */
  | 'done'
  /** A range, its resolution or its gate failed. */
  | 'failed'
  /** Not started: an upstream failed, or the run stopped before it could start. */
  | 'skipped';

/** What the run does after a failure. */
export type FailureMode =
  /** Start nothing new; let running work and pending gates finish (make's default). */
  | 'no-new'
  /** Go on with everything that is not downstream of the failure (`-k`). */
  | 'continue';

/** Limits and priorities for a plan. */
export interface PlanLimits {
  readonly jobs: number;
  /** Concurrency of each group (0: unlimited). */
  readonly groups: ReadonlyMap<string, number>;
  /** `build.parallel` of each target (0: unlimited). */
  readonly parallel: (target: string) => number;
  /** Expected milliseconds per batch of a target (from earlier runs), for its priority (see priority.ts). */
  readonly estimate?: (target: string) => number;
  /** Simulation steps the priority search may spend (default: priority.ts SIMULATION_BUDGET; 0: critical path only). */
  readonly priorityBudget?: number;
  readonly failureMode: FailureMode;
  /**
   * Targets whose ranges need the warehouse to themselves (DuckDB commands that open the file):
   * they share one slot, so a range waiting for the warehouse holds no group or global slot.
   */
  readonly exclusive?: (target: string) => boolean;
}

/** A target's result as the plan knows it. */
export interface PlanOutcome {
  readonly target: string;
  readonly status: TargetStatus;
  /** Why it failed, was skipped or stopped; undefined when done. */
  readonly failure: TargetFailure | undefined;
  readonly batchesDone: number;
  readonly batches: number;
}

interface TargetRun {
  /** Its place in the plan (dependency order): ties in priority go to the earlier. */
  readonly index: number;
  priority: number;
  step: Step;
  status: TargetStatus;
  nextBatch: number;
  running: number;
  /** Ranges that have reported back, whatever their outcome. */
  finished: number;
  /** Ranges that succeeded. */
  built: number;
  failed: number;
  failure: TargetFailure | undefined;
  gatePending: boolean;
  resolvePending: boolean;
  readonly pool: Pool;
  readonly group: Pool | undefined;
  /** The one slot of exclusive warehouse access, for targets that need it. */
  readonly warehouse: Pool | undefined;
  /** In the ready queue (it may have stopped being ready since: checked when taken out). */
  queued: boolean;
  /** Ready, but out of the queue until one of its own ranges ends: its `parallel` is used up. */
  parked: boolean;
}

/** Higher priority first, then plan order: the order `findWork` starts ranges in. */
const byPriority = (a: TargetRun, b: TargetRun): number => b.priority - a.priority || a.index - b.index;
const byIndex = (a: TargetRun, b: TargetRun): number => a.index - b.index;

/** The runtime plan. */
export class Plan {
  readonly #runs = new Map<string, TargetRun>();
  readonly #dependents = new Map<string, string[]>();
  readonly #global: Pool;
  readonly #limits: PlanLimits;
  /**
   * Active targets with ranges left to start, best first, and targets with a gate or resolution
   * to run, in plan order: `findWork` takes from the top instead of scanning every target (a
   * scan per range cost 0.1 ms a range at 10,000 targets).
   */
  readonly #ready = new TinyQueue<TargetRun>([], byPriority);
  readonly #measurements = new TinyQueue<TargetRun>([], byIndex);
  #runningUnits = 0;
  #stopped: 'failure' | 'interrupt' | undefined;
  /** Why the run stopped early, for the targets it left behind. */
  #stopCause: StopCause | undefined;

  constructor(steps: readonly Step[], limits: PlanLimits) {
    this.#limits = limits;
    this.#global = new Pool('global', limits.jobs);
    const groupPools = new Map([...limits.groups].map(([name, depth]) => [name, new Pool(name, depth)]));
    const warehouse = new Pool('warehouse', 1);
    for (const step of steps) {
      const group = step.group === undefined ? undefined : groupPools.get(step.group);
      this.#runs.set(step.target, {
        index: this.#runs.size, priority: 0, queued: false, parked: false,
        step, status: 'waiting', nextBatch: 0, running: 0, finished: 0, built: 0, failed: 0, failure: undefined,
        gatePending: false, resolvePending: false, pool: new Pool(step.target, limits.parallel(step.target)), group,
        warehouse: limits.exclusive?.(step.target) ? warehouse : undefined,
      });
    }
    for (const step of steps) {
      for (const up of step.after) {
        // A target waiting for one that has no step would wait forever: the planner must not do that.
        if (!this.#runs.has(up)) throw new InternalError(`step ${step.target} waits for ${up}, which has no step`);
        pushTo(this.#dependents, up, step.target);
      }
    }
    const priorities = rangePriorities({
      targets: steps.map((step) => ({ name: step.target, after: step.after, batches: step.batches.length, parallel: limits.parallel(step.target), group: step.group })),
      jobs: limits.jobs,
      groups: limits.groups,
      estimate: limits.estimate,
      budget: limits.priorityBudget,
    });
    for (const [target, priority] of priorities) this.#runs.get(target)!.priority = priority;
    for (const run of this.#runs.values()) this.#activateIfReady(run);
  }

  #activateIfReady(run: TargetRun): void {
    if (run.status !== 'waiting') return;
    if (!run.step.after.every((up) => this.#runs.get(up)!.status === 'done')) return;
    if (run.step.deferred) {
      run.status = 'resolving';
      run.resolvePending = true;
      this.#measurements.push(run);
    } else this.#activate(run);
  }

  #activate(run: TargetRun): void {
    run.status = 'active';
    if (run.step.batches.length === 0) this.#gate(run);
    else this.#enqueue(run);
  }

  #gate(run: TargetRun): void {
    run.status = 'gating';
    run.gatePending = true;
    this.#measurements.push(run);
  }

  /** Puts an active target with ranges left in the ready queue, or parks it while its own ranges fill its `parallel`. */
  #enqueue(run: TargetRun): void {
    if (run.queued || run.status !== 'active' || run.nextBatch >= run.step.batches.length) return;
    if (!run.pool.hasRoom()) {
      run.parked = true;
      return;
    }
    run.queued = true;
    this.#ready.push(run);
  }

  /**
   * The next unit that may start now, taking its pool slots; undefined when none can.
   * Gates and resolutions are measurements, not builds: they take no pool slot, and gates
   * still run after a failure so that finished work is judged.
   */
  findWork(): WorkUnit | undefined {
    if (this.#stopped === 'interrupt') return undefined;
    for (let run = this.#measurements.pop(); run !== undefined; run = this.#measurements.pop()) {
      if (run.gatePending) {
        run.gatePending = false;
        this.#runningUnits++;
        return { kind: 'gate', target: run.step.target };
      }
      // a resolution is not started after a failure (no-new): it is dropped, as it would never start
      if (run.resolvePending && !this.#stopped) {
        run.resolvePending = false;
        this.#runningUnits++;
        return { kind: 'resolve', target: run.step.target };
      }
    }
    if (this.#stopped || !this.#global.hasRoom()) return undefined;
    const best = this.#takeReady();
    if (!best) return undefined;
    const index = best.nextBatch++;
    best.running++;
    best.pool.scheduled();
    best.group?.scheduled();
    best.warehouse?.scheduled();
    this.#global.scheduled();
    this.#runningUnits++;
    this.#enqueue(best);
    return { kind: 'range', target: best.step.target, index, batch: best.step.batches[index]! };
  }

  /**
   * The best ready target with room in its group and the warehouse slot, out of the queue;
   * those passed over for a full group or warehouse go back (they are few: a group's depth).
   */
  #takeReady(): TargetRun | undefined {
    const passedOver: TargetRun[] = [];
    let best: TargetRun | undefined;
    for (let run = this.#ready.pop(); run !== undefined; run = this.#ready.pop()) {
      run.queued = false;
      if (run.status !== 'active' || run.nextBatch >= run.step.batches.length) continue;
      if (!run.pool.hasRoom()) {
        run.parked = true;
        continue;
      }
      if ((run.group && !run.group.hasRoom()) || (run.warehouse && !run.warehouse.hasRoom())) {
        passedOver.push(run);
        continue;
      }
      best = run;
      break;
    }
    for (const run of passedOver) this.#enqueue(run);
    return best;
  }

  /** Records the end of a unit. A failed gate or range fails its target and skips its dependents. */
  finished(unit: WorkUnit, failure?: TargetFailure): void {
    const run = this.#runs.get(unit.target)!;
    this.#runningUnits--;
    switch (unit.kind) {
      case 'range':
        return this.#rangeFinished(run, failure);
      case 'gate':
        if (failure) return this.#failed(run, failure);
        run.status = 'done';
        for (const dependent of this.#dependents.get(run.step.target) ?? []) this.#activateIfReady(this.#runs.get(dependent)!);
        return;
      case 'resolve':
        // A resolution that brings no new step keeps the one planned.
        if (failure) return this.#failed(run, failure);
        return this.#activate(run);
    }
  }

  #rangeFinished(run: TargetRun, failure: TargetFailure | undefined): void {
    run.running--;
    run.pool.finished();
    if (run.parked) {
      run.parked = false;
      this.#enqueue(run);
    }
    run.group?.finished();
    run.warehouse?.finished();
    this.#global.finished();
    run.finished++;
    if (!failure) run.built++;
    else if (this.#stopped !== 'interrupt') {
      // Ranges ended by an interrupt are not failures of the target: it is left not finished.
      run.failed++;
      run.failure ??= failure;
      this.#stop(run.step.target);
    }
    if (run.running > 0) return;
    if (run.failed > 0 && (run.finished === run.step.batches.length || this.#stopped)) this.#fail(run, run.failure!);
    else if (run.built === run.step.batches.length && run.status === 'active') this.#gate(run);
  }

  #failed(run: TargetRun, failure: TargetFailure): void {
    this.#stop(run.step.target);
    this.#fail(run, failure);
  }

  /** Without -k, the first failure stops new work. */
  #stop(failedTarget: string): void {
    if (this.#limits.failureMode !== 'no-new' || this.#stopped) return;
    this.#stopped = 'failure';
    this.#stopCause = { kind: 'failed-elsewhere', target: failedTarget };
  }

  /** Supplies the batches of a deferred target once it has been measured. */
  resolved(unit: WorkUnit, step: Step): void {
    const run = this.#runs.get(unit.target)!;
    this.#runningUnits--;
    run.step = step;
    this.#activate(run);
  }

  #fail(run: TargetRun, failure: TargetFailure): void {
    run.status = 'failed';
    run.failure = failure;
    const stack = [...(this.#dependents.get(run.step.target) ?? [])];
    while (stack.length > 0) {
      const next = this.#runs.get(stack.pop()!)!;
      if (next.status !== 'waiting' && next.status !== 'resolving') continue;
      next.status = 'skipped';
      next.resolvePending = false;
      next.failure = { kind: 'upstream-failed', upstream: run.step.target };
      stack.push(...(this.#dependents.get(next.step.target) ?? []));
    }
  }

  /** Stops all new work, gates included (an interrupt): running units still report back. */
  interrupt(): void {
    this.#stopped = 'interrupt';
    this.#stopCause = { kind: 'interrupted' };
  }

  /** Whether anything is running or can still start. */
  moreToDo(): boolean {
    if (this.#runningUnits > 0) return true;
    if (this.#stopped === 'interrupt') return false;
    // nothing runs, so nothing is parked: what is left to start is in the queues (entries may be out of date)
    if (this.#measurements.data.some((run) => run.gatePending || (run.resolvePending && !this.#stopped))) return true;
    return !this.#stopped && this.#ready.data.some((run) => run.status === 'active' && run.nextBatch < run.step.batches.length);
  }

  /** How many units are running. */
  get running(): number {
    return this.#runningUnits;
  }

  /**
   * The result of every target, in plan order. Meant for after the run: a target the run
   * left behind is `skipped` when nothing of it ran, else keeps its status; both say why.
   */
  outcomes(): PlanOutcome[] {
    return [...this.#runs.values()].map((run) => {
      const base = { target: run.step.target, batchesDone: run.built, batches: run.step.batches.length };
      switch (run.status) {
        case 'done':
        case 'failed':
        case 'skipped':
          return { ...base, status: run.status, failure: run.failure };
        case 'waiting':
        case 'resolving':
        case 'active':
        case 'gating': {
          const cause = this.#stopCause;
          if (run.finished === 0 && run.running === 0 && !(run.status === 'gating' && run.step.batches.length > 0)) {
            return { ...base, status: 'skipped', failure: { kind: 'not-started', cause } };
          }
          return { ...base, status: run.status, failure: { kind: 'unfinished', built: run.built, batches: run.step.batches.length, gating: run.status === 'gating', cause } };
        }
      }
    });
  }

  /** The current step of a target (deferred ones change when resolved). */
  step(target: string): Step {
    return this.#runs.get(target)!.step;
  }

  /** The days a target's step builds in this run, as ranges; none when it has no step (it was fresh). */
  daysOf(target: string): readonly DayRange[] {
    return this.#runs.get(target)?.step.ranges ?? [];
  }
}
