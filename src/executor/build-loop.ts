/**
 * The build loop, after ninja's `Builder::Build`: start as much as the plan and the pools
 * allow, wait for the next unit to end, tell the plan, repeat.
 */
import { InternalError, messageOf } from '../core/errors.js';
import type { Step } from '../scheduler/compute-plan.js';
import type { TargetFailure } from '../scheduler/failure.js';
import type { Plan, WorkUnit } from '../scheduler/plan.js';

/** How a unit ended: resolve units also bring the step they resolved. */
export type UnitOutcome = { readonly ok: true; readonly step?: Step } | { readonly ok: false; readonly failure: TargetFailure };

/** Runs one unit of work; never throws for expected failures. */
export type UnitExecutor = (unit: WorkUnit) => Promise<UnitOutcome>;

interface Finished {
  readonly unit: WorkUnit;
  readonly outcome: UnitOutcome;
  readonly id: number;
}

/** Starts one unit; a throw (sync or async) is a bug in the executor, turned into that unit's failure. */
function start(execute: UnitExecutor, unit: WorkUnit, id: number): Promise<Finished> {
  const failed = (error: unknown): Finished => ({ unit, outcome: { ok: false, failure: { kind: 'internal', message: messageOf(error) } }, id });
  try {
    return execute(unit).then((outcome) => ({ unit, outcome, id }), failed);
  } catch (error) {
    return Promise.resolve(failed(error));
  }
}

/** Drives `plan` to completion, running at most what its pools allow at once. */
export async function runBuildLoop(plan: Plan, execute: UnitExecutor): Promise<void> {
  const running = new Map<number, Promise<Finished>>();
  let nextId = 0;

  while (plan.moreToDo()) {
    // 1. Start everything that may start now. Starting is synchronous up to each unit's
    //    first await, so one pass fills every free slot before anything is waited for.
    for (let unit = plan.findWork(); unit !== undefined; unit = plan.findWork()) {
      const id = nextId++;
      running.set(id, start(execute, unit, id));
    }

    // 2. Nothing runs and nothing could start, yet the plan is not done: a bug in the plan.
    if (running.size === 0) {
      const left = plan.outcomes().filter((o) => o.status !== 'done' && o.status !== 'failed' && o.status !== 'skipped');
      throw new InternalError(`the build is stuck (this is a bug): no work is running and none can start; left: ${left.map((o) => `${o.target} (${o.status})`).join(', ')}`);
    }

    // 3. Wait for the next unit to end and tell the plan; failures propagate inside it.
    const finished = await Promise.race(running.values());
    running.delete(finished.id);
    const { unit, outcome } = finished;
    if (!outcome.ok) plan.finished(unit, outcome.failure);
    else if (unit.kind === 'resolve' && outcome.step) plan.resolved(unit, outcome.step);
    else plan.finished(unit);
  }
}
