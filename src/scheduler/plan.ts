/**
 * The plan at run time, after ninja's `Plan`: it decides what may start next and learns
 * what finished; it never waits, reads a clock or touches the warehouse.
 *
 *   per target:   waiting ──(all `after` done)──▶ active ──(all ranges ok)──▶ gating ──ok──▶ done
 *                    │                              │  (deferred: resolving first)     └─fail─▶ failed
 *                    └──(an upstream failed)──▶ skipped      └──(a range failed)──▶ failed
 *
 * A failed target skips everything downstream of it. With failure mode `no-new` nothing
 * new starts after a failure (running work finishes, gates still run); with `continue`
 * (`-k`) everything that does not depend on the failure goes on.
 */
import type { Batch } from '../intervals/interval.js';
import type { Step } from './compute-plan.js';
import { Pool } from './pools.js';

/** A unit of work the executor runs. */
export type WorkUnit =
  /** Build one batch of one target. */
  | { readonly kind: 'range'; readonly target: string; readonly index: number; readonly batch: Batch }
  /** Measure a target again after its ranges, and decide whether it became fresh. */
  | { readonly kind: 'gate'; readonly target: string }
  /** Measure a deferred target, now that its calendar exists, to learn its batches. */
  | { readonly kind: 'resolve'; readonly target: string };

/** Where a target of the plan stands. */
export type TargetStatus = 'waiting' | 'resolving' | 'active' | 'gating' | 'done' | 'failed' | 'skipped';

/** What the run does after a failure. */
export type FailureMode = 'no-new' | 'continue';

/** Limits and priorities for a plan. */
export interface PlanLimits {
  readonly jobs: number;
  /** Concurrency of each group. */
  readonly groups: ReadonlyMap<string, number>;
  /** `build.parallel` of each target. */
  readonly parallel: (target: string) => number;
  /** Expected milliseconds per batch of a target (from earlier runs), for critical-path priority. */
  readonly estimate?: (target: string) => number;
  readonly failureMode: FailureMode;
}

interface TargetRun {
  step: Step;
  status: TargetStatus;
  nextBatch: number;
  running: number;
  finished: number;
  failed: number;
  reason: string | undefined;
  gatePending: boolean;
  resolvePending: boolean;
  readonly pool: Pool;
  readonly group: Pool | undefined;
}

/** The runtime plan. */
export class Plan {
  readonly #runs = new Map<string, TargetRun>();
  readonly #dependents = new Map<string, string[]>();
  readonly #global: Pool;
  readonly #limits: PlanLimits;
  readonly #priority = new Map<string, number>();
  #runningUnits = 0;
  #stopped: 'failure' | 'interrupt' | undefined;

  constructor(steps: readonly Step[], limits: PlanLimits) {
    this.#limits = limits;
    this.#global = new Pool('global', limits.jobs);
    const groupPools = new Map([...limits.groups].map(([name, depth]) => [name, new Pool(name, depth)]));
    for (const step of steps) {
      const group = step.group === undefined ? undefined : groupPools.get(step.group);
      this.#runs.set(step.target, {
        step, status: 'waiting', nextBatch: 0, running: 0, finished: 0, failed: 0, reason: undefined,
        gatePending: false, resolvePending: false, pool: new Pool(step.target, limits.parallel(step.target)), group,
      });
      for (const up of step.after) this.#dependents.set(up, [...(this.#dependents.get(up) ?? []), step.target]);
    }
    this.#computePriorities(steps);
    for (const run of this.#runs.values()) this.#activateIfReady(run);
  }

  /** Longest remaining chain of estimated work from each target to the end of the plan. */
  #computePriorities(steps: readonly Step[]): void {
    for (const step of [...steps].reverse()) {
      const run = this.#runs.get(step.target)!;
      const perBatch = this.#limits.estimate?.(step.target) ?? 1;
      const width = Math.max(1, Math.min(run.pool.depth || Infinity, run.group?.depth || Infinity, this.#limits.jobs));
      const own = Math.ceil(step.batches.length / width) * perBatch;
      const downstream = Math.max(0, ...(this.#dependents.get(step.target) ?? []).map((d) => this.#priority.get(d) ?? 0));
      this.#priority.set(step.target, own + downstream);
    }
  }

  #activateIfReady(run: TargetRun): void {
    if (run.status !== 'waiting') return;
    if (!run.step.after.every((up) => this.#runs.get(up)?.status === 'done')) return;
    if (run.step.deferred) {
      run.status = 'resolving';
      run.resolvePending = true;
    } else this.#activate(run);
  }

  #activate(run: TargetRun): void {
    run.status = 'active';
    if (run.step.batches.length === 0) {
      run.status = 'gating';
      run.gatePending = true;
    }
  }

  /** The next unit that may start now, taking its pool slots; undefined when none can. */
  findWork(): WorkUnit | undefined {
    if (this.#stopped === 'interrupt') return undefined;
    for (const run of this.#runs.values()) {
      if (run.gatePending) {
        run.gatePending = false;
        this.#runningUnits++;
        return { kind: 'gate', target: run.step.target };
      }
      if (run.resolvePending && !this.#stopped) {
        run.resolvePending = false;
        this.#runningUnits++;
        return { kind: 'resolve', target: run.step.target };
      }
    }
    if (this.#stopped || !this.#global.hasRoom()) return undefined;
    let best: TargetRun | undefined;
    for (const run of this.#runs.values()) {
      if (run.status !== 'active' || run.nextBatch >= run.step.batches.length) continue;
      if (!run.pool.hasRoom() || (run.group && !run.group.hasRoom())) continue;
      if (!best || this.#priority.get(run.step.target)! > this.#priority.get(best.step.target)!) best = run;
    }
    if (!best) return undefined;
    const index = best.nextBatch++;
    best.running++;
    best.pool.scheduled();
    best.group?.scheduled();
    this.#global.scheduled();
    this.#runningUnits++;
    return { kind: 'range', target: best.step.target, index, batch: best.step.batches[index]! };
  }

  /** Records the end of a unit. A failed gate or range fails its target and skips its dependents. */
  finished(unit: WorkUnit, outcome: 'ok' | 'failed', reason?: string): void {
    const run = this.#runs.get(unit.target)!;
    this.#runningUnits--;
    if (unit.kind === 'range') {
      run.running--;
      run.pool.finished();
      run.group?.finished();
      this.#global.finished();
      run.finished++;
      if (outcome === 'failed') {
        run.failed++;
        run.reason ??= reason;
        if (this.#limits.failureMode === 'no-new') this.#stopped ??= 'failure';
      }
      if (run.running === 0 && (run.finished === run.step.batches.length || this.#stopped)) {
        if (run.failed > 0) this.#fail(run, run.reason ?? 'a range failed');
        else if (run.finished === run.step.batches.length) {
          run.status = 'gating';
          run.gatePending = true;
        }
      }
      return;
    }
    if (outcome === 'failed') {
      if (this.#limits.failureMode === 'no-new') this.#stopped ??= 'failure';
      this.#fail(run, reason ?? `${unit.kind} failed`);
      return;
    }
    if (unit.kind === 'gate') {
      run.status = 'done';
      for (const dependent of this.#dependents.get(run.step.target) ?? []) this.#activateIfReady(this.#runs.get(dependent)!);
    }
  }

  /** Supplies the batches of a deferred target once it has been measured. */
  resolved(unit: WorkUnit, step: Step): void {
    const run = this.#runs.get(unit.target)!;
    this.#runningUnits--;
    run.step = step;
    this.#activate(run);
  }

  #fail(run: TargetRun, reason: string): void {
    run.status = 'failed';
    run.reason = reason;
    const stack = [...(this.#dependents.get(run.step.target) ?? [])];
    while (stack.length > 0) {
      const next = this.#runs.get(stack.pop()!)!;
      if (next.status !== 'waiting' && next.status !== 'resolving') continue;
      next.status = 'skipped';
      next.resolvePending = false;
      next.reason = `upstream ${run.step.target} failed`;
      stack.push(...(this.#dependents.get(next.step.target) ?? []));
    }
  }

  /** Stops all new work (an interrupt): running units still report back. */
  interrupt(): void {
    this.#stopped = 'interrupt';
  }

  /** Whether anything is running or can still start. */
  moreToDo(): boolean {
    if (this.#runningUnits > 0) return true;
    if (this.#stopped === 'interrupt') return false;
    for (const run of this.#runs.values()) {
      if (run.gatePending || (run.resolvePending && !this.#stopped)) return true;
      if (!this.#stopped && run.status === 'active' && run.nextBatch < run.step.batches.length) return true;
    }
    return false;
  }

  /** How many units are running. */
  get running(): number {
    return this.#runningUnits;
  }

  /** The status of every target and, for failed or skipped ones, why. */
  outcomes(): { target: string; status: TargetStatus; reason: string | undefined; batchesDone: number; batches: number }[] {
    return [...this.#runs.values()].map((run) => ({
      target: run.step.target,
      status: run.status,
      reason: run.reason,
      batchesDone: run.finished - run.failed,
      batches: run.step.batches.length,
    }));
  }

  /** The current step of a target (deferred ones change when resolved). */
  step(target: string): Step {
    return this.#runs.get(target)!.step;
  }
}
