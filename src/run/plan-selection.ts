/**
 * Measuring the selection and planning what to build: what a build and a dry run share. On
 * BigQuery the plan's SQL steps are dry-run (free) for their cost when asked.
 */
import { computePlan, type PlanData } from '../scheduler/compute-plan.js';
import { estimatePlanBytes, type TargetToEstimate } from '../warehouse/plan-estimate.js';
import { readConsistently } from '../warehouse/read-cache.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { measureSelection, type SelectionMeasure } from './pipeline.js';
import { keptReadsForBuild } from './read-cache.js';
import type { Session } from './session.js';

/** How to plan: `--force` rebuilds the named targets, `--fill` the holes of fresh ones too. */
export interface PlanningOptions {
  readonly force: boolean;
  readonly fill?: boolean;
  /** Estimate the bytes of the plan's SQL steps (BigQuery); other warehouses give none. */
  readonly estimate: boolean;
}

/** The selection measured and planned. */
export interface PlannedSelection extends SelectionMeasure {
  readonly plan: PlanData;
  /** Per step, when asked and the warehouse can tell. */
  readonly estimates: TargetToEstimate | undefined;
}

/** Measures the session's selection and plans it. */
export async function planSelection(session: Session, warehouse: Warehouse, options: PlanningOptions): Promise<PlannedSelection> {
  const measured = await readConsistently(warehouse, () => measureSelection(session, warehouse));
  const plan = computePlan({
    graph: session.graph, state: measured.state, freshness: measured.freshness, selected: session.selected,
    force: new Set(options.force ? session.named : []), fill: options.fill,
  });
  const estimates = options.estimate ? await estimatePlanBytes(warehouse, plan.steps, session.config.targets, session.runId) : undefined;
  return { ...measured, plan, estimates };
}

/**
 * A build's plan: from the reads kept for the warehouse file as it is, where they hold (a build
 * with nothing to do then never opens the file), else from the warehouse. A plan with work is
 * kept only when the file, once the build holds it, is still what the kept reads were for.
 */
export async function planBuild(session: Session, warehouse: Warehouse, options: PlanningOptions): Promise<PlannedSelection> {
  const kept = keptReadsForBuild(session, warehouse);
  if (!kept) return planSelection(session, warehouse, options);
  const planned = await planSelection(session, kept.reads, options);
  if (planned.plan.steps.length === 0) {
    await kept.keep();
    return planned;
  }
  return (await kept.confirm()) ? planned : planSelection(session, warehouse, options);
}
