/**
 * Holding a plan to `--max-bytes`: pure judgement of the engine's estimates (asked beforehand by
 * `warehouse/plan-estimate.ts`), and the estimates as the plan's JSON and text show them. No
 * I/O: the estimates come in as data.
 */
import { DagrunError } from '../core/errors.js';
import { formatBytes } from '../core/format.js';
import type { StepEstimate, TargetToEstimate } from '../warehouse/warehouse.js';

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
