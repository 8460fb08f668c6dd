/**
 * What a plan will cost on a billing warehouse (BigQuery), before anything runs: each
 * planned SQL step is estimated once (free dry runs, statement by statement) over all of
 * its dates and ranges, and `--max-bytes` refuses a plan whose estimated total is over the
 * budget, or one with a step whose cost cannot be known. It speaks to the `Warehouse` seam
 * through the optional `estimateSqlBytes`, or `estimateBuild` where the engine has it.
 * Judging the estimates against the budget is planning work: `scheduler/budget.ts`.
 */
import type { Target } from '../config/types.js';
import { DagrunError, messageOf } from '../core/errors.js';
import { daysOfRanges } from '../intervals/day-ranges.js';
import type { DayRange } from '../intervals/interval.js';
import { mapConcurrent } from './bigquery-port.js';
import { parseByteSize } from './bigquery-sql.js';
import type { StepEstimate, TargetToEstimate, Warehouse } from './warehouse.js';

/** The estimate types, declared with the port; here for the adapter's files that import them from this one. */
export type { StepEstimate, TargetToEstimate };

/** A planned step as the estimator needs it (structurally, the scheduler's `Step`). */
export interface EstimableStep {
  readonly target: string;
  /** Every date the step hands over, as ranges of consecutive days. */
  readonly ranges: readonly DayRange[];
  /** Set when the step's dates are known only after its calendar is built. */
  readonly deferred: boolean;
  /** The step's ranges (one job each); only their number matters here. */
  readonly batches?: readonly unknown[];
}

/** An engine that estimates a whole step (`BigQueryWarehouse`): all its ranges, unknown with a reason. */
interface StepEstimator {
  estimateBuild(request: Parameters<NonNullable<Warehouse['estimateSqlBytes']>>[0], ranges: number): Promise<StepEstimate>;
}

function stepEstimator(warehouse: Warehouse): StepEstimator | undefined {
  const candidate = warehouse as Warehouse & Partial<StepEstimator>;
  return typeof candidate.estimateBuild === 'function' ? (candidate as StepEstimator) : undefined;
}

/** Dry runs in flight at once: enough to be quick, few enough to stay clear of rate limits. */
const DRY_RUNS_AT_ONCE = 8;

/**
 * The `--max-bytes` value in bytes; undefined when the flag is absent. Throws a usage
 * error (exit 2) naming the flag when the value is not a byte size.
 */
export function parseMaxBytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const bytes = parseByteSize(String(text));
  if (bytes === undefined) {
    throw new DagrunError('usage', `--max-bytes: ${JSON.stringify(String(text))} is not a byte size (like 50GB, 500MiB or 1048576; units are powers of 1024)`);
  }
  return Number(bytes);
}

/**
 * Estimates every planned SQL step once, as one request like the build's first range would
 * be but over the step's whole span and all its dates, and (where the engine can) for all
 * of its ranges: BigQuery's per-job minimum is paid once per range. Undefined when the
 * warehouse bills nothing and so cannot estimate. A failed estimate is an `unknown`, never an exception:
 * an estimate must not stop a plan from being shown.
 */
export async function estimatePlanBytes(
  warehouse: Warehouse,
  steps: readonly EstimableStep[],
  targets: ReadonlyMap<string, Target>,
  runId: string,
): Promise<TargetToEstimate | undefined> {
  if (!warehouse.estimateSqlBytes) return undefined;
  const estimate = warehouse.estimateSqlBytes.bind(warehouse);
  const estimator = stepEstimator(warehouse);
  const sqlSteps = steps.flatMap((step) => {
    const target = targets.get(step.target);
    const action = target?.build?.action;
    return target && action?.kind === 'sql' ? [{ step, target, sql: action.sql }] : [];
  });
  const estimates = await mapConcurrent(sqlSteps, DRY_RUNS_AT_ONCE, async ({ step, target, sql }): Promise<StepEstimate> => {
    if (step.deferred) return { kind: 'unknown', reason: 'its dates are known only after its calendar is built' };
    const first = step.ranges[0]?.first;
    const last = step.ranges[step.ranges.length - 1]?.last;
    if (first === undefined || last === undefined) return { kind: 'known', bytes: 0 };
    const request = {
      target: target.name, table: target.table, sql, start: first, end: last, dates: daysOfRanges(step.ranges),
      labels: { tool: 'dagrun', target: target.name, run_id: runId },
    };
    try {
      if (estimator) return await estimator.estimateBuild(request, Math.max(1, step.batches?.length ?? 1));
      return { kind: 'known', bytes: await estimate(request) };
    } catch (error) {
      return { kind: 'unknown', reason: messageOf(error) };
    }
  });
  return new Map(sqlSteps.map(({ step }, i) => [step.target, estimates[i]!]));
}
