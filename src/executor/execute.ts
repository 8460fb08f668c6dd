/**
 * Executing a plan: the units of work (ranges, gates, deferred resolutions) wired to the
 * build loop, and the outcome of every target. A range that can change the table records its
 * writes as it lands (range.ts, command-attempt.ts): nothing is held in memory that a crash could
 * lose. Only commands that cannot have written the table (DuckDB, neither opening the file nor
 * handing rows over) leave their records for the target's gate, one transaction per target.
 */
import { pushTo } from '../core/lists-by-key.js';
import { messageOf } from '../core/errors.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import type { TargetFailure } from '../scheduler/failure.js';
import { Plan, type FailureMode, type WorkUnit } from '../scheduler/plan.js';
import type { TargetOutcome } from './events.js';
import type { Freshness } from '../freshness/assess.js';
import { runBuildLoop, type UnitOutcome } from './build-loop.js';
import type { ExecutionContext } from './context.js';
import { resolveStep, runGate } from './gate.js';
import { runRange } from './range.js';
import type { WriteBatch } from '../warehouse/warehouse.js';

/** Options of one execution. */
export interface ExecuteOptions {
  readonly jobs: number;
  readonly failureMode: FailureMode;
  /** Expected milliseconds per batch, from earlier runs. */
  readonly estimate?: (target: string) => number;
}

/** Runs the plan and returns each step's outcome. `interrupt()` on the returned handle stops it. */
export function executePlan(ctx: ExecutionContext, data: PlanData, options: ExecuteOptions): { done: Promise<TargetOutcome[]>; interrupt: () => void } {
  const plan = new Plan(data.steps, {
    jobs: options.jobs,
    groups: new Map([...ctx.config.groups.values()].map((g) => [g.name, g.concurrency])),
    parallel: (name) => ctx.graph.target(name).build?.parallel ?? 1,
    exclusive: (name) => {
      const action = ctx.graph.target(name).build?.action;
      return ctx.warehouse.commandsNeedExclusiveAccess && action?.kind === 'command' && action.opensWarehouse;
    },
    estimate: options.estimate,
    failureMode: options.failureMode,
  });
  const after = new Map<string, Freshness>();
  const started = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  // records of commands that cannot have written the table: one transaction per target, at its gate
  const deferred = new Map<string, WriteBatch[]>();
  const recordDeferred = async (target?: string) => {
    const batches = target === undefined ? [...deferred.values()].flat() : (deferred.get(target) ?? []);
    if (target === undefined) deferred.clear();
    else deferred.delete(target);
    if (batches.length > 0) await ctx.warehouse.recordWrites(batches);
  };

  const execute = async (unit: WorkUnit): Promise<UnitOutcome> => {
    const target = ctx.graph.target(unit.target);
    started.set(unit.target, Math.min(started.get(unit.target) ?? Infinity, ctx.now()));
    try {
      switch (unit.kind) {
        case 'range': {
          const outcome = await runRange(ctx, target, unit.batch, unit.index);
          if (!outcome.ok) return outcome;
          if (outcome.deferredRecord) pushTo(deferred, unit.target, outcome.deferredRecord);
          return { ok: true };
        }
        case 'gate': {
          await recordDeferred(unit.target);
          const gate = await runGate(ctx, plan.step(unit.target));
          after.set(unit.target, gate.after);
          finishedAt.set(unit.target, ctx.now());
          ctx.reporter.handle({ type: 'gate-finished', target: unit.target, ok: gate.ok, message: gate.message, before: ctx.before.get(unit.target), after: gate.after });
          return gate.ok ? { ok: true } : { ok: false, failure: { kind: 'gate-failed', message: gate.message } };
        }
        case 'resolve':
          return { ok: true, step: await resolveStep(ctx, plan.step(unit.target), (name) => plan.daysOf(name)) };
      }
    } catch (error) {
      const message = messageOf(error);
      const failure: TargetFailure = unit.kind === 'range' ? { kind: 'range-failed', message } : unit.kind === 'gate' ? { kind: 'gate-failed', message } : { kind: 'not-measured', message };
      return { ok: false, failure };
    }
  };

  const done = (async () => {
    try {
      await runBuildLoop(plan, execute);
    } finally {
      // ranges that ended without their gate (an interrupt, a failure elsewhere) keep their records too
      await recordDeferred().catch((error: unknown) => ctx.reporter.handle({ type: 'warning', message: `could not record writes: ${messageOf(error)}` }));
    }
    return plan.outcomes().map((o): TargetOutcome => {
      if (o.status === 'skipped' && o.failure) ctx.reporter.handle({ type: 'target-skipped', target: o.target, failure: o.failure });
      const begin = started.get(o.target);
      const end = finishedAt.get(o.target);
      return {
        ...o,
        daysHandedOver: plan.step(o.target).dates,
        before: ctx.before.get(o.target),
        after: after.get(o.target),
        durationMs: begin !== undefined && end !== undefined ? end - begin : undefined,
      };
    });
  })();
  return { done, interrupt: () => plan.interrupt() };
}
