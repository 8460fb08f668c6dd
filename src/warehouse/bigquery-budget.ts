/**
 * What a plan will cost on a billing warehouse (BigQuery), before anything runs: each
 * planned SQL step is estimated once (free dry runs, statement by statement) over all of
 * its dates and ranges, and `--max-bytes` refuses a plan whose estimated total is over the
 * budget, or one with a step whose cost cannot be known. It speaks to the `Warehouse` seam
 * through the optional `estimateSqlBytes`, or `estimateBuild` where the engine has it.
 */
import type { Target } from '../config/types.js';
import { DagrunError, messageOf } from '../core/errors.js';
import type { Day } from '../intervals/day.js';
import { mapConcurrent } from './bigquery-port.js';
import { formatBytes } from '../report/format.js';
import { parseByteSize } from './bigquery-sql.js';
import type { Warehouse } from './warehouse.js';

/** A planned step as the estimator needs it (structurally, the scheduler's `Step`). */
export interface EstimableStep {
  readonly target: string;
  /** Every date the step hands over, sorted. */
  readonly days: readonly Day[];
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

/** The estimate of one SQL step. */
export type StepEstimate =
  /** The dry run answered: the bytes the step's SQL would process over all its dates. */
  | { readonly kind: 'known'; readonly bytes: number }
  /** No estimate, and why (e.g. an upstream table is not built yet: `notFound`). */
  | { readonly kind: 'unknown'; readonly reason: string };

/** Estimates of the plan's SQL steps, in plan order. Command steps have none: their cost is their own. */
export type TargetToEstimate = ReadonlyMap<string, StepEstimate>;

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
    const first = step.days[0];
    const last = step.days[step.days.length - 1];
    if (first === undefined || last === undefined) return { kind: 'known', bytes: 0 };
    const request = {
      target: target.name, table: target.table, sql, start: first, end: last, dates: step.days,
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

/** The sum of the known estimates. */
export function knownTotal(estimates: TargetToEstimate): number {
  let total = 0;
  for (const estimate of estimates.values()) if (estimate.kind === 'known') total += estimate.bytes;
  return total;
}

/** How a plan fares against `--max-bytes`. */
export interface BudgetVerdict {
  /** Why the plan is refused; undefined when it is within the budget. */
  readonly refusal: string | undefined;
  /** Things to say either way: steps that could not be estimated and are not counted. */
  readonly warnings: readonly string[];
}

/** "1.5 GiB (1610612736 bytes)": rounded for people, exact where rounding could hide the difference. */
function exactSize(bytes: number): string {
  return bytes < 1024 ? formatBytes(bytes) : `${formatBytes(bytes)} (${bytes} bytes)`;
}

/** Steps listed by name in a refusal, biggest first. */
const BIGGEST_SHOWN = 3;

/**
 * Judges the plan against the budget: refused when the known total is over it, and when a
 * step cannot be estimated (its cost could be anything: a budget that lets it through
 * would be no budget). Without unknown steps nothing is said beyond the refusal.
 */
export function judgeBudget(estimates: TargetToEstimate, budget: number): BudgetVerdict {
  const total = knownTotal(estimates);
  const unknown = [...estimates].filter((entry): entry is [string, Extract<StepEstimate, { kind: 'unknown' }>] => entry[1].kind === 'unknown');
  const uncounted = unknown.map(([name, e]) => `${name} (${e.reason})`).join('; ');
  if (total <= budget && unknown.length === 0) return { refusal: undefined, warnings: [] };
  const biggest = [...estimates]
    .flatMap(([name, e]) => (e.kind === 'known' ? [{ name, bytes: e.bytes }] : []))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
    .slice(0, BIGGEST_SHOWN)
    .map((s) => `${s.name} ${formatBytes(s.bytes)}`);
  const steps = unknown.length === 1 ? '1 step' : `${unknown.length} steps`;
  const refusal = [
    total > budget
      ? `refusing the plan: its SQL steps would process about ${exactSize(total)}, over --max-bytes ${exactSize(budget)}`
      : `refusing the plan: ${steps} cannot be estimated, so the plan cannot be held to --max-bytes ${exactSize(budget)} (the known steps would process about ${exactSize(total)})`,
    ...(biggest.length > 0 && total > budget ? [`  biggest steps: ${biggest.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`  cannot be estimated: ${uncounted}`] : []),
    unknown.length > 0 && total <= budget
      ? 'Nothing was run. Build the steps they read first (dagrun <target> --only), leave out --max-bytes, or narrow the targets.'
      : 'Nothing was run. Narrow the window (--since, --start/--end) or the targets, or raise --max-bytes.',
  ].join('\n');
  return { refusal, warnings: [] };
}

/**
 * Adds the estimates to the `--dry-run --json` object: `estimatedBytes` on each SQL step
 * (null when unknown, with `estimateError`), and `totalEstimatedBytes` (the known ones)
 * with the `unestimatedSteps` it leaves out.
 */
export function addEstimatesToPlanJson(planJson: string, estimates: TargetToEstimate, budget: number | undefined): string {
  const plan = JSON.parse(planJson) as { steps: Record<string, unknown>[] } & Record<string, unknown>;
  for (const step of plan.steps) {
    const estimate = estimates.get(String(step['target']));
    if (estimate?.kind === 'known') step['estimatedBytes'] = estimate.bytes;
    if (estimate?.kind === 'unknown') Object.assign(step, { estimatedBytes: null, estimateError: estimate.reason });
  }
  plan['totalEstimatedBytes'] = knownTotal(estimates);
  plan['unestimatedSteps'] = [...estimates].filter(([, e]) => e.kind === 'unknown').map(([name]) => name);
  if (budget !== undefined) plan['maxBytes'] = budget;
  return JSON.stringify(plan, null, 2);
}

/** The estimates as `renderPlan` takes them: bytes of the known steps, reasons of the unknown ones. */
export function splitEstimates(estimates: TargetToEstimate): { bytes: Map<string, number>; unknownBytes: Map<string, string> } {
  const bytes = new Map<string, number>();
  const unknownBytes = new Map<string, string>();
  for (const [name, estimate] of estimates) {
    if (estimate.kind === 'known') bytes.set(name, estimate.bytes);
    else unknownBytes.set(name, estimate.reason);
  }
  return { bytes, unknownBytes };
}

/**
 * Applies `--max-bytes` to a plan: says the warnings, throws a usage error (exit 2) with the
 * refusal when the plan is over budget. On an engine that cannot estimate (DuckDB bills
 * nothing) the budget holds trivially, and is said to have no effect.
 */
export function applyBudget(estimates: TargetToEstimate | undefined, budget: number | undefined, engine: string, say: (message: string) => void): void {
  if (budget === undefined) return;
  if (estimates === undefined) {
    say(`warning: --max-bytes has no effect: the ${engine} warehouse does not bill bytes processed`);
    return;
  }
  const verdict = judgeBudget(estimates, budget);
  // A refusal names the unestimated steps itself.
  if (verdict.refusal !== undefined) throw new DagrunError('usage', verdict.refusal);
  for (const warning of verdict.warnings) say(`warning: ${warning}`);
}
