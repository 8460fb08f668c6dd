/**
 * The build loop, after ninja's `Builder::Build`: start as much as the plan and the pools
 * allow, wait for the next unit to end, tell the plan, repeat.
 */
import { InternalError } from '../core/errors.js';
import type { Step } from '../scheduler/compute-plan.js';
import type { Plan, WorkUnit } from '../scheduler/plan.js';

/** How a unit ended: resolve units also bring the step they resolved. */
export type UnitOutcome = { readonly ok: true; readonly step?: Step } | { readonly ok: false; readonly reason: string };

/** Runs one unit of work; never throws for expected failures. */
export type UnitExecutor = (unit: WorkUnit) => Promise<UnitOutcome>;

interface Finished {
  readonly unit: WorkUnit;
  readonly outcome: UnitOutcome;
  readonly id: number;
}

/** Drives `plan` to completion, running at most what its pools allow at once. */
export async function runBuildLoop(plan: Plan, execute: UnitExecutor): Promise<void> {
  const running = new Map<number, Promise<Finished>>();
  let nextId = 0;

  while (plan.moreToDo()) {
    // 1. Start everything that may start now.
    for (let unit = plan.findWork(); unit !== undefined; unit = plan.findWork()) {
      const id = nextId++;
      const started = unit;
      running.set(
        id,
        execute(started).then(
          (outcome) => ({ unit: started, outcome, id }),
          (error: unknown) => ({ unit: started, outcome: { ok: false as const, reason: `internal error: ${String(error)}` }, id }),
        ),
      );
    }

    // 2. Nothing runs and nothing could start, yet the plan is not done: a bug.
    if (running.size === 0) throw new InternalError('the build is stuck: no work is running and none can start');

    // 3. Wait for the next unit to end and tell the plan.
    const finished = await Promise.race(running.values());
    running.delete(finished.id);
    const { unit, outcome } = finished;
    if (unit.kind === 'resolve' && outcome.ok && outcome.step) plan.resolved(unit, outcome.step);
    else if (outcome.ok) plan.finished(unit, 'ok');
    else plan.finished(unit, 'failed', outcome.reason);
  }
}
